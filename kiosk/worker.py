"""One worker thread per device: jobs run in order, off the GUI thread."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

Job = Callable[[], None]


class Worker:
    """Runs submitted jobs one after another, and ``idle`` every ``period`` seconds between them."""

    def __init__(self, name: str, idle: Job | None = None, period: float = 5.0) -> None:
        self.name = name
        self._idle = idle
        self.period = period
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._stopping = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def submit(self, job: Job) -> None:
        """Queue ``job``; never blocks."""
        self._jobs.put(job)

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        self._jobs.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("worker %s still busy after %.1f s (hung device?)", self.name, timeout)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def _run(self) -> None:
        due = time.monotonic()
        while True:
            if self._idle is not None and time.monotonic() >= due:
                self._safely(self._idle)
                due = time.monotonic() + self.period
            try:
                job = self._jobs.get(timeout=max(0.0, due - time.monotonic()))
            except queue.Empty:
                continue
            if job is None:
                return
            self._safely(job)

    def _safely(self, job: Job) -> None:
        if self._stopping.is_set():
            return
        try:
            job()
        except Exception:
            log.exception("worker %s: a job failed", self.name)
