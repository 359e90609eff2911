"""Reader specs: ``serial:PORT``, ``serial:auto``, ``pcsc[:NAME]``, ``sim[:FILE.json|crowd]``."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from drivers.idcard import CardReader, IdentityCard, ReaderError
from drivers.idcard.errors import ReaderUnavailableError
from drivers.idcard.sim.citizens import Citizen, load_citizens
from drivers.idcard.sim.sam import AutoTapper, SimulatedSam, sim_reader
from kiosk.config import KioskConfigError

SPEC_EXAMPLES = "serial:/dev/ttyUSB0, serial:auto, pcsc, pcsc:ACS, sim, sim:people.json, sim:crowd"


@dataclass
class SimCards:
    """The simulated reader's card field and its fake citizens (``--sim``, the demo)."""

    sam: SimulatedSam
    citizens: list[Citizen]
    dwell: float = 1.0
    """Seconds a tapped card stays on the reader."""

    def tap(self, citizen: Citizen) -> None:
        """Lay ``citizen``'s card on the reader and take it away after ``dwell`` seconds."""
        self.sam.place(citizen)
        timer = threading.Timer(self.dwell, self._lift, args=(citizen,))
        timer.daemon = True
        timer.start()

    def _lift(self, citizen: Citizen) -> None:
        if self.sam.in_field is citizen:
            self.sam.remove()

    def auto_tapper(self, gap: float) -> AutoTapper:
        return AutoTapper(self.sam, self.citizens, dwell=min(self.dwell, 0.5), gap=gap)


class AutoSerialReader(CardReader):
    """``serial:auto``: looks for the SAM module on every serial port each time it is opened,
    so a reader plugged in (or moved to another port) later is found by the watcher's retries."""

    description = "serial:auto"

    def __init__(self) -> None:
        self._reader: CardReader | None = None

    def open(self) -> None:
        from drivers.idcard.serial_reader import SerialSettings, detect_sam_port, serial_reader

        port = detect_sam_port()
        if port is None:
            raise ReaderUnavailableError(
                "所有串口均未找到身份证读卡模块", "no SAM module answered on any serial port"
            )
        reader = serial_reader(SerialSettings(port))
        reader.open()
        self._reader, self.description = reader, port

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def read_once(self) -> IdentityCard | None:
        if self._reader is None:
            raise ReaderUnavailableError(message_en="the reader is not open")
        return self._reader.read_once()


class BrokenReader(CardReader):
    """A reader that could not even be set up (library missing …): it fails every open, so
    the kiosk starts, shows 「读卡器故障」 and keeps serving categories without ID."""

    def __init__(self, error: ReaderError) -> None:
        self.error = error
        self.description = "reader"

    def open(self) -> None:
        raise self.error

    def close(self) -> None:
        pass

    def read_once(self) -> IdentityCard | None:
        raise self.error


def open_reader(spec: str) -> tuple[CardReader, SimCards | None]:
    """The reader for ``spec``; the simulator's cards when it is ``sim``."""
    kind, _, target = spec.partition(":")
    if kind == "serial" and target == "auto":
        return AutoSerialReader(), None
    if kind == "serial" and target:
        from drivers.idcard.serial_reader import SerialSettings, serial_reader

        return serial_reader(SerialSettings(target)), None
    if kind == "pcsc":
        from drivers.idcard.pcsc_reader import PcscReader

        return PcscReader(target or None), None
    if kind == "sim":
        from kiosk.crowd import crowd

        sam = SimulatedSam()
        people = crowd() if target == "crowd" else load_citizens(Path(target) if target else None)
        return sim_reader(sam), SimCards(sam, people)
    raise KioskConfigError(f"读卡器设置无效 / bad reader spec {spec!r}; examples: {SPEC_EXAMPLES}")
