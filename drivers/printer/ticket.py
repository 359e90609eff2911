"""The ticket a citizen takes home, as plain data, and its printed wording."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

# An unmasked ID number is 15 or 18 characters of digits (the last may be X);
# a ticket must never carry one.
_UNMASKED_ID = re.compile(r"\d{14}[\dXx]")
# A queue number: letters, digits and hyphens (A012, B1024, VIP-A0123). It also names the
# virtual printer's files, so no path separator, dot or control character may pass.
_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,15}")


@dataclass(frozen=True)
class Labels:
    """The fixed wording printed around the ticket's values, in one language."""

    ahead: str
    wait: str
    issued: str
    scan: str
    identity: str


LABELS: dict[str, Labels] = {
    "zh-CN": Labels(
        "前面还有 {n} 人", "预计等待 {n} 分钟", "取号时间：", "扫码查看排队进度", "证件："
    ),
    "zh-TW": Labels(
        "前面還有 {n} 人", "預計等待 {n} 分鐘", "取號時間：", "掃碼查看排隊進度", "證件："
    ),
    "en": Labels(
        "{n} people ahead", "about {n} minutes wait", "Issued: ", "Scan to follow the queue", "ID: "
    ),
}


@dataclass(frozen=True)
class Ticket:
    """Everything printed on one queue ticket (号票)."""

    hall_name: str
    """Name of the hall, e.g. 示范市政务服务中心."""
    number: str
    """The queue number, e.g. ``A012``."""
    category_name: str
    """The service category (业务类别), e.g. 民生服务类."""
    people_ahead: int
    """How many people wait before this ticket."""
    wait_minutes: int | None
    """Estimated wait in minutes; None prints no estimate."""
    issued_at: datetime
    """When the ticket was issued (local time of the hall)."""
    masked_identity: str = ""
    """Already masked identity, e.g. ``410104********1234 张*明``; never a full ID number."""
    status_url: str = ""
    """URL of the public status page, printed as a QR code; empty prints no QR code."""
    notice: str = ""
    """Free text printed at the bottom (opening hours, what to bring …)."""
    lang: str = "zh-CN"
    """Language of the labels: zh-CN, zh-TW or en."""

    def __post_init__(self) -> None:
        if not _NUMBER.fullmatch(self.number):
            raise ValueError(f"not a queue number: {self.number!r} (expected e.g. A012)")
        if self.people_ahead < 0:
            raise ValueError(f"people_ahead must be >= 0, not {self.people_ahead}")
        if _UNMASKED_ID.search(self.masked_identity):
            raise ValueError("masked_identity contains an unmasked ID number")
        if self.lang not in LABELS:
            raise ValueError(f"unknown ticket language {self.lang!r}; known: {sorted(LABELS)}")

    @property
    def labels(self) -> Labels:
        """The printed wording in the ticket's language."""
        return LABELS[self.lang]


def sample_ticket(issued_at: datetime | None = None) -> Ticket:
    """The ticket printed by ``python -m drivers.printer test`` and shown in the docs."""
    return Ticket(
        hall_name="示范市政务服务中心",
        number="A012",
        category_name="民生服务类",
        people_ahead=5,
        wait_minutes=15,
        issued_at=issued_at or datetime.now().replace(microsecond=0),
        masked_identity="410104********1234 张*明",
        status_url="https://hall.example.cn/t/7Kq2xW9a",
        notice="请留意叫号。过号后请在自助机重新刷身份证恢复排队，本号票当日有效。",
    )
