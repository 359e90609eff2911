"""Use cases on the fake store (the SQL store runs the same through the state machine)."""

from __future__ import annotations

import random
from datetime import date, datetime, time

import pytest
from argon2 import PasswordHasher

from caller_server.domain.errors import DomainError
from caller_server.domain.events import EventKind
from caller_server.domain.hall import parse_hall
from caller_server.protocol import BookingIn, IdentityIn
from caller_server.services import admin, appointments, auth, counters, manage, queue, tickets
from caller_server.services.context import ServiceContext
from tests.serverkit import SHANGHAI, FakeClock, fake_context, id_number, identity, sample_hall


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ctx(clock: FakeClock) -> ServiceContext:
    return fake_context(sample_hall(), clock)


def _code(fn: object, *args: object) -> str:
    with pytest.raises(DomainError) as err:
        fn(*args)  # type: ignore[operator]
    return err.value.code


def test_new_ticket_masks_identity_and_estimates(ctx: ServiceContext) -> None:
    rng = random.Random(1)
    first = tickets.issue(ctx, "B", identity(rng), "k1", "test")
    second = tickets.issue(
        ctx, "B", IdentityIn(id_number=id_number(rng, 40), name="欧阳娜娜"), "k1", "t"
    )
    assert (first.number, second.number) == ("B001", "B002")
    assert first.outcome == "new" and first.status == "waiting"
    assert first.identity is not None and first.identity.name == "张*丰"
    assert first.identity.id_number.startswith("410104") and "*" * 8 in first.identity.id_number
    assert second.identity is not None and second.identity.name == "欧阳**"
    assert (first.ahead, second.ahead) == (0, 1)
    # B is served by counters 1-5 and 8 (six open), 8 minutes each: one ahead is 2 minutes.
    assert second.eta_minutes == 2
    assert first.status_url == f"http://127.0.0.1:8600/t/{first.token}"


def test_repeated_tap_returns_the_same_ticket(ctx: ServiceContext) -> None:
    who = identity(random.Random(2))
    first = tickets.issue(ctx, "A", who, "k1", "test")
    again = tickets.issue(ctx, "A", who, "k2", "test")
    assert again.outcome == "existing" and again.number == first.number
    other = tickets.issue(ctx, "B", who, "k1", "test")
    assert other.outcome == "new"


def test_daily_limit_reports_the_latest_ticket(ctx: ServiceContext) -> None:
    who = identity(random.Random(3))
    for code in "ABCD":
        tickets.issue(ctx, code, who, "k", "t")
    counters.call_next(ctx, 7, "t")  # D001 called
    counters.finish(ctx, 7, "t")
    tickets.issue(ctx, "D", who, "k", "t")  # fifth ticket of the day
    counters.call_next(ctx, 7, "t")
    counters.finish(ctx, 7, "t")
    with pytest.raises(DomainError) as err:
        tickets.issue(ctx, "D", who, "k", "t")
    assert err.value.code == "person_daily_limit"
    assert err.value.message_zh == "今日取号次数已达上限"
    assert err.value.context["ticket"].number == "C001"  # the newest still active


def test_identity_errors(ctx: ServiceContext, clock: FakeClock) -> None:
    assert _code(tickets.issue, ctx, "C", None, "k", "t") == "identity_required"
    bad = IdentityIn(id_number="110105194912310021")
    assert _code(tickets.issue, ctx, "C", bad, "k", "t") == "invalid_id_number"
    expired = IdentityIn(id_number="11010519491231002X", valid_to=date(2026, 11, 26))
    assert _code(tickets.issue, ctx, "C", expired, "k", "t") == "card_expired"
    assert _code(tickets.issue, ctx, "Z", None, "k", "t") == "unknown_category"
    assert tickets.issue(ctx, "D", None, "k", "t").identity is None


