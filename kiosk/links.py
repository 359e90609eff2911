"""The kiosk's links to the server, printer, card reader and speaker, each on its own thread.

Every link reports plain :mod:`kiosk.events` through ``post`` (called on the link's thread);
nothing here touches Qt. Calls from the GUI thread only queue work and return at once.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

from caller_server.client import ClientError, YihaoClient
from caller_server.protocol import IdentityIn, KioskHealthIn
from drivers.idcard import (
    CardPresent,
    CardReader,
    CardRemoved,
    CardWatcher,
    ReaderError,
    ReaderErrorEvent,
    ReaderReady,
    WatchEvent,
)
from drivers.idcard.errors import CardDataError, UnreadableCardError, UnsupportedCardError
from drivers.printer import PrinterError, PrinterStatus, PrinterStatusError, TicketPrinter
from drivers.printer.ticket import Ticket as PrintTicket
from drivers.voice import AudioSink, VoiceEngine, VoiceError, sentence_phrase
from kiosk import events as ev
from kiosk.worker import Worker

log = logging.getLogger(__name__)

Post = Callable[[ev.KioskEvent], None]
_INVALID_CARD = (CardDataError, UnsupportedCardError, UnreadableCardError)


def backoff(first: float = 0.5, factor: float = 2.0, most: float = 8.0) -> Iterator[float]:
    """0.5, 1, 2, 4, 8, 8 … seconds."""
    delay = first
    while True:
        yield delay
        delay = min(most, delay * factor)


class ServerLink:
    """Issues tickets (retries keep the tap's idempotency key), polls the queue, reports health."""

    def __init__(
        self,
        client: YihaoClient,
        kiosk_id: str,
        post: Post,
        version: str,
        *,
        poll: float = 5.0,
        report_every: float = 30.0,
        give_up: float = 30.0,
    ) -> None:
        self.client = client
        self.kiosk_id = kiosk_id
        self.post = post
        self.report_every = report_every
        self.give_up = give_up
        """Seconds of failed attempts after which a tap is answered 「暂时无法连接服务器」."""
        self._health = KioskHealthIn(reader="ok", printer="unknown", version=version)
        self._reported = 0.0
        self._stop = threading.Event()
        self.worker = Worker("kiosk-server")
        """Issues tickets: a tap never waits behind a poll or a report."""
        self.poller = Worker("kiosk-server-poll", self._idle, poll)
        """Polls the queue and sends the health reports."""

    def start(self) -> None:
        self.worker.start()
        self.poller.start()

    def stop(self) -> None:
        self._stop.set()
        self.worker.stop()
        self.poller.stop()
        self.client.close()

    def issue(self, request_id: str, category: str, identity: IdentityIn | None) -> None:
        self.worker.submit(lambda: self._issue(request_id, category, identity))

    def report(self, health: dict[str, object]) -> None:
        self._health = self._health.model_copy(update=health)
        self.poller.submit(self._send_health)

    def _issue(self, request_id: str, category: str, identity: IdentityIn | None) -> None:
        started = time.monotonic()
        for attempt, delay in enumerate(backoff(), start=1):
            try:
                ticket = self.client.issue(category, identity, self.kiosk_id, request_id)
            except ClientError as exc:
                retry = exc.status == 0 or exc.status >= 500
                if not retry or time.monotonic() - started + delay > self.give_up:
                    log.warning("issue %s refused: %s", category, exc)
                    code = "network" if retry else exc.code
                    self.post(ev.IssueRefused(request_id, code, exc.ticket))
                    return
                self.post(ev.IssueRetrying(request_id, attempt))
                if self._stop.wait(delay):
                    return
            else:
                self.post(ev.Issued(request_id, ticket))
                return

    def _idle(self) -> None:
        try:
            self.post(ev.QueueSeen(self.client.queue()))
        except ClientError as exc:
            log.warning("queue snapshot failed: %s", exc)
            self.post(ev.ServerLost())
        if time.monotonic() - self._reported >= self.report_every:
            self._send_health()

    def _send_health(self) -> None:
        self._reported = time.monotonic()
        try:
            self.client.report_kiosk(self.kiosk_id, self._health)
        except ClientError as exc:
            log.warning("health report failed: %s", exc)


class PrinterLink:
    """Prints tickets and checks the printer's status now and then."""

    def __init__(self, printer: TicketPrinter, post: Post, period: float = 10.0) -> None:
        self.printer = printer
        self.post = post
        self.worker = Worker("kiosk-printer", self._check, period)

    def start(self) -> None:
        self.worker.start()

    def stop(self) -> None:
        self.worker.stop()

    def print_ticket(self, ticket: PrintTicket) -> None:
        self.worker.submit(lambda: self._print(ticket))

    def _print(self, ticket: PrintTicket) -> None:
        try:
            result = self.printer.print_ticket(ticket)
        except PrinterStatusError as exc:
            self.post(ev.PrintFailed(ticket.number, exc.status.value))
        except PrinterError as exc:
            log.error("printing %s failed: %s", ticket.number, exc)
            self.post(ev.PrintFailed(ticket.number, PrinterStatus.OFFLINE.value))
        else:
            self.post(ev.Printed(ticket.number))
            if result.status is not None:
                self.post(ev.PrinterState(result.status.value))

    def _check(self) -> None:
        try:
            status = self.printer.status()
        except PrinterError as exc:
            log.warning("printer status failed: %s", exc)
            status = PrinterStatus.OFFLINE
        self.post(ev.PrinterState(status.value))


class ReaderLink:
    """The card watcher, its events translated for the kiosk."""

    def __init__(self, reader: CardReader, post: Post, poll: float = 0.3) -> None:
        self.post = post
        self.watcher = CardWatcher(reader, self._on_event, poll_interval=poll)

    def start(self) -> None:
        self.watcher.start()

    def stop(self) -> None:
        self.watcher.stop()

    def _on_event(self, event: WatchEvent) -> None:
        if isinstance(event, CardPresent):
            self.post(ev.CardRead(event.card))
        elif isinstance(event, CardRemoved):
            self.post(ev.CardGone())
        elif isinstance(event, ReaderReady):
            self.post(ev.ReaderUp())
        elif isinstance(event, ReaderErrorEvent):
            error = event.error
            if isinstance(error, ReaderError):
                self.post(ev.ReaderDown(error.message_en))
            else:
                reason = "card_invalid" if isinstance(error, _INVALID_CARD) else "card_pulled"
                self.post(ev.CardFailed(reason))


class VoiceLink:
    """Speaks guidance through ``drivers.voice`` on its own worker thread: one sentence at a
    time (the sink plays each to the end), and a newer sentence replaces one still waiting."""

    def __init__(self, engine: Callable[[str], VoiceEngine], sink: AudioSink) -> None:
        self._engine = engine
        self._engines: dict[str, VoiceEngine] = {}
        self.sink = sink
        self._latest = 0
        self.worker = Worker("kiosk-voice")

    def start(self) -> None:
        self.worker.start()

    def stop(self) -> None:
        self._latest += 1  # what is still queued is dropped
        self.worker.stop(timeout=30)  # a TTS engine must not outlive the process's Qt

    def speak(self, text: str, lang: str) -> None:
        self._latest += 1
        mine = self._latest
        self.worker.submit(lambda: self._speak(mine, text, lang))

    def _speak(self, mine: int, text: str, lang: str) -> None:
        if mine != self._latest:
            return
        try:
            if lang not in self._engines:
                self._engines[lang] = self._engine(lang)
            audio = self._engines[lang].synthesize(sentence_phrase(text, lang))
            if mine == self._latest:  # a newer screen spoke meanwhile: this one is stale
                self.sink.play(audio, "kiosk")
        except VoiceError as exc:
            log.warning("guidance not spoken: %s", exc)


class Silent:
    """No speaker configured."""

    def speak(self, text: str, lang: str) -> None:
        log.debug("(silent) %s: %s", lang, text)

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass
