"""The one interface every card reader implements."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self

from drivers.idcard.card import IdentityCard
from drivers.idcard.errors import NoCardError


class CardReader(ABC):
    """A card reader. Use one instance from one thread (the watcher's, or yours).

    A reader must leave a card alone once it has read it: the next read only
    succeeds after that card has left the field (SAM readers enforce this in
    the module; readers that sense presence let the watcher enforce it).
    """

    description: str = "card reader"

    @abstractmethod
    def open(self) -> None:
        """Open the device; raises :class:`~drivers.idcard.errors.ReaderError`."""

    @abstractmethod
    def close(self) -> None:
        """Release the device; safe to call twice."""

    @abstractmethod
    def read_once(self) -> IdentityCard | None:
        """Read the card in the field; None when there is no card to read."""

    def presence(self) -> bool | None:
        """Whether a card is in the field; None when this reader cannot tell.

        SAM readers cannot: after a read the module no longer finds the card
        even while it stays on the reader.
        """
        return None

    def holding(self) -> bool:
        """Whether the card read last still counts as in the field, for a reader
        that cannot sense presence but tracks stays (SAM modules)."""
        return False

    def read(self, timeout: float, poll_interval: float = 0.3) -> IdentityCard:
        """Poll until a card is read; :class:`NoCardError` after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            card = self.read_once()
            if card is not None:
                return card
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise NoCardError(
                    f"{timeout:g} 秒内未检测到身份证", f"no card was read within {timeout:g} s"
                )
            time.sleep(min(poll_interval, remaining))

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