def test_opening_hours_and_cap() -> None:
    hall = parse_hall(
        {
            "hall": {"id": "h", "name": "大厅"},
            "categories": [{"code": "A", "name": "甲", "hours": ["09:00-12:00"], "daily_cap": 2}],
            "counters": [{"number": 1, "categories": ["A"]}],
        }
    )
    clock = FakeClock(datetime(2026, 11, 27, 8, 59, tzinfo=SHANGHAI))
    ctx = fake_context(hall, clock)
    rng = random.Random(4)
    assert _code(tickets.issue, ctx, "A", identity(rng), "k", "t") == "category_closed"
    clock.advance(60)
    assert tickets.issue(ctx, "A", identity(rng), "k", "t").number == "A001"
    assert tickets.issue(ctx, "A", identity(rng), "k", "t").number == "A002"
    assert _code(tickets.issue, ctx, "A", identity(rng), "k", "t") == "category_at_cap"
    clock.now = datetime(2026, 11, 28, 9, 30, tzinfo=SHANGHAI).timestamp()
    assert tickets.issue(ctx, "A", identity(rng), "k", "t").number == "A001"  # new service day


def test_elderly_first_and_reactivation_window(ctx: ServiceContext, clock: FakeClock) -> None:
    rng = random.Random(5)
    young = tickets.issue(ctx, "C", identity(rng, 30), "k", "t")
    old_person = identity(rng, 82)
    old = tickets.issue(ctx, "C", old_person, "k", "t")
    assert old.priority == "elderly" and old.ahead == 0
    call = counters.call_next(ctx, 3, "t")
    assert call.ticket is not None and call.ticket.number == old.number
    assert call.reason_zh == "绿色通道：长者优先"
    counters.skip(ctx, 3, "t")
    clock.advance(29 * 60)
    back = tickets.issue(ctx, "C", old_person, "k", "t")
    assert back.outcome == "reactivated" and back.number == old.number
    assert back.ahead == 0  # priority again, and young is still waiting behind
    assert counters.call_next(ctx, 3, "t").ticket.number == old.number  # type: ignore[union-attr]
    counters.skip(ctx, 3, "t")
    clock.advance(31 * 60)
    late = tickets.issue(ctx, "C", old_person, "k", "t")
    assert late.outcome == "new" and late.number != old.number
    assert young.number == "C001"


def test_transfer_keeps_place_by_arrival(ctx: ServiceContext, clock: FakeClock) -> None:
    rng = random.Random(6)
    early = tickets.issue(ctx, "A", identity(rng), "k", "t")
    clock.advance(60)
    later = tickets.issue(ctx, "C", identity(rng), "k", "t")
    counters.call_next(ctx, 1, "t")
    moved = counters.transfer(ctx, 1, "C", None, "t")
    assert moved.ticket is not None and moved.ticket.category == "C"
    assert moved.ticket.number == early.number and moved.ticket.ahead == 0
    assert counters.call_next(ctx, 6, "t").ticket.number == early.number  # type: ignore[union-attr]
    assert counters.call_next(ctx, 6, "t").ticket.number == later.number  # type: ignore[union-attr]


def test_counter_actions_need_a_current_ticket_and_an_open_counter(ctx: ServiceContext) -> None:
    assert _code(counters.recall, ctx, 2, "t") == "no_current_ticket"
    assert _code(counters.call_next, ctx, 99, "t") == "unknown_counter"
    counters.pause(ctx, 2, "t")
    assert _code(counters.call_next, ctx, 2, "t") == "counter_not_open"
    assert queue.snapshot(ctx).counters[1].status == "paused"
    counters.resume(ctx, 2, "t")
    assert counters.call_next(ctx, 2, "t").ticket is None


def test_rating_once_after_service_and_bad_review_alert(ctx: ServiceContext) -> None:
    t = tickets.issue(ctx, "D", None, "k", "t")
    assert _code(tickets.rate, ctx, t.token, 5, "citizen") == "rating_not_allowed"
    counters.call_next(ctx, 7, "t")
    counters.finish(ctx, 7, "t")
    assert _code(tickets.rate, ctx, t.token, 6, "citizen") == "rating_not_allowed"
    tickets.rate(ctx, t.token, 1, "citizen")
    assert _code(tickets.rate, ctx, t.token, 5, "citizen") == "rating_not_allowed"
    with ctx.unit(write=False) as uow:
        kinds = [e.kind for e in uow.repo.events_since(0, 100)]
    assert kinds[-2:] == [EventKind.RATED, EventKind.ALERT]


