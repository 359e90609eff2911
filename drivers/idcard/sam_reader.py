"""A GA/T 467 SAM reader over any byte transport (serial port, simulator loopback).

One read is find (20 01), select (20 02), read (30 01, or 30 10 with the
fingerprint when asked) and the latest appended address (30 03, 追加住址), so a
citizen who moved is reported at the new address. Fingerprint data is dropped
unless ``keep_fingerprint`` (then it stays on the card object, in memory only).

Modules as they are:

* timeouts: find, select and status answer within ``timeout`` (1 s); the read
  may take up to ``read_timeout`` (3 s) on slow modules;
* a find or select that fails (no answer, a garbled frame, the vendor timeout
  frame, select status 81) is retried ``retries`` (2) times silently before it
  becomes an error;
* one read per stay: some modules find a card only once per stay in the
  field, others find it again on every poll. The reader keeps the serial of
  the card it read (from the select answer) and does not read that card again
  until the module has not found it for ``STAY_MISSES`` (2) polls in a row,
  the way vendor code detects removal; a re-tap after that is a new read.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from drivers.idcard.card import IdentityCard
from drivers.idcard.cardtext import parse_appended_address, parse_text_block
from drivers.idcard.errors import FrameError, ReaderTimeoutError, ReaderUnavailableError
from drivers.idcard.frames import (
    Command,
    FrameDecoder,
    Response,
    build_request,
    split_read_payload,
)
from drivers.idcard.masking import sensitive_text
from drivers.idcard.reader import CardReader

logger = logging.getLogger(__name__)

NO_CARD = 0x80
NO_CONTENT = 0x91
UNKNOWN_COMMAND = 0x21
SELECT_FAILED = 0x81
STAY_MISSES = 2
"""Polls without finding the card that end its stay."""


class Transport(Protocol):
    """Bytes to and from a SAM module."""

    def write(self, data: bytes) -> None:
        """Send all bytes; raises ReaderUnavailableError when the device is gone."""

    def read(self, size: int, timeout: float) -> bytes:
        """Up to ``size`` bytes, waiting at most ``timeout`` seconds (may return fewer)."""

    def discard_input(self) -> None:
        """Drop bytes received but not read yet."""

    def close(self) -> None: ...


def transact(transport: Transport, command: Command, timeout: float, description: str) -> Response:
    """Send one command and wait for its answer (status not checked)."""
    transport.discard_input()
    transport.write(build_request(command))
    decoder = FrameDecoder()
    deadline = time.monotonic() + timeout
    while (body := decoder.next_body()) is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ReaderTimeoutError(
                message_en=f"{description} did not answer {command.name} within {timeout:g} s"
            )
        decoder.feed(transport.read(decoder.wanted(), remaining))
    if decoder.skipped:
        logger.debug("skipped %d garbage bytes before the %s answer", decoder.skipped, command)
    response = Response.parse(body)
    logger.debug(
        "%s -> status %02X, %d data bytes", command.name, response.status, len(response.data)
    )
    return response


class SamReader(CardReader):
    """Reads cards through a SAM module reached by ``connect()``.

    ``connect`` is called on every :meth:`open`, so a reader that was unplugged
    can be opened again once it is back.
    """

    def __init__(
        self,
        connect: Callable[[], Transport],
        *,
        timeout: float = 1.0,
        read_timeout: float = 3.0,
        retries: int = 2,
        with_fingerprint: bool = False,
        keep_fingerprint: bool = False,
        appended_address: bool = True,
        description: str = "SAM",
    ) -> None:
        self._connect = connect
        self._transport: Transport | None = None
        self.timeout = timeout
        """Seconds to wait for the answer to find, select and status."""
        self.read_timeout = read_timeout
        """Seconds to wait for the answer to the read command."""
        self.retries = retries
        """Silent retries of a failed find or select."""
        self.with_fingerprint = with_fingerprint
        """Read with 30 10 (text + photo + fingerprint) instead of 30 01."""
        self.keep_fingerprint = keep_fingerprint
        """Pass the fingerprint data on (in memory only); otherwise it is dropped."""
        self.appended_address = appended_address
        """Also read the latest appended address (30 03)."""
        self.description = description
        self._stay: bytes | None = None
        self._misses = 0

    def open(self) -> None:
        if self._transport is not None:
            return
        self._transport = self._connect()
        self._stay, self._misses = None, 0
        try:
            self.command(Command.STATUS).raise_for_status()
        except BaseException:
            self.close()
            raise
        logger.info("SAM reader %s ready", self.description)

    def close(self) -> None:
        transport, self._transport = self._transport, None
        if transport is not None:
            transport.close()

    def command(self, command: Command, timeout: float | None = None) -> Response:
        """Send one command and wait for its answer (status not checked)."""
        if self._transport is None:
            raise ReaderUnavailableError(message_en=f"{self.description} is not open")
        wait = self.timeout if timeout is None else timeout
        return transact(self._transport, command, wait, self.description)

    def _retried(self, command: Command) -> Response:
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.command(command)
            except (ReaderTimeoutError, FrameError) as exc:
                if attempt > self.retries:
                    raise
                logger.debug("%s failed (%s), retrying", command.name, exc.message_en)
                continue
            if response.status != SELECT_FAILED or attempt > self.retries:
                return response
            logger.debug("%s answered %02X, retrying", command.name, response.status)

    def holding(self) -> bool:
        return self._stay is not None

    def _not_found(self) -> None:
        if self._stay is None:
            return
        self._misses += 1
        if self._misses >= STAY_MISSES:
            logger.debug("the card left %s", self.description)
            self._stay = None

    def read_once(self) -> IdentityCard | None:
        found = self._retried(Command.FIND)
        if found.status == NO_CARD:
            self._not_found()
            return None
        found.raise_for_status()
        selected = self._retried(Command.SELECT)
        if selected.status == SELECT_FAILED and self._stay is not None:
            self._not_found()  # the card read in this stay is leaving: not a new failed tap
            return None
        serial = selected.raise_for_status().data
        self._misses = 0
        if serial == self._stay:
            return None
        self._stay = serial
        if self.with_fingerprint:
            answer = self.command(Command.READ_WITH_FINGERPRINT, self.read_timeout)
            text, photo, fingerprint = split_read_payload(answer.raise_for_status().data, 3)
            card = parse_text_block(text, photo)
            if self.keep_fingerprint:
                card = replace(card, fingerprint=fingerprint)
        else:
            answer = self.command(Command.READ, self.read_timeout).raise_for_status()
            text, photo = split_read_payload(answer.data)
            card = parse_text_block(text, photo)
        return self._with_appended_address(card) if self.appended_address else card

    def _with_appended_address(self, card: IdentityCard) -> IdentityCard:
        response = self.command(Command.READ_NEW_ADDRESS)
        if response.status in (NO_CONTENT, UNKNOWN_COMMAND):
            return card
        address = parse_appended_address(response.raise_for_status().data)
        return replace(card, appended_address=sensitive_text(address)) if address else card

    def sam_id(self) -> str:
        """The module's serial data, hex (for diagnostics)."""
        return self.command(Command.SAM_ID).raise_for_status().data.hex().upper()
