"""Read a cursor on a thread of its own, a bounded distance ahead of its consumer.

While an export turns one batch of cases into rows, the next batch is already on
its way: the driver waits on the socket (and the server works) without holding the
GIL, so that wait overlaps the Python work instead of adding to it. The queue holds
at most `depth` chunks of `chunk` items, so memory stays bounded whatever the
number of cases.

Only the reading thread touches the cursor. Errors raised while reading reach the
consumer where the items would have; a consumer that stops early (an error of its
own, a closed generator) stops the reader and waits for it before returning.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

#: Items handed over together (one queue operation per chunk, not per item).
CHUNK = 50
#: Chunks waiting at most: with `CHUNK`, 200 cases read ahead (a few MiB).
DEPTH = 4
_POLL = 0.1  # seconds between the reader's checks that the consumer still wants items


class _End:
    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error


def read_ahead(items: Iterable[T], *, chunk: int = CHUNK, depth: int = DEPTH) -> Iterator[T]:
    """The items of `items`, in order, read by a background thread."""
    handed: queue.Queue[list[T] | _End] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: list[T] | _End) -> bool:
        while not stop.is_set():
            try:
                handed.put(item, timeout=_POLL)
                return True
            except queue.Full:
                continue
        return False

    def pump() -> None:
        end = _End()
        pending: list[T] = []
        try:
            for item in items:
                pending.append(item)
                if len(pending) >= chunk:
                    if not put(pending):
                        return
                    pending = []
        except BaseException as exc:  # noqa: BLE001  (handed to the consumer, raised there)
            end = _End(exc)
        finally:
            close = getattr(items, "close", None)
            if callable(close):
                try:
                    close()
                except Exception as exc:  # noqa: BLE001
                    end = end if end.error is not None else _End(exc)
        if pending and not put(pending):  # the items read before the end or the error
            return
        put(end)

    reader = threading.Thread(target=pump, name="export-read-ahead", daemon=True)
    reader.start()
    try:
        while True:
            got = handed.get()
            if isinstance(got, _End):
                if got.error is not None:
                    raise got.error
                return
            yield from got
    finally:
        stop.set()
        reader.join()
