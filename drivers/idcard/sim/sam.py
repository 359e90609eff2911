"""A simulated GA/T 467 SAM module with a card field and fault injection.

By default it finds a card only once per stay in the field, like most modules:
after a read the card must be removed and placed again. ``refinds=True`` is a
module that finds the card again on every find while it stays. ``read_delay``
holds the read answer back like a slow module. Faults are one-shot and are
consumed by the command they affect (OctoPrint's ``simulated_errors`` style).
"""

from __future__ import annotations

import enum
import logging
import threading
import time

from drivers.idcard.cardtext import build_appended_address
from drivers.idcard.errors import ChecksumError, FrameError
from drivers.idcard.frames import Command, FrameDecoder, Request, build_frame, build_response
from drivers.idcard.sam_reader import SamReader
from drivers.idcard.sim.citizens import Citizen

logger = logging.getLogger(__name__)

SAM_ID = bytes.fromhex("0501000000000000202400000000001f")
GARBAGE = b"\x00\xff\x13" + b"\xaa\xaa\xaa\x96\x69\xff\xff" + b"noise\xaa\xaa"
"""Line noise with a false preamble (impossible length) and a partial one."""


class Fault(enum.StrEnum):
    PULLED = "pulled"
    """The card leaves the field during the next read (status 41)."""
    CHECKSUM = "checksum"
    """The next read answer arrives with a wrong checksum."""
    TIMEOUT = "timeout"
    """The module does not answer the next read."""
    UNAUTHORIZED = "unauthorized"
    """The module answers the next find with 66, SAM not authorized."""
    GARBAGE = "garbage"
    """Line noise before the next answer (the driver must resynchronise)."""
    SILENT_FIND = "silent-find"
    """The module does not answer the next find."""
    SELECT_FAILED = "select-failed"
    """The next select answers 81, select failed."""
    MODULE_TIMEOUT = "module-timeout"
    """The next find answers the vendor timeout frame ``AA AA AA 96 69 00 05 05 05 05 …``."""


MODULE_TIMEOUT_FRAME = build_frame(b"\x05\x05\x05\x05")


