"""Call-next policy: which waiting ticket a counter calls next, and why.

The order, as told to a citizen:

1. a ticket transferred to this very counter;
2. priority (绿色通道): elderly, staff-marked, appointments whose time has come;
3. the counter's categories: in listed order, or by weight (weighted fair
   queuing: the category whose next call keeps its share closest to its weight);
4. within the chosen group, whoever took a number first.

The function is pure. Only each group's head matters, so a store may pass just
the first few tickets of every group instead of the whole queue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from caller_server.domain.hall import Counter
from caller_server.domain.ticket import Priority, Ticket


@dataclass(frozen=True)
class Candidate:
    """The parts of a waiting ticket the policy looks at."""

    ticket_id: int
    number: str
    category: str
    arrival_at: float
    priority: Priority | None = None
    due_at: float | None = None
    target_counter: int | None = None

    def is_priority(self, now: float) -> bool:
        return self.priority is not None and (self.due_at is None or self.due_at <= now)

    @classmethod
    def of(cls, ticket: Ticket) -> Candidate:
        return cls(
            ticket.id,
            ticket.number,
            ticket.category,
            ticket.arrival_at,
            ticket.priority,
            ticket.due_at,
            ticket.target_counter,
        )


@dataclass(frozen=True)
class Choice:
    ticket_id: int
    number: str
    rule: str
    reason_zh: str
    reason_en: str


_PRIORITY_REASON = {
    Priority.ELDERLY: ("绿色通道：长者优先", "priority lane: elderly citizen"),
    Priority.STAFF: ("绿色通道：工作人员标记优先", "priority lane: marked by staff"),
    Priority.APPOINTMENT: ("预约签到，已到预约时间", "appointment checked in and due"),
}


def _first(group: Iterable[Candidate]) -> Candidate:
    return min(group, key=lambda c: (c.arrival_at, c.ticket_id))


def serves(counter: Counter, candidate: Candidate) -> bool:
    """Whether ``counter`` may call ``candidate`` at all."""
    if candidate.target_counter is not None:
        return candidate.target_counter == counter.number
    return candidate.category in counter.codes


def choose_category(counter: Counter, waiting_codes: set[str], served: Mapping[str, int]) -> str:
    """The counter's category to serve next among those with someone waiting."""
    order = [c for c in counter.categories if c.code in waiting_codes]
    if order[0].weight is None:
        return order[0].code
    # Weighted fair queuing: the smallest virtual finish time (served + 1) / weight;
    # ties go to the category listed first.
    return min(order, key=lambda c: (served.get(c.code, 0) + 1) / (c.weight or 1)).code


def choose_next(
    counter: Counter,
    waiting: Iterable[Candidate],
    served: Mapping[str, int],
    now: float,
) -> Choice | None:
    """The ticket ``counter`` calls next, with the rule that chose it; None if nobody waits.

    ``served`` counts the tickets this counter called today per category.
    """
    pool = [c for c in waiting if serves(counter, c)]
    if not pool:
        return None
    targeted = [c for c in pool if c.target_counter == counter.number]
    if targeted:
        best = _first(targeted)
        return Choice(
            best.ticket_id, best.number, "transfer", "转至本窗口的号票优先", "transferred here"
        )
    urgent = [c for c in pool if c.is_priority(now)]
    if urgent:
        best = _first(urgent)
        assert best.priority is not None
        zh, en = _PRIORITY_REASON[best.priority]
        return Choice(best.ticket_id, best.number, "priority", zh, en)
    code = choose_category(counter, {c.category for c in pool}, served)
    best = _first(c for c in pool if c.category == code)
    weighted = counter.categories[0].weight is not None
    how_zh = "按业务权重" if weighted else "按窗口业务顺序"
    how_en = "by category weight" if weighted else "by the counter's category order"
    return Choice(
        best.ticket_id,
        best.number,
        "weight" if weighted else "order",
        f"{how_zh}轮到{code}类，按取号先后",
        f"{how_en} category {code} is next, then first come first served",
    )
