from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from caller_server.domain.estimate import eta_minutes, mean_service_seconds, people_ahead
from caller_server.domain.hall import Counter, CounterCategory
from caller_server.domain.policy import Candidate, choose_category, choose_next
from caller_server.domain.ticket import Priority

STRICT = Counter(1, "1号窗口", (CounterCategory("A", None), CounterCategory("B", None)))
WEIGHTED = Counter(2, "2号窗口", (CounterCategory("A", 3), CounterCategory("B", 1)))


def cand(i: int, cat: str, at: float, **kw: object) -> Candidate:
    return Candidate(i, f"{cat}{i:03d}", cat, at, **kw)  # type: ignore[arg-type]


def test_nobody_waiting() -> None:
    assert choose_next(STRICT, [], {}, 0) is None
    assert choose_next(STRICT, [cand(1, "C", 0)], {}, 0) is None


def test_strict_order_then_arrival() -> None:
    pool = [cand(1, "B", 1), cand(2, "A", 5), cand(3, "A", 3)]
    choice = choose_next(STRICT, pool, {}, 10)
    assert choice is not None
    assert (choice.ticket_id, choice.rule) == (3, "order")
    assert "A类" in choice.reason_zh


def test_priority_beats_category_order() -> None:
    pool = [cand(1, "A", 1), cand(2, "B", 9, priority=Priority.ELDERLY)]
    choice = choose_next(STRICT, pool, {}, 10)
    assert choice is not None and (choice.ticket_id, choice.rule) == (2, "priority")
    assert choice.reason_zh == "绿色通道：长者优先"


def test_appointment_counts_as_priority_only_when_due() -> None:
    early = cand(2, "B", 0, priority=Priority.APPOINTMENT, due_at=100)
    pool = [cand(1, "A", 5), early]
    before = choose_next(STRICT, pool, {}, 50)
    after = choose_next(STRICT, pool, {}, 100)
    assert before is not None and before.ticket_id == 1
    assert after is not None and after.ticket_id == 2 and "预约" in after.reason_zh


def test_transferred_to_this_counter_first_and_only_here() -> None:
    moved = cand(5, "C", 50, target_counter=1)
    pool = [cand(1, "A", 1, priority=Priority.STAFF), moved]
    choice = choose_next(STRICT, pool, {}, 60)
    assert choice is not None and (choice.ticket_id, choice.rule) == (5, "transfer")
    other = Counter(3, "3", (CounterCategory("C", None),))
    assert choose_next(other, [moved], {}, 60) is None


def test_weighted_fair_share_follows_weights() -> None:
    served = {"A": 0, "B": 0}
    picks = []
    for _ in range(40):
        code = choose_category(WEIGHTED, {"A", "B"}, served)
        served[code] += 1
        picks.append(code)
    assert served == {"A": 30, "B": 10}
    assert picks[:4] == ["A", "A", "A", "B"]


@given(
    st.lists(
        st.tuples(
            st.sampled_from("ABC"),
            st.integers(0, 100),
            st.sampled_from([None, Priority.ELDERLY, Priority.STAFF]),
        ),
        max_size=30,
    )
)
def test_choice_depends_only_on_group_heads(items: list[tuple[str, int, Priority | None]]) -> None:
    """The SQL store passes only group heads; the choice must not change."""
    pool = [cand(i, c, t, priority=p) for i, (c, t, p) in enumerate(items)]
    heads = {}
    for c in sorted(pool, key=lambda c: (c.arrival_at, c.ticket_id), reverse=True):
        heads[(c.category, False)] = c
        if c.priority:
            heads[(c.category, True)] = c
    full = choose_next(STRICT, pool, {}, 1000)
    pruned = choose_next(STRICT, list(heads.values()), {}, 1000)
    assert full == pruned


def test_people_ahead_and_eta() -> None:
    mine = cand(10, "A", 10)
    waiting = [cand(1, "A", 1), cand(2, "A", 20, priority=Priority.ELDERLY), cand(3, "B", 0), mine]
    assert people_ahead(mine, waiting, 30) == 2
    assert people_ahead(replace(waiting[1]), waiting, 30) == 0
    assert eta_minutes(2, 600, 2) == 10
    assert eta_minutes(0, 600, 2) == 0
    assert eta_minutes(3, 600, 0) == 30  # closed counters: count one, never divide by zero
    assert mean_service_seconds([], 10) == 600
    assert mean_service_seconds([300, 300, 300], 10) == 450
