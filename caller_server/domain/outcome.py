"""What a service ended in (办结结果), recorded by the clerk in one tap at 办结."""

from __future__ import annotations

from enum import StrEnum


class Outcome(StrEnum):
    DONE = "done"
    """办结: finished."""
    BACK_OFFICE = "back_office"
    """受理转后台: accepted and passed to the back office (受审分离)."""
    NEEDS_MORE = "needs_more"
    """需补正材料: the citizen must come back with more documents."""
    CONSULT = "consult"
    """仅咨询: a question only."""

    @property
    def settled(self) -> bool:
        """Counts as 一次办妥 (finished or accepted, nothing missing)."""
        return self in (Outcome.DONE, Outcome.BACK_OFFICE)

    @property
    def counted(self) -> bool:
        """Enters the 一次办妥率 at all (a question only does not)."""
        return self is not Outcome.CONSULT


LABELS: dict[Outcome, tuple[str, str, str]] = {
    Outcome.DONE: ("办结", "辦結", "Done"),
    Outcome.BACK_OFFICE: ("受理转后台", "受理轉後台", "Accepted, to back office"),
    Outcome.NEEDS_MORE: ("需补正材料", "需補正材料", "Documents missing"),
    Outcome.CONSULT: ("仅咨询", "僅諮詢", "Enquiry only"),
}

PAUSE_REASONS: dict[str, tuple[str, str, str]] = {
    "lunch": ("午休", "午休", "Lunch break"),
    "meeting": ("会议", "會議", "Meeting"),
    "fault": ("系统故障", "系統故障", "System fault"),
    "other": ("其他", "其他", "Other"),
}
