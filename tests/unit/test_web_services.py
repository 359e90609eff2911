"""The services behind the web consoles, on the in-memory store with a fake clock."""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

import pytest

from caller_server.domain.cases import working_days_between
from caller_server.domain.errors import DomainError, HallConfigError
from caller_server.domain.events import EventKind
from caller_server.domain.figures import day_figures
from caller_server.domain.hall import SAMPLE_HALL, load_hall
from caller_server.protocol import KioskHealthIn
from caller_server.services import (
    admin,
    auth,
    cases,
    console,
    counters,
    kiosks,
    supervision,
    tickets,
)
from caller_server.services.context import ServiceContext
from caller_server.web import halledit, session
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
    assert "long_pause" not in [a.kind for a in view.alerts]
    counters.pause(ctx, 4, "clerk:login:wu", "meeting")
    clock.advance(60 * 60)
    [late] = [a for a in supervision.supervision(ctx).alerts if a.kind == "long_pause"]
    assert late.message_zh == "4 号窗口已暂停 60 分钟"


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


def test_a_bad_review_opens_a_case_that_alerts_after_fifteen_working_days(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    out = tickets.issue(ctx, "D", None, "k", "t")
    counters.call_next(ctx, 7, "c")
    counters.finish(ctx, 7, "c")
    tickets.rate(ctx, out.token, 2, "citizen")
    [case] = cases.all_cases(ctx)
    assert (case.number, case.level, case.status) == (out.number, 2, "open")
    kinds = [a.kind for a in supervision.supervision(ctx).alerts]
    assert "bad_review" in kinds and "case_overdue" not in kinds
    clock.advance(21 * 86400)  # Friday + 21 days: 15 working days later, not yet over
    assert "case_overdue" not in [a.kind for a in supervision.supervision(ctx).alerts]
    clock.advance(86400 * 3)
    assert "case_overdue" in [a.kind for a in supervision.supervision(ctx).alerts]
    cases.update(ctx, case.id, "follow_up", "已回访", "manager:login:boss")
    cases.update(ctx, case.id, "fix", "已整改", "manager:login:boss")
    cases.close(ctx, case.id, "manager:login:boss")
    assert "case_overdue" not in [a.kind for a in supervision.supervision(ctx).alerts]
    assert cases.all_cases(ctx)[0].closed_by == "manager:login:boss"


def test_working_days_skip_weekends() -> None:
    friday = date(2026, 11, 27)
    assert working_days_between(friday, date(2026, 11, 30)) == 1  # Sat, Sun, Mon
    assert working_days_between(friday, friday + timedelta(days=21)) == 15


def test_admin_changes_are_audited_with_the_admin(ctx: ServiceContext, clock: FakeClock) -> None:
    admin.add_user(ctx, "li", auth.hash_password("li-pass-1"), "clerk", 3, "admin:login:root")
    token = auth.create_token(ctx, "clerk", 3, "login:li")
    admin.set_disabled(ctx, "li", True, "admin:login:root")
    assert _code(auth.authenticate, ctx, token) == "unauthorized"
    assert _code(auth.check_password, ctx, "li", "li-pass-1") == "unauthorized"
    admin.set_disabled(ctx, "li", False, "admin:login:root")
    assert auth.check_password(ctx, "li", "li-pass-1").credential.counter == 3
    listed = admin.tokens(ctx)
    assert [(k.label, k.revoked) for k in listed] == [("login:li", True)]
    with ctx.unit(write=False) as uow:
        events = uow.repo.events_of_day(ctx.day(clock()))
    assert [(e.kind, e.actor, e.data["what"]) for e in events] == [
        (EventKind.ADMIN, "admin:login:root", "user_added"),
        (EventKind.ADMIN, "admin:login:root", "user_disabled"),
        (EventKind.ADMIN, "admin:login:root", "user_enabled"),
    ]


def test_the_last_hall_edit_is_found_among_other_admin_events(ctx: ServiceContext) -> None:
    assert admin.last_hall_edit(ctx) is None
    data = halledit.read(SAMPLE_HALL)
    first, _ = halledit.set_counter(data, 7, "C, D")
    admin.hall_changed(ctx, "admin:root", "counter_categories", "7", "D", "C, D", first)
    second, _ = halledit.set_counter(first, 7, "D")
    admin.hall_changed(ctx, "admin:root", "counter_categories", "7", "C, D", "D", second)
    admin.add_user(ctx, "li", auth.hash_password("li-pass-1"), "clerk", 3, "admin:root")
    found = admin.last_hall_edit(ctx)  # the user added since is an admin event without a hall
    assert found is not None and found.data["hall"] == second and found.data["after"] == "D"


def test_hall_edits_are_validated_and_written_back(tmp_path: Path) -> None:
    data = halledit.read(SAMPLE_HALL)
    new, hall = halledit.set_counter(data, 3, "B:3, C:1")
    assert [(c.code, c.weight) for c in hall.counters[3].categories] == [("B", 3), ("C", 1)]
    with pytest.raises(HallConfigError):
        halledit.set_counter(data, 3, "B:3, C")  # weights for all or none
    with pytest.raises(HallConfigError):
        halledit.set_category(data, "A", "08:30-08:00", 100)
    new, hall = halledit.set_category(new, "A", "08:30-12:00, 13:30-17:00", 120)
    path = tmp_path / "hall.toml"
    path.write_text(halledit.dump(new), encoding="utf-8")
    again = load_hall(path)
    assert again == hall and again.categories["A"].daily_cap == 120
    assert again.categories["B"].matters == sample_hall().categories["B"].matters


def test_failing_writes_are_the_managers_first_alert(ctx: ServiceContext) -> None:
    assert not [a for a in supervision.supervision(ctx).alerts if a.kind == "writes_failing"]
    ctx.write_failure = "disk_full"
    first = supervision.supervision(ctx).alerts[0]
    assert first.kind == "writes_failing" and "磁盘空间不足" in first.message_zh
    ctx.write_failure = None
    assert not [a for a in supervision.supervision(ctx).alerts if a.kind == "writes_failing"]


def _health(printer: str = "ok", **flags: bool) -> KioskHealthIn:
    return KioskHealthIn(reader="ok", printer=printer, version="t", **flags)


def _printer_alerts(ctx: ServiceContext) -> list[supervision.ManagerAlert]:
    return [a for a in supervision.supervision(ctx).alerts if a.kind == "printer_fault"]


def test_a_printer_fault_alerts_until_fixed_and_comes_back_as_a_new_alert(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    kiosks.report(ctx, "k1", _health())
    kiosks.report(ctx, "k2", _health("unknown"))  # a write-only printer: nothing to say
    assert _printer_alerts(ctx) == []
    kiosks.report(ctx, "k1", _health("paper_near_end", paper_near_end=True))
    clock.advance(30)
    kiosks.report(ctx, "k1", _health("ok", paper_near_end=True))  # still near end: same alert
    clock.advance(90)
    (near,) = _printer_alerts(ctx)
    assert near.message_zh == "自助机 k1：打印纸将用完，请及时换纸"
    assert near.message_en == "kiosk k1: the paper roll is near its end"
    supervision.acknowledge(ctx, near.key, "manager:login:boss")
    assert near.key in supervision.supervision(ctx).acks
    kiosks.report(ctx, "k1", _health("paper_out"))  # worse: a new alert, not acknowledged
    (out,) = _printer_alerts(ctx)
    assert out.key != near.key and out.key not in supervision.supervision(ctx).acks
    assert "缺纸" in out.message_zh
    kiosks.report(ctx, "k1", _health())  # fixed: the alert is gone
    assert _printer_alerts(ctx) == []
    clock.advance(60)
    kiosks.report(ctx, "k1", _health("cover_open"))
    (cover,) = _printer_alerts(ctx)
    assert cover.key not in (near.key, out.key) and "盖" in cover.message_zh
    with ctx.unit(write=False) as uow:
        changes = [
            e.data["fault"]
            for e in uow.repo.events_since(0, 500)
            if e.kind is EventKind.ALERT and e.data.get("alert") == "printer_fault"
        ]
    assert changes == ["paper_near_end", "paper_out", "ok", "cover_open"]  # changes, not reports


def test_a_reader_fault_is_its_own_alert_beside_the_printers(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    def faults() -> dict[str, supervision.ManagerAlert]:
        return {
            a.kind: a
            for a in supervision.supervision(ctx).alerts
            if a.kind in ("printer_fault", "reader_fault")
        }

    kiosks.report(ctx, "k1", _health())
    kiosks.report(ctx, "k2", KioskHealthIn(reader="none", printer="ok", version="t"))
    assert faults() == {}  # a kiosk without a reader (no-ID categories only) is fine
    kiosks.report(ctx, "k1", KioskHealthIn(reader="fault", printer="ok", version="t"))
    clock.advance(120)
    kiosks.report(ctx, "k1", KioskHealthIn(reader="fault", printer="paper_out", version="t"))
    alerts = faults()
    assert set(alerts) == {"reader_fault", "printer_fault"}
    reader = alerts["reader_fault"]
    assert reader.message_zh.startswith("自助机 k1：读卡器故障")
    assert "card reader is faulty" in reader.message_en
    assert "k1" in reader.key and reader.key != alerts["printer_fault"].key
    # each keeps its own start: the reader failed two minutes before the paper ran out
    assert reader.key.endswith(f":{int((clock() - 120) * 1000)}")
    assert alerts["printer_fault"].key.endswith(f":{int(clock() * 1000)}")
    kiosks.report(ctx, "k1", KioskHealthIn(reader="ok", printer="paper_out", version="t"))
    assert set(faults()) == {"printer_fault"}  # the reader is back; the paper still out
    with ctx.unit(write=False) as uow:
        changes = [
            (e.data["alert"], e.data["fault"])
            for e in uow.repo.events_since(0, 500)
            if e.kind is EventKind.ALERT
        ]
    assert changes == [
        ("reader_fault", "fault"),
        ("printer_fault", "paper_out"),
        ("reader_fault", "ok"),
    ]


def test_a_silent_kiosk_is_an_offline_alert(ctx: ServiceContext, clock: FakeClock) -> None:
    kiosks.report(ctx, "k1", _health("paper_out"))
    clock.advance(kiosks.OFFLINE_AFTER + 1)
    (alert,) = [a for a in supervision.supervision(ctx).alerts if a.key.count(":k1:")]
    assert alert.kind == "device_offline" and "自助机 k1 已离线" in alert.message_zh


def test_a_kiosk_silent_since_yesterday_raises_nothing(
    ctx: ServiceContext, clock: FakeClock
) -> None:
    kiosks.report(ctx, "k1", _health("paper_out"))
    clock.advance(24 * 3600)  # switched off for the night, not on yet today
    assert not [a for a in supervision.supervision(ctx).alerts if ":k1:" in a.key]
    (listed,) = kiosks.list_kiosks(ctx)
    assert listed.id == "k1" and not listed.online  # still listed, as offline
