"""A hypothesis state machine over the queue use cases, checked against a small model.

The model's call order is written here independently of ``domain.policy``:
tickets transferred to the counter, then priority, then the counter's categories
in order, then arrival. The sample hall uses strict category order.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from caller_server.domain.errors import DomainError
from caller_server.domain.hall import Hall
from caller_server.protocol import IdentityIn
from caller_server.services import counters, queue, tickets
from caller_server.services.context import ServiceContext
from tests.serverkit import FakeClock, dispose_engines, id_number, sample_hall

PEOPLE = [id_number(random.Random(i), 80 if i % 4 == 0 else 30) for i in range(8)]


@dataclass
class Model:
    number: str
    category: str
    status: str
    arrival: float
    seq: int
    priority: bool
    person: int | None
    counter: int | None = None
    target: int | None = None
    no_show_at: float | None = None


class QueueMachine(RuleBasedStateMachine):
    make_context: Callable[[Hall, FakeClock], ServiceContext]

    def __init__(self) -> None:
        super().__init__()
        self.hall = sample_hall()
        self.clock = FakeClock()
        self.ctx = self.make_context(self.hall, self.clock)
        self.model: dict[str, Model] = {}
        self.paused: set[int] = set()
        self.order = 0

    def teardown(self) -> None:
        dispose_engines()

    def _tick(self) -> None:
        self.clock.advance(7)

    # --- model helpers
    def _current(self, counter: int) -> Model | None:
        found = [
            m
            for m in self.model.values()
            if m.counter == counter and m.status in ("called", "serving")
        ]
        assert len(found) <= 1, f"counter {counter} holds {found}"
        return found[0] if found else None

    def _expected_next(self, counter: int) -> Model | None:
        codes = self.hall.counters[counter].codes
        waiting = sorted(
            (m for m in self.model.values() if m.status == "waiting"),
            key=lambda m: (m.arrival, m.seq),
        )
        mine = [m for m in waiting if m.target == counter]
        if mine:
            return mine[0]
        pool = [m for m in waiting if m.target is None and m.category in codes]
        urgent = [m for m in pool if m.priority]
        if urgent:
            return urgent[0]
        for code in codes:
            for m in pool:
                if m.category == code:
                    return m
        return None

    # --- rules
    @rule(category=st.sampled_from("ABCD"), person=st.integers(0, len(PEOPLE) - 1))
    def issue(self, category: str, person: int) -> None:
        self._tick()
        who = None if category == "D" else person
        identity = (
            None if who is None else IdentityIn(id_number=PEOPLE[who], name="李四", source="card")
        )
        mine = [m for m in self.model.values() if who is not None and m.person == who]
        active_here = [
            m
            for m in mine
            if m.category == category and m.status in ("waiting", "called", "serving")
        ]
        try:
            out = tickets.issue(self.ctx, category, identity, "k1", "test")
        except DomainError as exc:
            assert exc.code == "person_daily_limit"
            assert len(mine) >= self.hall.rules.max_tickets_per_day and not active_here
            return
        if active_here:
            assert out.outcome == "existing" and out.number == active_here[0].number
            return
        if out.outcome == "reactivated":
            m = self.model[out.number]
            assert m.status == "no_show" and m.person == who
            m.status, m.counter, m.arrival = "waiting", None, self.clock.now
            self.order += 1
            m.seq = self.order
            return
        assert out.outcome == "new"
        assert out.number not in self.model, f"number {out.number} issued twice"
        assert len(mine) < self.hall.rules.max_tickets_per_day
        self.order += 1
        self.model[out.number] = Model(
            out.number,
            category,
            "waiting",
            self.clock.now,
            self.order,
            who is not None and who % 4 == 0,
            who,
        )

    @rule(counter=st.integers(1, 8))
    def call_next(self, counter: int) -> None:
        self._tick()
        if counter in self.paused:
            try:
                counters.call_next(self.ctx, counter, "test")
            except DomainError as exc:
                assert exc.code == "counter_not_open"
                return
            raise AssertionError("a paused counter called a ticket")
        current = self._current(counter)
        if current is not None:
            current.status = "done"
        expected = self._expected_next(counter)
        out = counters.call_next(self.ctx, counter, "test")
        assert out.finished == (current.number if current else None)
        if expected is None:
            assert out.ticket is None
            return
        got = out.ticket.number if out.ticket else None
        assert got == expected.number, f"counter {counter} called {got}, model: {expected.number}"

        expected.status, expected.counter, expected.target = "called", counter, None

    def _on_current(
        self, counter: int, action: Callable[..., object], allowed: tuple[str, ...]
    ) -> Model | None:
        self._tick()
        current = self._current(counter)
        try:
            action(self.ctx, counter, "test")
        except DomainError as exc:
            assert current is None or current.status not in allowed, exc
            return None
        assert current is not None and current.status in allowed
        return current

    @rule(counter=st.integers(1, 8))
    def recall(self, counter: int) -> None:
        self._on_current(counter, counters.recall, ("called",))

    @rule(counter=st.integers(1, 8))
    def skip(self, counter: int) -> None:
        m = self._on_current(counter, counters.skip, ("called",))
        if m:
            m.status, m.no_show_at = "no_show", self.clock.now

    @rule(counter=st.integers(1, 8))
    def start(self, counter: int) -> None:
        m = self._on_current(counter, counters.start, ("called",))
        if m:
            m.status = "serving"

    @rule(counter=st.integers(1, 8))
    def finish(self, counter: int) -> None:
        m = self._on_current(counter, counters.finish, ("called", "serving"))
        if m:
            m.status = "done"

    @rule(
        counter=st.integers(1, 8),
        category=st.sampled_from("ABCD"),
        to=st.sampled_from([None, 1, 6, 8]),
    )
    def transfer(self, counter: int, category: str, to: int | None) -> None:
        def move(ctx: ServiceContext, n: int, actor: str) -> object:
            return counters.transfer(ctx, n, category, to, actor)

        m = self._on_current(counter, move, ("called", "serving"))
        if m:
            m.status, m.category, m.counter, m.target = "waiting", category, None, to

    @precondition(lambda self: len(self.paused) < 7)
    @rule(counter=st.integers(1, 8))
    def pause(self, counter: int) -> None:
        self._tick()
        counters.pause(self.ctx, counter, "test")
        self.paused.add(counter)

    @rule(counter=st.integers(1, 8))
    def resume(self, counter: int) -> None:
        self._tick()
        counters.resume(self.ctx, counter, "test")
        self.paused.discard(counter)

    @rule(minutes=st.sampled_from([1, 31]))
    def wait(self, minutes: int) -> None:
        self.clock.advance(minutes * 60)

    # --- invariants
    @invariant()
    def store_matches_model(self) -> None:
        snap = queue.snapshot(self.ctx)
        waiting = {t.number for t in snap.waiting}
        assert waiting == {n for n, m in self.model.items() if m.status == "waiting"}, (
            "a ticket was lost"
        )
        at_counters = [c.current.number for c in snap.counters if c.current]
        assert len(at_counters) == len(set(at_counters)), "one ticket at two counters"
        for c in snap.counters:
            m = self._current(c.number)
            assert (c.current.number if c.current else None) == (m.number if m else None)
            assert c.status == ("paused" if c.number in self.paused else "open")

    @invariant()
    def every_ticket_has_its_status(self) -> None:
        for number, m in self.model.items():
            token_status = self._status(number)
            assert token_status == m.status, f"{number}: store {token_status}, model {m.status}"

    def _status(self, number: str) -> str:
        with self.ctx.unit(write=False) as uow:
            ticket = uow.repo.ticket_by_number(number, self.ctx.day(self.clock.now))
            assert ticket is not None, f"{number} vanished"
            return ticket.status.value