def test_a_ticket_is_rated_on_its_service_day_only(ctx: ServiceContext, clock: FakeClock) -> None:
    t = tickets.issue(ctx, "D", None, "k", "t")
    counters.call_next(ctx, 7, "t")
    counters.finish(ctx, 7, "t")
    clock.advance(86400)
    assert _code(tickets.rate, ctx, t.token, 5, "citizen") == "rating_not_allowed"


def test_appointment_checks_in_as_priority_when_due(ctx: ServiceContext, clock: FakeClock) -> None:
    rng = random.Random(7)
    number = id_number(rng, 40)
    booked = appointments.book(
        ctx,
        BookingIn(
            identity=IdentityIn(id_number=number),
            category="B",
            day=date(2026, 11, 27),
            start="09:40",
            end="10:00",
        ),
        "manager",
    )
    assert booked.identity.id_number == number[:6] + "********" + number[-4:]
    walk_in = tickets.issue(ctx, "B", identity(rng), "k", "t")
    clock.advance(15 * 60)  # 09:15: 25 minutes early, inside the 30-minute window
    appt = tickets.issue(ctx, "B", IdentityIn(id_number=number), "k", "t")
    assert appt.priority == "appointment"
    assert counters.call_next(ctx, 1, "t").ticket.number == walk_in.number  # type: ignore[union-attr]
    counters.finish(ctx, 1, "t")
    clock.now = datetime(2026, 11, 27, 9, 40, tzinfo=SHANGHAI).timestamp()
    tickets.issue(ctx, "B", identity(rng), "k", "t")
    call = counters.call_next(ctx, 1, "t")
    assert call.ticket is not None and call.ticket.number == appt.number
    assert call.rule == "priority" and "预约" in (call.reason_zh or "")


def test_bookings_csv_names_the_bad_line(ctx: ServiceContext) -> None:
    good = id_number(random.Random(8), 50)
    text = (
        "id_number,category,date,start,end,reference\n"
        f"{good},A,2026-11-27,10:00,10:30,R1\n"
        "110105194912310021,A,2026-11-27,10:00,10:30,R2\n"
    )
    with pytest.raises(DomainError) as err:
        appointments.import_csv(ctx, text, "m")
    assert err.value.context["line"] == 3
    assert "line 3" in err.value.message_en
    rows = appointments.import_csv(ctx, "\ufeff" + text.rsplit("\n", 2)[0] + "\n", "m")
    assert [r.category for r in rows] == ["A"]
    assert time(10, 0) == datetime.fromtimestamp(rows[0].slot_start, SHANGHAI).time()


def test_tokens_and_users(ctx: ServiceContext) -> None:
    token = auth.create_token(ctx, "clerk", 3, "counter 3")
    assert auth.authenticate(ctx, token).counter == 3
    assert _code(auth.authenticate, ctx, token + "x") == "unauthorized"
    assert _code(auth.create_token, ctx, "clerk", None, "x") == "role_invalid"
    assert _code(auth.create_token, ctx, "kiosk", 3, "x") == "role_invalid"
    assert _code(auth.create_token, ctx, "clerk", 42, "x") == "role_invalid"
    auth.add_user(ctx, "wang", "correct horse", "manager", None)
    assert _code(auth.add_user, ctx, "wang", "another pass", "manager", None) == "role_invalid"
    assert _code(auth.check_password, ctx, "wang", "wrong password") == "unauthorized"
    assert _code(auth.check_password, ctx, "nobody", "correct horse") == "unauthorized"
    login = auth.check_password(ctx, "wang", "correct horse")
    assert login.rehashed is None  # made with today's parameters
    session = auth.login_token(ctx, login)
    assert login.credential.role == "manager"
    assert auth.authenticate(ctx, session).role == "manager"


def test_a_login_upgrades_a_hash_made_with_older_parameters(ctx: ServiceContext) -> None:
    old = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=1)  # before 2026-12
    admin.add_user(ctx, "wang", old.hash("correct horse"), "manager", None, "test")
    login = auth.check_password(ctx, "wang", "correct horse")
    assert login.rehashed is not None and "m=19456,t=2,p=1" in login.rehashed
    auth.login_token(ctx, login)
    with ctx.unit(write=False) as uow:
        stored = uow.repo.user("wang")
    assert stored is not None and stored.password_hash == login.rehashed
    assert auth.check_password(ctx, "wang", "correct horse").rehashed is None
    assert _code(auth.check_password, ctx, "wang", "wrong password") == "unauthorized"