class SimulatedSam:
    """Thread-safe: the test places cards while a server thread answers frames."""

    def __init__(self, *, refinds: bool = False, read_delay: float = 0.0) -> None:
        self.refinds = refinds
        """Find the card on every find while it stays (some modules do)."""
        self.read_delay = read_delay
        """Seconds the read answer is held back (a slow module)."""
        self._lock = threading.Lock()
        self._decoder = FrameDecoder()
        self._citizen: Citizen | None = None
        self._found = False
        self._selected = False
        self._halted = False
        self._faults: list[Fault] = []
        self.reads = 0
        """Successful read answers sent so far."""
        self.last_read_size = 0
        """Bytes of the last read answer frame."""

    def place(self, citizen: Citizen) -> None:
        """A card enters the field."""
        with self._lock:
            self._citizen = citizen
            self._found = self._selected = self._halted = False

    def remove(self) -> None:
        """The card leaves the field."""
        with self._lock:
            self._citizen = None
            self._found = self._selected = self._halted = False

    def inject(self, *faults: Fault) -> None:
        with self._lock:
            self._faults.extend(faults)

    @property
    def in_field(self) -> Citizen | None:
        return self._citizen

    @property
    def pending_faults(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def receive(self, data: bytes) -> bytes:
        """Feed request bytes; returns the answer bytes (empty when it stays silent)."""
        out = bytearray()
        delay = 0.0
        with self._lock:
            self._decoder.feed(data)
            while True:
                try:
                    body = self._decoder.next_body()
                except ChecksumError:
                    out += build_response(0x10)
                    continue
                if body is None:
                    break
                try:
                    request = Request.parse(body)
                except FrameError:
                    out += build_response(0x11)
                    continue
                if request.command() in (Command.READ, Command.READ_WITH_FINGERPRINT):
                    delay = self.read_delay
                out += self._answer(request)
        if out and delay:
            time.sleep(delay)
        return bytes(out)

    def _take(self, fault: Fault) -> bool:
        if fault in self._faults:
            self._faults.remove(fault)
            logger.info("simulated fault: %s", fault.value)
            return True
        return False

    def _answer(self, request: Request) -> bytes:
        command = request.command()
        if command is Command.FIND:
            answer = self._find()
        elif command is Command.SELECT:
            answer = self._select()
        elif command in (Command.READ, Command.READ_WITH_FINGERPRINT):
            answer = self._read(with_fingerprint=command is Command.READ_WITH_FINGERPRINT)
        elif command is Command.READ_NEW_ADDRESS:
            answer = self._new_address()
        elif command is Command.SAM_ID:
            answer = build_response(0x90, SAM_ID)
        elif command in (Command.STATUS, Command.RESET):
            self._found = self._selected = False
            answer = build_response(0x90)
        else:
            answer = build_response(0x21)
        if answer and self._take(Fault.GARBAGE):
            answer = GARBAGE + answer
        return answer

    def _find(self) -> bytes:
        if self._take(Fault.UNAUTHORIZED):
            return build_response(0x66)
        if self._take(Fault.SILENT_FIND):
            return b""
        if self._take(Fault.MODULE_TIMEOUT):
            return MODULE_TIMEOUT_FRAME
        if self._citizen is None or self._halted:
            return build_response(0x80)
        self._found = True
        return build_response(0x9F, bytes(4))

    def _select(self) -> bytes:
        if self._citizen is None or not self._found or self._take(Fault.SELECT_FAILED):
            return build_response(0x81)
        self._selected = True
        return build_response(0x90, self._citizen.card_serial())

    def _new_address(self) -> bytes:
        citizen = self._citizen
        if citizen is None:
            return build_response(0x41)
        if not citizen.appended_address:
            return build_response(0x91)
        return build_response(0x90, build_appended_address(citizen.appended_address))

    def _read(self, *, with_fingerprint: bool) -> bytes:
        citizen = self._citizen
        if citizen is None or not self._selected:
            return build_response(0x41)
        self._selected = False
        if self._take(Fault.PULLED):
            self._citizen = None
            return build_response(0x41)
        self._halted = not self.refinds
        if self._take(Fault.TIMEOUT):
            return b""
        parts = [citizen.text_block(), citizen.photo()]
        if with_fingerprint:
            parts.append(citizen.fingerprint())
        lengths = b"".join(len(part).to_bytes(2, "big") for part in parts)
        answer = build_response(0x90, lengths + b"".join(parts))
        self.last_read_size = len(answer)
        if self._take(Fault.CHECKSUM):
            return answer[:-1] + bytes([answer[-1] ^ 0x5A])
        self.reads += 1
        return answer


class LoopbackTransport:
    """Talks to a :class:`SimulatedSam` in-process, with no port at all."""

    def __init__(self, sam: SimulatedSam) -> None:
        self._sam = sam
        self._pending = bytearray()

    def write(self, data: bytes) -> None:
        self._pending += self._sam.receive(data)

    def read(self, size: int, timeout: float) -> bytes:
        if not self._pending:
            time.sleep(timeout)
            return b""
        chunk = bytes(self._pending[:size])
        del self._pending[:size]
        return chunk

    def discard_input(self) -> None:
        self._pending.clear()

    def close(self) -> None:
        self._pending.clear()


def sim_reader(sam: SimulatedSam, timeout: float = 1.0, read_timeout: float = 3.0) -> SamReader:
    """A SAM reader wired to ``sam`` in-process (no pyserial needed)."""
    return SamReader(
        lambda: LoopbackTransport(sam),
        timeout=timeout,
        read_timeout=read_timeout,
        description="simulator",
    )


class AutoTapper:
    """Taps each citizen's card on a :class:`SimulatedSam` in turn, forever (demo mode)."""

    def __init__(
        self, sam: SimulatedSam, citizens: list[Citizen], dwell: float = 1.5, gap: float = 1.5
    ) -> None:
        self.sam = sam
        self.citizens = citizens
        self.dwell = dwell
        """Seconds a card stays in the field."""
        self.gap = gap
        """Seconds between two cards."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="idcard-sim-taps", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        index = 0
        while not self._stop.is_set():
            self.sam.place(self.citizens[index % len(self.citizens)])
            if self._stop.wait(self.dwell):
                return
            self.sam.remove()
            index += 1
            self._stop.wait(self.gap)
