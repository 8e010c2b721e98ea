"""The beat schedule run inside the web process, for the embedded store only.

The embedded store lives in the web process, so no worker or `mrvrs beat` can reach
it; without this the demo never sends a reminder, never escalates, never marks a
case overdue on anyone's screen. A daemon thread runs every sweep of the beat
schedule (`workflows.schedule`) once at start, then at its interval, calling each
task in-process (`Task.apply`), until it is told to stop or the process exits.
A sweep that fails is logged and tried again at its next turn: the sweeps are
idempotent, as under beat. Production runs `mrvrs beat` and workers instead.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

log = logging.getLogger("mrvrs.local_beat")


def due_sweeps(next_at: Mapping[str, float], now: float) -> list[str]:
    """The sweeps whose turn has come, in schedule order."""
    return [name for name, at in next_at.items() if at <= now]


def run_sweeps(celery: Any, schedule: Mapping[str, Mapping[str, Any]], stop: threading.Event,
               clock: Callable[[], float] = time.monotonic,
               wait: Callable[[float], object] | None = None) -> int:
    """Run the schedule's tasks until `stop` is set; returns how many runs were made."""
    celery.loader.import_default_modules()  # registers the tasks the schedule names
    wait = wait or stop.wait
    start = clock()
    next_at = {name: start for name in schedule}
    runs = 0
    while not stop.is_set():
        for name in due_sweeps(next_at, clock()):
            _run_one(celery, schedule[name]["task"])
            runs += 1
            next_at[name] = clock() + float(schedule[name]["schedule"])
        wait(max(0.0, min(next_at.values()) - clock()))
    return runs


def _run_one(celery: Any, task_name: str) -> None:
    try:
        celery.tasks[task_name].apply(throw=True)
    except Exception:  # one sweep failing must not stop the others
        log.exception("sweep %s failed; it runs again at its next turn", task_name)


def start_local_beat(celery: Any) -> threading.Event:
    """Start the sweeps in a daemon thread; the returned event stops it (set at exit)."""
    stop = threading.Event()
    thread = threading.Thread(target=run_sweeps, args=(celery, celery.conf.beat_schedule, stop),
                              name="mrvrs-local-beat", daemon=True)
    atexit.register(stop.set)
    thread.start()
    log.info("the periodic sweeps run inside this process (embedded store)")
    return stop
