"""Reader specs: ``serial:PORT``, ``serial:auto``, ``pcsc[:NAME]``, ``sim[:FILE.json|crowd]``."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from drivers.idcard import CardReader
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


def open_reader(spec: str) -> tuple[CardReader, SimCards | None]:
    """The reader for ``spec``; the simulator's cards when it is ``sim``."""
    kind, _, target = spec.partition(":")
    if kind == "serial" and target:
        from drivers.idcard.serial_reader import SerialSettings, detect_sam_port, serial_reader

        port = detect_sam_port() if target == "auto" else target
        if port is None:
            raise ReaderUnavailableError(
                "所有串口均未找到身份证读卡模块", "no SAM module answered on any serial port"
            )
        return serial_reader(SerialSettings(port)), None
    if kind == "pcsc":
        from drivers.idcard.pcsc_reader import PcscReader

        return PcscReader(target or None), None
    if kind == "sim":
        from kiosk.crowd import crowd

        sam = SimulatedSam()
        people = crowd() if target == "crowd" else load_citizens(Path(target) if target else None)
        return sim_reader(sam), SimCards(sam, people)
    raise KioskConfigError(f"读卡器设置无效 / bad reader spec {spec!r}; examples: {SPEC_EXAMPLES}")
