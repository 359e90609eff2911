"""Per-day person keys: the real-name rules link taps within one service day, no further.

A person is stored as ``HMAC-SHA256(day key, ID number)``. Each service day (and each future
day an appointment names) has its own random 32-byte key, kept in the database sealed under
the hall secret. When the retention period ends the sealed key is deleted with the day's
personal fields: the day's person keys then link nothing, not even with the hall secret at
hand, and no key of another day ever linked them to begin with.

Sealing is a one-time pad from ``HMAC(secret, day)`` (each day is sealed once) plus an
authentication tag, so a wrong or replaced hall secret is detected instead of silently
producing different person keys.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, timedelta

from caller_server.domain.errors import DomainError

KEY_BYTES = 32
_TAG_BYTES = 16


class DayKeyError(DomainError):
    code = "day_key_invalid"

    def __init__(self, day: str) -> None:
        super().__init__(
            f"{day} 的人员密钥无法解开：大厅密钥（hall.secret）与数据库不匹配，请从备份恢复",
            f"the person key of {day} does not open: hall.secret does not belong to this "
            "database; restore it from backup",
        )


def new_day_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def _pad(secret: bytes, day: str) -> bytes:
    return hmac.new(secret, b"yihao day key\0" + day.encode(), hashlib.sha256).digest()


def _tag(secret: bytes, day: str, sealed: bytes) -> bytes:
    mac = hmac.new(secret, b"yihao day tag\0" + day.encode() + sealed, hashlib.sha256)
    return mac.digest()[:_TAG_BYTES]


def seal(secret: bytes, day: str, key: bytes) -> bytes:
    """``key`` encrypted and authenticated under the hall secret, for ``day`` only."""
    if len(key) != KEY_BYTES:
        raise ValueError(f"a day key has {KEY_BYTES} bytes, not {len(key)}")
    body = bytes(a ^ b for a, b in zip(key, _pad(secret, day), strict=True))
    return body + _tag(secret, day, body)


def unseal(secret: bytes, day: str, sealed: bytes) -> bytes:
    """The day key, or :class:`DayKeyError` when the hall secret does not open it."""
    body, tag = sealed[:KEY_BYTES], sealed[KEY_BYTES:]
    if len(body) != KEY_BYTES or not hmac.compare_digest(tag, _tag(secret, day, body)):
        raise DayKeyError(day)
    return bytes(a ^ b for a, b in zip(body, _pad(secret, day), strict=True))


def purge_before(today: date, retention_days: int) -> str:
    """The first service day still kept: days before it lose their personal fields."""
    return (today - timedelta(days=retention_days)).isoformat()