def test_login_tokens_end_and_revoked_tokens_are_refused(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    auth.add_user(ctx, "wang", "correct horse", "manager", None)
    session = auth.login_token(ctx, auth.check_password(ctx, "wang", "correct horse"))
    device = auth.create_token(ctx, "kiosk", None, "kiosk 1")
    assert auth.authenticate(ctx, session).expires_at == clock.now + 12 * 3600
    clock.advance(12 * 3600 - 1)
    assert auth.authenticate(ctx, session).role == "manager"
    clock.advance(1)
    assert _code(auth.authenticate, ctx, session) == "unauthorized"
    assert auth.authenticate(ctx, device).expires_at is None  # kiosks do not log in daily
    auth.revoke(ctx, device, "test")
    assert _code(auth.authenticate, ctx, device) == "unauthorized"


def test_stats_are_replayed_from_events(ctx: ServiceContext, clock: FakeClock) -> None:
    a = tickets.issue(ctx, "D", None, "k", "t")
    tickets.issue(ctx, "D", None, "k", "t")
    clock.advance(120)
    counters.call_next(ctx, 7, "t")  # waited 2 minutes
    clock.advance(300)
    counters.call_next(ctx, 7, "t")  # finishes the first after 5 minutes, calls the second
    counters.skip(ctx, 7, "t")
    tickets.rate(ctx, a.token, 2, "citizen")
    rows = {(r["scope"], r["key"]): r for r in queue.stats_rows(ctx, ctx.day(clock.now))}
    hall = rows[("hall", "all")]
    assert (hall["issued"], hall["called"], hall["done"], hall["no_show"]) == (2, 2, 1, 1)
    assert hall["mean_service_minutes"] == 5.0
    assert hall["mean_wait_minutes"] == round((120 + 420) / 2 / 60, 2)
    assert (hall["bad_reviews"], hall["satisfaction_rate"]) == (1, 0.0)
    assert rows[("counter", "7")]["utilisation"] == 1.0
    csv_text = queue.stats_csv(ctx, ctx.day(clock.now))
    assert csv_text.splitlines()[0].startswith("scope,key,issued,called,done,no_show")


def test_live_alerts_for_long_waits_and_idle_counters() -> None:
    hall = parse_hall(
        {
            "hall": {"id": "h", "name": "大厅"},
            "rules": {"alert_wait_minutes": 30, "alert_idle_minutes": 10},
            "categories": [
                {"code": "A", "name": "甲", "hours": ["09:00-17:00"], "id_required": False}
            ],
            "counters": [{"number": 1, "categories": ["A"]}, {"number": 2, "categories": ["A"]}],
        }
    )
    clock = FakeClock(datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI))
    ctx = fake_context(hall, clock)
    first = tickets.issue(ctx, "A", None, "k", "t")
    tickets.issue(ctx, "A", None, "k", "t")
    clock.advance(5 * 60)
    assert queue.snapshot(ctx).alerts == []
    counters.call_next(ctx, 1, "t")  # counter 1 serves A001 from 09:05
    counters.pause(ctx, 2, "t")
    clock.advance(26 * 60)  # 09:31: A002 has waited 31 minutes; counter 2 is paused
    alerts = queue.snapshot(ctx).alerts
    assert [(a.kind, a.number, a.minutes) for a in alerts] == [("long_wait", "A002", 31)]
    assert alerts[0].message_zh == "A002 已等候 31 分钟"
    counters.resume(ctx, 2, "t")  # open since 09:00, never called: idle 31 minutes
    alerts = queue.snapshot(ctx).alerts
    assert [(a.kind, a.counter) for a in alerts] == [("long_wait", None), ("idle_counter", 2)]
    assert "2 号窗口已 31 分钟未叫号" in alerts[1].message_zh
    assert first.number == "A001"


