"""The services behind the web consoles, on the in-memory store with a fake clock."""

from __future__ import annotations

import random

import pytest

from caller_server.domain.errors import DomainError
from caller_server.domain.events import EventKind
from caller_server.domain.figures import day_figures
from caller_server.services import console, counters, supervision, tickets
from caller_server.services.context import ServiceContext
from caller_server.web import session
from tests.serverkit import FakeClock, fake_context, identity, sample_hall


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ctx(clock: FakeClock) -> ServiceContext:
    return fake_context(sample_hall(), clock)


def _code(fn: object, *args: object) -> str:
    with pytest.raises(DomainError) as info:
        fn(*args)  # type: ignore[operator]
    return info.value.code


def test_special_call_takes_one_number_out_of_turn(ctx: ServiceContext, clock: FakeClock) -> None:
    rng = random.Random(3)
    numbers = [tickets.issue(ctx, "B", identity(rng), "k", "t").number for _ in range(3)]
    clock.advance(60)
    out = counters.call_number(ctx, 3, numbers[2], "clerk:login:li")
    assert out.ticket is not None and out.ticket.number == numbers[2] and out.rule == "special"
    assert "token" not in out.model_dump()["ticket"]
    assert _code(counters.call_number, ctx, 3, numbers[2], "x") == "illegal_transition"
    assert _code(counters.call_number, ctx, 3, "Z999", "x") == "not_callable"
    assert _code(counters.call_number, ctx, 7, numbers[0], "x") == "not_callable"  # 7 serves D
    assert counters.call_next(ctx, 3, "x").ticket.number == numbers[0]  # type: ignore[union-attr]


def test_guard_refuses_a_stale_screen(ctx: ServiceContext) -> None:
    rng = random.Random(4)
    for _ in range(2):
        tickets.issue(ctx, "A", identity(rng), "k", "t")
    first = counters.guarded(ctx, 1, "", counters.call_next, "c")
    assert first.ticket is not None
    assert _code(counters.guarded, ctx, 1, "", counters.call_next, "c") == "counter_state_changed"
    second = counters.guarded(ctx, 1, first.ticket.number, counters.call_next, "c")
    assert second.ticket is not None and second.ticket.number != first.ticket.number


def test_finish_records_outcome_and_a_known_matter_only(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    rng = random.Random(5)
    for _ in range(3):
        tickets.issue(ctx, "B", identity(rng), "k", "t")
    counters.call_next(ctx, 3, "clerk:login:li")
    assert _code(counters.finish, ctx, 3, "c", "done", "没有这个事项") == "unknown_matter"
    clock.advance(300)
    counters.finish(ctx, 3, "clerk:login:li", "back_office", "社保卡补办")
    counters.call_next(ctx, 3, "clerk:login:li")
    clock.advance(120)
    counters.finish(ctx, 3, "clerk:login:li", "needs_more", "医保关系转移")
    counters.call_next(ctx, 3, "clerk:login:li")
    counters.finish(ctx, 3, "clerk:login:li", "consult")
    with ctx.unit(write=False) as uow:
        events = uow.repo.events_of_day(ctx.day(clock()))
    done = [e for e in events if e.kind is EventKind.FINISHED]
    assert [e.data["outcome"] for e in done] == ["back_office", "needs_more", "consult"]
    assert done[0].data["matter"] == "社保卡补办" and done[0].data["once"] is True
    f = day_figures(events, ctx.hall.timezone)
    assert f.once_by_category["B"].counted == 2 and f.once_by_category["B"].settled == 1
    assert f.once_by_matter["B·社保卡补办"].rate == 1.0
    assert f.once_by_matter["B·医保关系转移"].rate == 0.0
    assert f.clerks["li"].served == 3
    assert f.clerks["li"].mean_service_minutes == pytest.approx((300 + 120 + 0) / 3 / 60, 0.01)


def test_console_look_ahead_follows_the_policy(ctx: ServiceContext, clock: FakeClock) -> None:
    rng = random.Random(6)
    young = tickets.issue(ctx, "B", identity(rng, 30), "k", "t").number
    clock.advance(30)
    old = tickets.issue(ctx, "B", identity(rng, 80), "k", "t").number
    view = console.console(ctx, 3)
    assert [q.number for q in view.next] == [old, young]
    assert view.next[0].reason_zh.startswith("绿色通道") and view.waiting == 2
    counters.call_next(ctx, 3, "c")
    after = console.console(ctx, 3)
    assert after.current is not None and after.current.number == old
    assert after.called_today == 1 and [q.number for q in after.next] == [young]


def test_pause_reason_and_alert_acknowledgement_are_audited(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    counters.pause(ctx, 4, "clerk:login:wu", "lunch")
    clock.advance(30 * 60)
    counters.resume(ctx, 4, "clerk:login:wu")
    supervision.acknowledge(ctx, "idle_counter::4", "manager:login:boss")
    view = supervision.supervision(ctx)
    assert view.counters[4].paused == 30
    assert view.acks["idle_counter::4"].by == "manager:login:boss"
    with ctx.unit(write=False) as uow:
        events = uow.repo.events_of_day(ctx.day(clock()))
    assert events[0].data == {"reason": "lunch"}
    assert day_figures(events, ctx.hall.timezone).clerks["wu"].paused_seconds == 30 * 60


def test_session_cookie_is_sealed_and_expires() -> None:
    secret = b"k" * 32
    value = session.seal(secret, "tok", 1_000_000)
    assert session.unseal(secret, value, 1_000_000 + session.LIFETIME - 1) == "tok"
    assert session.unseal(secret, value, 1_000_000 + session.LIFETIME + 1) is None
    assert session.unseal(b"x" * 32, value, 1_000_001) is None  # another hall's secret
    assert session.unseal(secret, value.replace("1000000", "1000001"), 1_000_001) is None
    assert session.csrf_ok(secret, "tok", session.csrf_token(secret, "tok"))
    assert not session.csrf_ok(secret, "tok", None)
    assert not session.csrf_ok(secret, "tok", session.csrf_token(secret, "other"))
