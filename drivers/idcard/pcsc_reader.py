"""Card readers reached through PC/SC (pcscd / WinSCard) with pyscard.

What the reader can do with a card is decided by the first profile (see
:mod:`drivers.idcard.profile`) whose ATR pattern matches and that recognises
the card. The reader senses presence, so the watcher never reads a card twice
while it stays.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache

from drivers.idcard.card import IdentityCard
from drivers.idcard.errors import (
    CardRemovedError,
    IdCardError,
    MissingDependencyError,
    ReaderUnavailableError,
    ReadFailedError,
    UnsupportedCardError,
)
from drivers.idcard.profile import Profile, load_profiles, run_profile
from drivers.idcard.reader import CardReader

try:
    from smartcard import scard
except ImportError:  # reported by _require_pyscard()
    _PYSCARD = False
else:
    _PYSCARD = True

logger = logging.getLogger(__name__)


def _require_pyscard() -> None:
    if not _PYSCARD:
        raise MissingDependencyError("pyscard", "pcsc")


def _message(code: int) -> str:
    return f"{scard.SCardGetErrorMessage(code)} (0x{code & 0xFFFFFFFF:08X})"


@cache
def _gone_codes() -> frozenset[int]:
    return frozenset(
        {
            scard.SCARD_E_NO_SERVICE,
            scard.SCARD_E_SERVICE_STOPPED,
            scard.SCARD_E_NO_READERS_AVAILABLE,
            scard.SCARD_E_UNKNOWN_READER,
            scard.SCARD_E_READER_UNAVAILABLE,
            scard.SCARD_E_INVALID_HANDLE,
        }
    )


@cache
def _removed_codes() -> frozenset[int]:
    return frozenset(
        {
            scard.SCARD_W_REMOVED_CARD,
            scard.SCARD_E_NO_SMARTCARD,
            scard.SCARD_W_RESET_CARD,
            scard.SCARD_E_NOT_TRANSACTED,
            scard.SCARD_W_UNPOWERED_CARD,
        }
    )


def _check(code: int, action: str) -> None:
    if code == scard.SCARD_S_SUCCESS:
        return
    if code in _gone_codes():
        raise ReaderUnavailableError(message_en=f"PC/SC {action} failed: {_message(code)}")
    if code in _removed_codes():
        raise CardRemovedError()
    raise ReadFailedError(message_en=f"PC/SC {action} failed: {_message(code)}")


def list_pcsc_readers() -> list[str]:
    """Names of the PC/SC readers (empty when pcscd has none)."""
    _require_pyscard()
    code, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    _check(code, "connecting to the PC/SC service")
    try:
        code, readers = scard.SCardListReaders(context, [])
        if code == scard.SCARD_E_NO_READERS_AVAILABLE:
            return []
        _check(code, "listing readers")
        return list(readers)
    finally:
        scard.SCardReleaseContext(context)


class PcscReader(CardReader):
    """A PC/SC reader; ``reader`` is a name or part of one (default: the first reader)."""

    def __init__(
        self, reader: str | None = None, profiles: Sequence[Profile] | None = None
    ) -> None:
        _require_pyscard()
        self.wanted = reader
        self.profiles = list(profiles) if profiles is not None else load_profiles()
        self.description = reader or "PC/SC"
        self._context: int | None = None
        self._name = ""

    def open(self) -> None:
        if self._context is not None:
            return
        code, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        _check(code, "connecting to the PC/SC service")
        self._context = context
        try:
            code, readers = scard.SCardListReaders(context, [])
            _check(code, "listing readers")
            names = [name for name in readers if self.wanted is None or self.wanted in name]
            if not names:
                raise ReaderUnavailableError(message_en=f"no PC/SC reader matches {self.wanted!r}")
        except IdCardError:
            self.close()
            raise
        self._name = self.description = names[0]
        logger.info("PC/SC reader %s ready", self._name)

    def close(self) -> None:
        context, self._context = self._context, None
        if context is not None:
            scard.SCardReleaseContext(context)

    def _state(self) -> tuple[bool, bytes]:
        if self._context is None:
            raise ReaderUnavailableError(message_en=f"{self.description} is not open")
        code, states = scard.SCardGetStatusChange(
            self._context, 0, [(self._name, scard.SCARD_STATE_UNAWARE)]
        )
        _check(code, "reading the reader state")
        _, event, atr = states[0]
        if event & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE):
            raise ReaderUnavailableError(message_en=f"PC/SC reader {self._name} is gone")
        return bool(event & scard.SCARD_STATE_PRESENT), bytes(atr)

    def presence(self) -> bool:
        return self._state()[0]

    def read_once(self) -> IdentityCard | None:
        present, atr_bytes = self._state()
        if not present:
            return None
        atr = atr_bytes.hex(" ").upper()
        candidates = [profile for profile in self.profiles if profile.matches(atr_bytes)]
        if not candidates:
            raise UnsupportedCardError(message_en=f"no profile for a card with ATR {atr}")
        code, card, protocol = scard.SCardConnect(
            self._context,
            self._name,
            scard.SCARD_SHARE_SHARED,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1,
        )
        _check(code, "connecting to the card")

        def transmit(apdu: bytes) -> bytes:
            code, answer = scard.SCardTransmit(card, protocol, list(apdu))
            _check(code, "talking to the card")
            return bytes(answer)

        try:
            for profile in candidates:
                identity = run_profile(profile, transmit)
                if identity is not None:
                    logger.debug("card read with profile %s", profile.name)
                    return identity
        finally:
            scard.SCardDisconnect(card, scard.SCARD_LEAVE_CARD)
        raise UnsupportedCardError(message_en=f"no profile recognised the card (ATR {atr})")
