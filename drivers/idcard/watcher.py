"""Runs a reader on its own thread and reports taps as events.

Events are plain objects given to a callback on the watcher's thread; a GUI
re-emits them on its own thread. The watcher

* reads a card once per tap: after a read (or a failed read) it reads again
  only once the field is clear. Readers that sense presence (PC/SC) are
  checked for presence; SAM modules only find a card again after it left;
* reports :class:`CardRemoved` when the field is clear after a tap. SAM
  readers cannot sense presence: for them the stay ends when the module has
  not found the card for two polls (see :mod:`drivers.idcard.sam_reader`);
  with modules that find a card only once per stay this comes two polls after
  the read and means "ready for the next tap";
* on a :class:`~drivers.idcard.errors.ReaderError` (unplugged, silent, SAM
  fault) closes the reader, reports the error once (not again for failed
  reopen attempts of the same kind) and reopens it every ``reopen_interval``
  seconds, reporting :class:`ReaderReady` when it works again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from drivers.idcard.card import IdentityCard
from drivers.idcard.errors import IdCardError, ReaderError
from drivers.idcard.reader import CardReader

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReaderReady:
    """The reader is open (first time or after a failure)."""


@dataclass(frozen=True)
class CardPresent:
    card: IdentityCard


@dataclass(frozen=True)
class CardRemoved:
    """The field is clear after a tap."""


@dataclass(frozen=True)
class ReaderErrorEvent:
    error: IdCardError


WatchEvent = ReaderReady | CardPresent | CardRemoved | ReaderErrorEvent


class CardWatcher:
    """Polls ``reader`` on a background thread and calls ``on_event`` for each event."""

    def __init__(
        self,
        reader: CardReader,
        on_event: Callable[[WatchEvent], None],
        *,
        poll_interval: float = 0.3,
        reopen_interval: float = 1.0,
    ) -> None:
        self.reader = reader
        self.poll_interval = poll_interval
        """Seconds between polls; vendor SDKs poll no faster than ~0.3 s."""
        self.reopen_interval = reopen_interval
        """Seconds between attempts to reopen a failed reader."""
        self._on_event = on_event
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._open = False
        self._tapped = False
        self._last_error: str | None = None

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the watcher is already running")
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name=f"idcard-watcher {self.reader.description}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop polling, wait for the thread and close the reader."""
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                logger.error("the watcher thread did not stop within %.1f s", timeout)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _emit(self, event: WatchEvent) -> None:
        try:
            self._on_event(event)
        except Exception:
            logger.exception("the card event handler failed on %s", type(event).__name__)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                wait = self.poll_interval if self._step() else self.reopen_interval
                self._stop.wait(wait)
        finally:
            self.reader.close()
            self._open = False

    def _step(self) -> bool:
        """One poll; False when the reader failed and must be reopened."""
        try:
            if not self._open:
                self.reader.open()
                self._open = True
                self._last_error = None
                self._emit(ReaderReady())
            self._poll()
        except ReaderError as exc:
            return self._reader_failed(exc)
        except IdCardError as exc:
            self._tapped = True
            self._report(exc)
        except Exception as exc:
            logger.exception("unexpected failure of card reader %s", self.reader.description)
            return self._reader_failed(
                ReaderError(message_en=f"unexpected failure: {type(exc).__name__}")
            )
        return True

    def _reader_failed(self, error: ReaderError) -> bool:
        self.reader.close()
        self._open = False
        self._report(error)
        return False

    def _report(self, error: IdCardError) -> None:
        if isinstance(error, ReaderError):
            key = type(error).__name__
            if key == self._last_error:
                logger.debug("card reader %s still failing", self.reader.description)
                return
            self._last_error = key
        logger.warning("card reader %s: %s", self.reader.description, error.message_en)
        self._emit(ReaderErrorEvent(error))

    def _poll(self) -> None:
        present = self.reader.presence()
        if self._tapped and present is not None:
            if not present:
                self._tapped = False
                self._emit(CardRemoved())
            return
        if present is False:
            return
        card = self.reader.read_once()
        if card is not None:
            self._tapped = True
            self._emit(CardPresent(card))
        elif self._tapped and not self.reader.holding():
            self._tapped = False
            self._emit(CardRemoved())
