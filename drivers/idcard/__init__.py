"""ID card readers: SAM frame codec, card text parser, serial / PC/SC / simulated readers.

A library on its own: it imports nothing else of yihao. The hardware libraries
(pyserial, pyscard) are needed only by the drivers that use them.
"""

from drivers.idcard.card import CardType, IdentityCard, Sex, Source
from drivers.idcard.errors import CardError, IdCardError, ReaderError
from drivers.idcard.reader import CardReader
from drivers.idcard.watcher import (
    CardPresent,
    CardRemoved,
    CardWatcher,
    ReaderErrorEvent,
    ReaderReady,
    WatchEvent,
)

__all__ = [
    "CardError",
    "CardPresent",
    "CardReader",
    "CardRemoved",
    "CardType",
    "CardWatcher",
    "IdCardError",
    "IdentityCard",
    "ReaderError",
    "ReaderErrorEvent",
    "ReaderReady",
    "Sex",
    "Source",
    "WatchEvent",
]
