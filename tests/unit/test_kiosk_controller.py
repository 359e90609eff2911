"""The kiosk controller: taps and worker events in, view model and link commands out (no Qt)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from caller_server.domain.identity import check_character
from drivers.idcard import CardType, Source
from kiosk import events as ev
from kiosk.controller import Controller, ControllerConfig
from kiosk.identity import identity_of
from kiosk.view import Screen
from tests.kiosk_kit import RecordingLinks, citizen_card, snapshot, ticket_out

RAW = "110108199208210027"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(**config: object) -> tuple[Controller, RecordingLinks, Clock]:
    links, clock = RecordingLinks(), Clock()
    c = Controller(
        ControllerConfig(**config),  # type: ignore[arg-type]
        links,
        clock=clock,
        today=lambda: date(2026, 12, 1),
    )
    c.handle(ev.QueueSeen(snapshot(closed="C")))
    return c, links, clock


def test_card_then_category_issues_with_the_raw_identity_and_a_fresh_key() -> None:
    c, links, _ = make()
    c.handle(ev.CardRead(citizen_card()))
    assert c.view.screen is Screen.CATEGORIES
    assert c.view.masked_identity == "110108********0027 李*"
    assert [x.code for x in c.view.choosable()] == ["A", "B", "C", "D"]
    c.choose("C")  # closed: nothing happens
    assert links.issued == []
    c.choose("B")
    c.choose("B")  # a second tap while busy does not issue twice
    assert c.view.screen is Screen.BUSY
    [(key, category, identity)] = links.issued
    assert category == "B" and len(key) == 32
    assert identity is not None and identity.id_number == "110108199208210027"
    assert identity.name == "李娜" and identity.source == "card"
    c.handle(ev.Issued(key, ticket_out()))
    assert c.view.screen is Screen.TICKET and c.view.notes[0] == "printing"
    [job] = links.printed
    assert job.number == "B012" and job.masked_identity == "410105********0034 张*国"
    c.handle(ev.Printed("B012"))
    assert c.view.notes[0] == "taken_title"


def test_each_tap_has_its_own_key_and_stale_answers_are_ignored() -> None:
    c, links, _ = make()
    c.handle(ev.CardRead(citizen_card()))
    c.choose("B")
    first = links.issued[0][0]
    c.handle(ev.Issued("not-" + first, ticket_out()))
    assert c.view.screen is Screen.BUSY
    c.handle(ev.Issued(first, ticket_out()))
    c.handle(ev.CardRead(citizen_card()))
    c.choose("A")
    assert links.issued[1][0] != first


def test_single_category_kiosk_issues_on_the_tap_itself() -> None:
    c, links, _ = make(categories=("B",))
    c.handle(ev.CardRead(citizen_card()))
    assert c.view.screen is Screen.BUSY
    assert [category for _, category, _ in links.issued] == ["B"]


def test_expired_card_gets_a_message_and_issues_nothing() -> None:
    c, links, _ = make()
    c.handle(ev.CardRead(citizen_card("expired")))
    assert (c.view.screen, c.view.notes) == (Screen.MESSAGE, ["card_expired"])
    assert links.issued == [] and c.view.masked_identity == ""


def test_old_card_switches_on_elderly_mode_and_speaks_the_guidance() -> None:
    c, links, _ = make(elderly_age=60)
    c.handle(ev.CardRead(citizen_card("mainland-long-term")))  # born 1958
    assert c.view.elderly
    assert links.spoken == ["请选择您要办理的业务"]
    c.choose("B")
    c.handle(ev.Issued(links.issued[0][0], ticket_out(priority="elderly")))
    assert "priority_elderly" in c.view.notes
    assert links.spoken[-1] == "您的号码是 B012，前面还有 5 人，请取走您的号票"


def test_no_id_offers_only_categories_without_id() -> None:
    c, links, _ = make()
    assert c.view.no_id_possible()
    c.no_id()
    assert [x.code for x in c.view.choosable()] == ["D"]
    c.choose("B")
    assert links.issued == []
    c.choose("D")
    assert links.issued[0][1:] == ("D", None)


def test_reader_fault_is_reported_and_no_id_still_works() -> None:
    c, links, _ = make()
    c.handle(ev.ReaderDown("unplugged"))
    assert not c.view.reader_ok
    assert links.reports[-1]["reader"] == "fault"
    c.no_id()
    c.choose("D")
    assert links.issued


def test_over_limit_shows_the_existing_ticket_with_reprint() -> None:
    c, links, _ = make()
    c.handle(ev.CardRead(citizen_card()))
    c.choose("B")
    c.handle(ev.IssueRefused(links.issued[0][0], "person_daily_limit", ticket_out()))
    assert c.view.screen is Screen.TICKET and c.view.notes == ["over_limit"]
    assert c.view.can_reprint and links.printed == []
    c.reprint()
    assert [t.number for t in links.printed] == ["B012"] and not c.view.can_reprint


def test_repeated_tap_shows_existing_ticket_without_printing_until_asked() -> None:
    c, links, _ = make()
    c.handle(ev.CardRead(citizen_card()))
    c.choose("B")
    c.handle(ev.Issued(links.issued[0][0], ticket_out("existing")))
    assert c.view.notes == ["existing"] and c.view.can_reprint and links.printed == []


def test_category_at_cap_is_marked_full_for_the_rest_of_the_day() -> None:
    c, links, _ = make()
    c.handle(ev.CardRead(citizen_card()))
    c.choose("B")
    c.handle(ev.IssueRefused(links.issued[0][0], "category_at_cap"))
    assert c.view.notes == ["category_full"]
    c.handle(ev.QueueSeen(snapshot()))
    b = next(x for x in c.view.categories if x.code == "B")
    assert b.reason == "full"


def test_a_full_category_is_disabled_before_anyone_taps_it() -> None:
    c, links, _ = make()
    c.handle(ev.QueueSeen(snapshot(full="B")))
    c.handle(ev.CardRead(citizen_card()))
    reasons = {x.code: x.reason for x in c.view.choosable()}
    assert reasons == {"A": None, "B": "full", "C": None, "D": None}
    c.choose("B")
    assert links.issued == [] and c.view.screen is Screen.CATEGORIES


def test_the_wait_estimate_and_the_hall_name_follow_the_snapshot_and_the_language() -> None:
    c, _, _ = make()
    assert {x.code: x.eta_minutes for x in c.view.categories} == {"A": 6, "B": 10, "C": 14, "D": 18}
    names = {}
    for lang in ("zh-CN", "zh-TW", "en"):
        c.set_lang(lang)
        names[lang] = c.view.hall_name()
    assert names == {
        "zh-CN": "示例市政务服务中心",
        "zh-TW": "示例市政務服務中心",
        "en": "Sample City Government Service Center",
    }


def test_server_unreachable_never_invents_a_number() -> None:
    c, links, _ = make()
    c.handle(ev.CardRead(citizen_card()))
    c.choose("B")
    key = links.issued[0][0]
    c.handle(ev.IssueRetrying(key, 3))
    assert c.view.retry_attempt == 3
    c.handle(ev.IssueRefused(key, "network"))
    assert c.view.notes == ["server_down"] and c.view.ticket is None
    assert links.printed == []


def test_printer_fault_shows_the_ticket_pauses_printing_until_the_printer_is_fine() -> None:
    c, links, _ = make()
    c.handle(ev.CardRead(citizen_card()))
    c.choose("B")
    c.handle(ev.Issued(links.issued[0][0], ticket_out()))
    c.handle(ev.PrintFailed("B012", "paper_out"))
    assert c.view.notes[0] == "print_failed" and c.view.ticket is not None
    assert c.view.printing_paused
    assert links.reports[-1] == {
        "reader": "ok",
        "printer": "paper_out",
        "paper_near_end": False,
        "printing_paused": True,
    }
    c.home()
    c.handle(ev.CardRead(citizen_card()))
    c.choose("B")
    c.handle(ev.Issued(links.issued[1][0], ticket_out()))
    assert c.view.notes[0] == "printing_paused" and len(links.printed) == 1
    c.handle(ev.PrinterState("ok"))
    assert not c.view.printing_paused


def test_timeout_wipes_the_citizen_from_controller_and_view() -> None:
    c, links, clock = make()
    c.set_lang("en")
    c.handle(ev.CardRead(citizen_card()))
    c.choose("B")
    c.handle(ev.Issued(links.issued[0][0], ticket_out()))
    assert c.view.countdown == 20
    clock.now += 19
    c.tick()
    assert c.view.screen is Screen.TICKET and c.view.countdown == 1
    clock.now += 1
    c.tick()
    assert c.view.screen is Screen.ATTRACT and c.view.lang == "zh-CN"
    assert c.view.ticket is None and c.view.masked_identity == "" and not c.view.with_identity
    assert c._identity is None and c._printable is None


def test_elderly_countdown_is_spoken_and_one_tap_extends_it() -> None:
    c, links, clock = make()
    c.set_elderly(True)
    c.handle(ev.CardRead(citizen_card()))
    clock.now += 21
    c.tick()
    assert links.spoken[-1].startswith("还有 9 秒返回首页")
    c.extend()
    assert c.view.countdown == 30
    clock.now += 25
    c.tick()
    assert c.view.screen is Screen.CATEGORIES


def test_next_card_starts_over_at_once() -> None:
    c, links, _ = make()
    c.handle(ev.CardRead(citizen_card()))
    c.choose("B")
    c.handle(ev.Issued(links.issued[0][0], ticket_out()))
    c.handle(ev.CardRead(citizen_card("child")))
    assert c.view.screen is Screen.CATEGORIES and c.view.ticket is None
    assert c.view.masked_identity == "330106********0053 欧阳**"


def test_manual_entry_is_off_unless_the_hall_allows_it() -> None:
    c, _, _ = make()
    c.manual()
    assert c.view.screen is Screen.ATTRACT and not c.view.manual_entry


def test_keypad_gives_live_feedback_and_issues_a_manual_identity() -> None:
    c, links, _ = make(manual_entry=True)
    c.manual()
    assert c.view.screen is Screen.KEYPAD
    for char in "11010819920821002":
        c.key(char)
    assert (c.view.entry, c.view.entry_state) == ("11010819920821002", "short")
    c.key("8")  # wrong check digit (it is 7)
    assert c.view.entry_state == "invalid"
    c.confirm_entry()
    assert links.issued == [] and c.view.screen is Screen.KEYPAD
    c.key("⌫")
    c.key("7")
    assert c.view.entry_state == "valid"
    c.confirm_entry()
    assert c.view.screen is Screen.CATEGORIES and c.view.entry == ""
    assert c.view.masked_identity == "110108********0027"
    c.choose("B")
    identity = links.issued[0][2]
    assert identity is not None and (identity.id_number, identity.source, identity.name) == (
        RAW,
        "manual",
        None,
    )


def test_keypad_refuses_x_before_the_end_and_a_birth_date_in_the_future() -> None:
    c, _, _ = make(manual_entry=True)
    c.manual()
    c.key("X")
    assert c.view.entry_state == "invalid"
    c.key("⌫")
    body = "11010820300101001"  # born 2030
    for char in body:
        c.key(char)
    c.key(check_character(body))
    assert c.view.entry_state == "invalid"


def test_typed_digits_are_wiped_on_timeout() -> None:
    c, _, clock = make(manual_entry=True)
    c.manual()
    for char in "110108":
        c.key(char)
    clock.now += 31
    c.tick()
    assert c.view.screen is Screen.ATTRACT and c.view.entry == ""


def test_a_social_security_card_is_sent_as_ssc_with_its_id_number() -> None:
    card = replace(citizen_card(), source=Source.SSC, card_type=CardType.SOCIAL_SECURITY)
    identity = identity_of(card)
    assert (identity.source, identity.card_type, identity.id_number) == ("ssc", "mainland", RAW)
