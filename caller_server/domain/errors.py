"""The domain's one exception base and its typed errors.

Each error carries a stable ``code`` (used on the wire), a Chinese message for
citizens and clerks, and an English one. Boundaries (HTTP, CLI, kiosk) translate
these; nothing below them formats messages.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every rule violation raised by ``caller_server.domain``."""

    code = "domain_error"

    def __init__(self, message_zh: str, message_en: str, **context: Any) -> None:
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en
        self.context = context


class HallConfigError(DomainError):
    """The hall configuration is invalid; ``key`` names the offending entry."""

    code = "hall_config_invalid"

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"大厅配置错误：{key}：{problem}", f"hall configuration: {key}: {problem}")
        self.key = key


class InvalidIdentity(DomainError):
    code = "invalid_id_number"

    def __init__(self, reason_en: str) -> None:
        super().__init__("身份证号码有误，请核对", f"the ID number is not valid: {reason_en}")


class CardExpired(DomainError):
    code = "card_expired"

    def __init__(self) -> None:
        super().__init__("证件已过期", "the card has expired")


class IdentityRequired(DomainError):
    code = "identity_required"

    def __init__(self, category: str) -> None:
        super().__init__(
            "该业务需要刷身份证取号",
            f"category {category} requires an ID card",
            category=category,
        )


_STATUS_ZH = {
    "waiting": "等候中",
    "called": "已叫号",
    "serving": "办理中",
    "done": "已办结",
    "no_show": "已过号",
    "cancelled": "已取消",
    "open": "服务中",
    "paused": "暂停服务",
    "closed": "已关闭",
}
_ACTION_ZH = {
    "call": "叫号",
    "recall": "重呼",
    "start": "开始办理",
    "finish": "办结",
    "skip": "过号",
    "reactivate": "恢复排队",
    "transfer": "转移",
    "cancel": "取消",
}


class IllegalTransition(DomainError):
    code = "illegal_transition"

    def __init__(self, number: str, status: str, action: str) -> None:
        state, act = _STATUS_ZH.get(status, status), _ACTION_ZH.get(action, action)
        super().__init__(
            f"号票 {number} 当前{state}，不能{act}",
            f"ticket {number} is {status}; cannot {action}",
            number=number,
            status=status,
            action=action,
        )


class UnknownCategory(DomainError):
    code = "unknown_category"

    def __init__(self, category: str) -> None:
        super().__init__(
            f"没有业务类别 {category}", f"no such category: {category}", category=category
        )


class UnknownCounter(DomainError):
    code = "unknown_counter"

    def __init__(self, counter: int) -> None:
        super().__init__(f"没有 {counter} 号窗口", f"no such counter: {counter}", counter=counter)


class CategoryClosed(DomainError):
    code = "category_closed"

    def __init__(self, category: str) -> None:
        super().__init__(
            "该业务今日已停止取号",
            f"category {category} is closed now",
            category=category,
        )


class CategoryAtCap(DomainError):
    code = "category_at_cap"

    def __init__(self, category: str, cap: int) -> None:
        super().__init__(
            "该业务今日已停止取号",
            f"category {category} reached its daily cap of {cap} tickets",
            category=category,
            cap=cap,
        )


class PersonLimitReached(DomainError):
    code = "person_daily_limit"

    def __init__(self, limit: int) -> None:
        super().__init__(
            "今日取号次数已达上限",
            f"today's limit of {limit} tickets per person is reached",
            limit=limit,
        )


class CounterNotOpen(DomainError):
    code = "counter_not_open"

    def __init__(self, counter: int, status: str) -> None:
        super().__init__(
            f"{counter} 号窗口当前{_STATUS_ZH.get(status, status)}，请先恢复服务",
            f"counter {counter} is {status}; resume it first",
            counter=counter,
            status=status,
        )


class NoCurrentTicket(DomainError):
    code = "no_current_ticket"

    def __init__(self, counter: int) -> None:
        super().__init__(
            f"{counter} 号窗口当前没有号票", f"counter {counter} has no current ticket"
        )


class TicketNotFound(DomainError):
    code = "ticket_not_found"

    def __init__(self) -> None:
        super().__init__("没有找到该号票", "no such ticket")


class RatingNotAllowed(DomainError):
    code = "rating_not_allowed"

    def __init__(self, reason_zh: str, reason_en: str) -> None:
        super().__init__(reason_zh, reason_en)


class AppointmentError(DomainError):
    code = "appointment_invalid"


class CounterStateChanged(DomainError):
    """The counter moved on since the clerk's screen was drawn (another browser, a double click)."""

    code = "counter_state_changed"

    def __init__(self, counter: int, expected: str, actual: str) -> None:
        super().__init__(
            f"{counter} 号窗口的当前号票已变为 {actual or '无'}，请核对后再操作",
            f"counter {counter} now has {actual or 'no ticket'}, not {expected or 'none'}",
            counter=counter,
        )


class NotCallable(DomainError):
    code = "not_callable"

    def __init__(self, number: str, message_zh: str, message_en: str) -> None:
        super().__init__(message_zh, message_en, number=number)


class UnknownMatter(DomainError):
    code = "unknown_matter"

    def __init__(self, category: str, matter: str) -> None:
        super().__init__(
            f"{category} 类业务没有事项「{matter}」",
            f"category {category} has no matter {matter!r}",
        )
