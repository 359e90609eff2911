"""好差评 (国办发〔2019〕51号): five levels; the last two are bad reviews."""

from __future__ import annotations

from enum import IntEnum

from caller_server.domain.errors import RatingNotAllowed


class Rating(IntEnum):
    VERY_SATISFIED = 5
    SATISFIED = 4
    BASICALLY_SATISFIED = 3
    DISSATISFIED = 2
    VERY_DISSATISFIED = 1

    @property
    def bad(self) -> bool:
        return self <= Rating.DISSATISFIED


LABELS: dict[Rating, tuple[str, str, str]] = {
    Rating.VERY_SATISFIED: ("非常满意", "非常滿意", "very satisfied"),
    Rating.SATISFIED: ("满意", "滿意", "satisfied"),
    Rating.BASICALLY_SATISFIED: ("基本满意", "基本滿意", "basically satisfied"),
    Rating.DISSATISFIED: ("不满意", "不滿意", "dissatisfied"),
    Rating.VERY_DISSATISFIED: ("非常不满意", "非常不滿意", "very dissatisfied"),
}


def parse_rating(level: int) -> Rating:
    try:
        return Rating(level)
    except ValueError as exc:
        raise RatingNotAllowed(
            "评价等级应为 1 到 5", f"a rating is 1 (very dissatisfied) to 5, not {level}"
        ) from exc
