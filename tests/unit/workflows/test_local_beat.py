"""The in-process sweep runner of the embedded store: every sweep at once, then at its
interval, a failing sweep logged and run again, stopped by its event."""

import threading

from workflows.local_beat import due_sweeps, run_sweeps


class FakeTask:
    def __init__(self, name, calls, fail=False):
        self.name, self.calls, self.fail = name, calls, fail

    def apply(self, throw=False):
        self.calls.append(self.name)
        if self.fail:
            raise RuntimeError("database away")


class FakeCelery:
    def __init__(self, names, failing=()):
        self.calls = []
        self.tasks = {n: FakeTask(n, self.calls, n in failing) for n in names}
        self.loader = type("Loader", (), {"import_default_modules": lambda self: None})()


def test_due_sweeps__only_those_whose_turn_came():
    assert due_sweeps({"a": 5.0, "b": 10.0, "c": 4.0}, 5.0) == ["a", "c"]


def test_run_sweeps__each_at_start_then_at_its_interval_until_stopped():
    schedule = {"fast": {"task": "t.fast", "schedule": 10.0},
                "slow": {"task": "t.slow", "schedule": 30.0}}
    celery, stop, now = FakeCelery(["t.fast", "t.slow"]), threading.Event(), [0.0]

    def wait(seconds):
        now[0] += seconds
        if now[0] >= 60:
            stop.set()

    runs = run_sweeps(celery, schedule, stop, clock=lambda: now[0], wait=wait)
    # t = 0, 10, 20, 30, 40, 50 for fast; 0 and 30 for slow; stopped at 60
    assert celery.calls.count("t.fast") == 6 and celery.calls.count("t.slow") == 2
    assert celery.calls[:2] == ["t.fast", "t.slow"] and runs == 8


def test_run_sweeps__a_failing_sweep_does_not_stop_the_others():
    schedule = {"a": {"task": "t.a", "schedule": 5.0}, "b": {"task": "t.b", "schedule": 5.0}}
    celery, stop, now = FakeCelery(["t.a", "t.b"], failing={"t.a"}), threading.Event(), [0.0]

    def wait(seconds):
        now[0] += seconds
        if now[0] >= 10:
            stop.set()

    run_sweeps(celery, schedule, stop, clock=lambda: now[0], wait=wait)
    assert celery.calls == ["t.a", "t.b", "t.a", "t.b"]
