"""A GA/T 467 SAM reader over any byte transport (serial port, simulator loopback).

One read is three commands: find (20 01), select (20 02), read (30 01). The
module finds a card only once per stay in the field, so a card that stays on
the reader is never read twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Protocol

from drivers.idcard.card import IdentityCard
from drivers.idcard.cardtext import parse_text_block
from drivers.idcard.errors import ReaderTimeoutError, ReaderUnavailableError
from drivers.idcard.frames import (
    Command,
    FrameDecoder,
    Response,
    build_request,
    split_read_payload,
)
from drivers.idcard.reader import CardReader

logger = logging.getLogger(__name__)

NO_CARD = 0x80


class Transport(Protocol):
    """Bytes to and from a SAM module."""

    def write(self, data: bytes) -> None:
        """Send all bytes; raises ReaderUnavailableError when the device is gone."""

    def read(self, size: int, timeout: float) -> bytes:
        """Up to ``size`` bytes, waiting at most ``timeout`` seconds (may return fewer)."""

    def discard_input(self) -> None:
        """Drop bytes received but not read yet."""

    def close(self) -> None: ...


class SamReader(CardReader):
    """Reads cards through a SAM module reached by ``connect()``.

    ``connect`` is called on every :meth:`open`, so a reader that was unplugged
    can be opened again once it is back.
    """

    def __init__(
        self, connect: Callable[[], Transport], *, timeout: float = 1.0, description: str = "SAM"
    ) -> None:
        self._connect = connect
        self._transport: Transport | None = None
        self.timeout = timeout
        """Seconds to wait for each answer of the module."""
        self.description = description

    def open(self) -> None:
        if self._transport is not None:
            return
        self._transport = self._connect()
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
        transport = self._transport
        if transport is None:
            raise ReaderUnavailableError(message_en=f"{self.description} is not open")
        transport.discard_input()
        transport.write(build_request(command))
        decoder = FrameDecoder()
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while (body := decoder.next_body()) is None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ReaderTimeoutError(
                    message_en=f"{self.description} did not answer {command.name} in time"
                )
            decoder.feed(transport.read(decoder.wanted(), remaining))
        if decoder.skipped:
            logger.debug("skipped %d garbage bytes before the %s answer", decoder.skipped, command)
        response = Response.parse(body)
        logger.debug(
            "%s -> status %02X, %d data bytes", command.name, response.status, len(response.data)
        )
        return response

    def read_once(self) -> IdentityCard | None:
        found = self.command(Command.FIND)
        if found.status == NO_CARD:
            return None
        found.raise_for_status()
        self.command(Command.SELECT).raise_for_status()
        answer = self.command(Command.READ).raise_for_status()
        text, photo = split_read_payload(answer.data)
        return parse_text_block(text, photo)

    def sam_id(self) -> str:
        """The module's serial data, hex (for diagnostics)."""
        return self.command(Command.SAM_ID).raise_for_status().data.hex().upper()
