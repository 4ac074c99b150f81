"""Writing one batch while the next is read and checked: SQLite does its work without Python's
global lock, so the two overlap on a second core. The order is kept — batches are written one at
a time, in the order given, in the caller's one transaction — and so is what goes wrong: the
first error of the writer is raised in the caller's thread, before any later error of the reader,
as when the batches were written in turn."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


def write_while_reading(batches: Iterable[T], write: Callable[[T], None]) -> None:
    """`write(batch)` for every batch, in order, in a second thread while the next batch is made.
    The writer's first error stops the writing and is raised here; an error of `batches` is
    raised once the batches made before it were written (or the writer's error, if one failed)."""
    handoff: queue.Queue[object] = queue.Queue(maxsize=1)
    failed: list[BaseException] = []
    stop = threading.Event()

    def run() -> None:
        while True:
            item = handoff.get()
            if item is _DONE:
                return
            if failed or stop.is_set():
                continue
            try:
                write(item)  # type: ignore[arg-type]  # every item but _DONE is a batch
            except BaseException as exc:
                failed.append(exc)

    thread = threading.Thread(target=run, name="registry-import-writer", daemon=True)
    thread.start()
    try:
        for batch in batches:
            if failed:
                break
            handoff.put(batch)
    except BaseException as exc:
        if not isinstance(exc, Exception):  # Ctrl-C: write nothing more, the caller rolls back
            stop.set()
        handoff.put(_DONE)
        thread.join()
        if failed and isinstance(exc, Exception):
            raise failed[0] from None
        raise
    handoff.put(_DONE)
    thread.join()
    if failed:
        raise failed[0]
