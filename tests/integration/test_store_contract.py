"""The SQL store's shortcuts (queue heads, range counts) answer as the pure rules do."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caller_server.domain.estimate import people_ahead
from caller_server.domain.policy import Candidate, choose_next
from caller_server.domain.ticket import Priority, Status, Ticket
from caller_server.store import migrate
from caller_server.store.engine import make_engine
from caller_server.store.sql import SqlUnitOfWork
from tests.serverkit import sample_hall

DAY = "2026-11-27"
NOW = 1000.0

tickets_st = st.lists(
    st.tuples(
        st.sampled_from("AAB"),
        st.integers(0, 6).map(float),  # few distinct arrival times: ties on arrival_at
        st.sampled_from([None, None, Priority.ELDERLY, Priority.STAFF, Priority.APPOINTMENT]),
        st.sampled_from([None, 500.0, 2000.0]),  # due before or after NOW
        st.sampled_from([None, None, None, 1, 3, 8]),
        st.sampled_from([Status.WAITING, Status.WAITING, Status.CALLED, Status.DONE]),
    ),
    max_size=40,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=tickets_st)
def test_heads_and_ahead_match_the_pure_rules(tmp_path: Path, rows: list[tuple]) -> None:  # type: ignore[type-arg]
    hall = sample_hall()
    path = tmp_path / f"contract-{abs(hash(tuple(map(str, rows))))}.db"
    path.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine, hall.id)
    try:
        uow = SqlUnitOfWork(engine, hall.timezone, write=True)
        stored: list[Ticket] = []
        for i, (cat, at, prio, due, target, status) in enumerate(rows):
            ticket = Ticket(
                id=0,
                token=f"t{i}",
                number=f"{cat}{i:03d}",
                category=cat,
                service_day=DAY,
                status=status,
                issued_at=at,
                arrival_at=at,
                priority=prio,
                due_at=due if prio is Priority.APPOINTMENT else None,
                target_counter=target,
            )
            ticket.id = uow.repo.add_ticket(ticket)
            stored.append(ticket)
        waiting = [Candidate.of(t) for t in stored if t.status is Status.WAITING]
        for counter in hall.counters.values():
            heads = [Candidate.of(t) for t in uow.repo.queue_heads(counter, DAY, NOW)]
            assert choose_next(counter, heads, {}, NOW) == choose_next(counter, waiting, {}, NOW)
        for ticket in stored:
            if ticket.status is Status.WAITING:
                expected = people_ahead(Candidate.of(ticket), waiting, NOW)
                assert uow.repo.ahead(ticket, NOW) == expected, ticket
        # What the output devices read instead of every active ticket.
        expected_waiting: dict[str, int] = {}
        for w in waiting:
            expected_waiting[w.category] = expected_waiting.get(w.category, 0) + 1
        assert uow.repo.waiting_counts(DAY) == expected_waiting
        called = {t.number for t in stored if t.status in (Status.CALLED, Status.SERVING)}
        assert {t.number for t in uow.repo.called_tickets(DAY)} == called
        uow.rollback()
    finally:
        engine.dispose()
