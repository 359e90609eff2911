"""The single writer thread of a server process, with group commit.

Every writing use case of the process runs here, one after another. Jobs that
queue up while a commit is on disk run together in one database transaction,
each inside its own savepoint, and are answered after that one commit: many
tickets per fsync, and a failing job rolls back alone.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from caller_server.store.engine import describe
from caller_server.store.sql import SqlUnitOfWork

log = logging.getLogger(__name__)

MAX_BATCH = 64
"""Most jobs sharing one commit."""

_Job = tuple[Callable[[], Any], "Future[Any]"]


class BatchWriter:
    def __init__(self, open_transaction: Callable[[], SqlUnitOfWork]) -> None:
        self._open = open_transaction
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._local = threading.local()
        self._after_commit: list[Callable[[], None]] = []
        self._thread = threading.Thread(target=self._run, name="yihao-writer", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[], Any]) -> Future[Any]:
        future: Future[Any] = Future()
        self._jobs.put((fn, future))
        return future

    def current_batch(self) -> SqlUnitOfWork | None:
        """The open batch transaction when called from a job on the writer thread."""
        batch: SqlUnitOfWork | None = getattr(self._local, "batch", None)
        return batch

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the current batch is durable (jobs call this)."""
        if callback not in self._after_commit:
            self._after_commit.append(callback)

    def close(self) -> None:
        self._jobs.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            first = self._jobs.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    job = self._jobs.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    self._jobs.put(None)
                    break
                batch.append(job)
            try:
                self._commit(batch)
            except BaseException as exc:  # the writer must outlive any job or callback
                log.error("writer batch failed: %s", type(exc).__name__)
                for _fn, future in batch:
                    if not future.done():
                        future.set_exception(exc)

    def _commit(self, batch: list[_Job]) -> None:
        results: list[tuple[Future[Any], Any, BaseException | None]] = []
        try:
            transaction = self._open()
        except Exception as exc:
            for _fn, future in batch:
                future.set_exception(exc)
            return
        self._local.batch = transaction
        try:
            for fn, future in batch:
                try:
                    results.append((future, fn(), None))
                except Exception as exc:  # the job's own savepoint is already rolled back
                    results.append((future, None, exc))
            transaction.commit()
        except Exception as exc:
            log.error("group commit of %d jobs failed: %s", len(batch), describe(exc))
            transaction.rollback()
            for _fn, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        finally:
            self._local.batch = None
        callbacks, self._after_commit = self._after_commit, []
        for future, value, error in results:
            if error is None:
                future.set_result(value)
            else:
                future.set_exception(error)
        for callback in callbacks:
            try:
                callback()
            except Exception as exc:  # the commit stands; a notification failed
                log.error("after-commit callback %r failed: %s", callback, describe(exc))