def test_a_counter_is_idle_only_since_someone_waits_for_it() -> None:
    hall = parse_hall(
        {
            "hall": {"id": "h", "name": "大厅"},
            "rules": {"alert_wait_minutes": 30, "alert_idle_minutes": 10},
            "categories": [
                {"code": "A", "name": "甲", "hours": ["09:00-17:00"], "id_required": False}
            ],
            "counters": [{"number": 1, "categories": ["A"]}],
        }
    )
    clock = FakeClock(datetime(2026, 11, 27, 15, 0, tzinfo=SHANGHAI))  # open since 09:00
    ctx = fake_context(hall, clock)
    tickets.issue(ctx, "A", None, "k", "t")  # the first citizen of a quiet afternoon
    assert queue.snapshot(ctx).alerts == []
    clock.advance(11 * 60)
    [idle] = queue.snapshot(ctx).alerts
    assert (idle.kind, idle.counter, idle.minutes) == ("idle_counter", 1, 11)


def test_a_category_no_counter_serves_issues_nothing_and_shows_closed(clock: FakeClock) -> None:
    hall = parse_hall(
        {
            "hall": {"id": "h", "name": "厅"},
            "categories": [
                {"code": "A", "name": "甲", "id_required": False},
                {"code": "B", "name": "乙", "id_required": False},
            ],
            "counters": [{"number": 1, "categories": ["A"]}],
        }
    )
    ctx = fake_context(hall, clock)
    assert tickets.issue(ctx, "A", None, "k", "t").number == "A001"
    assert _code(tickets.issue, ctx, "B", None, "k", "t") == "category_closed"
    shown = {c.code: c.open for c in queue.snapshot(ctx).categories}
    assert shown == {"A": True, "B": False}


def test_manager_priority_lane_and_cancel_are_audited(ctx: ServiceContext) -> None:
    first = tickets.issue(ctx, "D", None, "k", "t")
    second = tickets.issue(ctx, "D", None, "k", "t")
    third = tickets.issue(ctx, "D", None, "k", "t")
    marked = manage.prioritize(ctx, third.number, "manager:wang")
    assert marked.priority == "staff" and not hasattr(marked, "token")
    manage.cancel(ctx, first.number, "manager:wang")
    call = counters.call_next(ctx, 7, "t")
    assert call.ticket is not None and call.ticket.number == third.number
    assert call.reason_zh is not None and "绿色通道" in call.reason_zh
    assert counters.call_next(ctx, 7, "t").ticket.number == second.number  # type: ignore[union-attr]
    assert _code(manage.prioritize, ctx, third.number, "m") == "illegal_transition"
    assert _code(manage.cancel, ctx, "D999", "m") == "ticket_not_found"
    with ctx.unit(write=False) as uow:
        audited = [(e.kind, e.number, e.actor) for e in uow.repo.events_since(0, 100)]
    assert (EventKind.PRIORITIZED, third.number, "manager:wang") in audited
    assert (EventKind.CANCELLED, first.number, "manager:wang") in audited


def test_snapshot_shows_cap_wait_estimate_and_the_clerk_at_each_counter(clock: FakeClock) -> None:
    hall = parse_hall(
        {
            "hall": {"id": "h", "name": "厅", "name_tw": "廳", "name_en": "Hall"},
            "categories": [
                {"code": "A", "name": "甲", "id_required": False, "daily_cap": 2},
                {"code": "B", "name": "乙", "id_required": False, "service_minutes": 6},
            ],
            "counters": [
                {"number": 1, "categories": ["A", "B"]},
                {"number": 2, "categories": ["B"]},
            ],
        }
    )
    ctx = fake_context(hall, clock)
    for code in "AABBBB":
        tickets.issue(ctx, code, None, "k", "kiosk:k")
    counters.call_next(ctx, 1, "clerk:login:wang")  # A001
    counters.call_next(ctx, 2, "clerk:counter-2")  # B001
    snap = queue.snapshot(ctx)
    assert (snap.hall, snap.hall_tw, snap.hall_en) == ("厅", "廳", "Hall")
    cats = {c.code: c for c in snap.categories}
    assert cats["A"].full and not cats["B"].full
    # Three B wait; two open counters serve B at 6 minutes each: ceil(3 * 6 / 2) = 9.
    assert (cats["B"].waiting, cats["B"].eta_minutes) == (3, 9)
    assert [c.clerk for c in snap.counters] == ["wang", "counter-2"]
    counters.call_next(ctx, 1, "kiosk:k")  # not a clerk: the clerk shown stays
    assert queue.snapshot(ctx).counters[0].clerk == "wang"
