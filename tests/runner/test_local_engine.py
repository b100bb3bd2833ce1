"""The local engine's workers are its own: it stops exactly them, at once, and says when one died."""

from __future__ import annotations

import multiprocessing
import os
import signal
import time

import pytest

from simulator.engines.local import LocalEngine, WorkerDied
from simulator.errors import HcisimError


def _square(x: int) -> int:
    return x * x


def _refuse(x: int) -> int:
    raise HcisimError(f"no {x}")


def _pid_then_sleep(path: str) -> None:
    with open(path, "w") as f:
        f.write(str(os.getpid()))
    time.sleep(60)


def _wait_for_pid(path) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return int(path.read_text())
        time.sleep(0.02)
    raise AssertionError("the task never started")


def test_answers_and_errors_come_back_by_task():
    engine = LocalEngine(2)
    try:
        tasks = [engine.submit(_square, k) for k in range(5)] + [engine.submit(_refuse, 7)]
        pending = list(tasks)
        while pending:
            pending = [t for t in pending if t not in engine.wait_any(pending)]
        assert [engine.result(t) for t in tasks[:5]] == [0, 1, 4, 9, 16]
        with pytest.raises(HcisimError, match="no 7"):
            engine.result(tasks[5])
    finally:
        engine.close()


def test_abort_stops_its_busy_workers_at_once_and_no_other_child(tmp_path):
    """abort() reached into concurrent.futures' private ``_processes``; stopping every child process instead would
    end what a library user started beside the run."""
    theirs = multiprocessing.get_context().Process(target=time.sleep, args=(60,))
    theirs.start()
    try:
        engine = LocalEngine(2)
        engine.submit(_pid_then_sleep, str(tmp_path / "pid"))
        worker = _wait_for_pid(tmp_path / "pid")
        started = time.monotonic()
        engine.abort()
        assert time.monotonic() - started < 5  # not the 60 s the task would take
        with pytest.raises(ProcessLookupError):
            os.kill(worker, 0)
        assert theirs.is_alive()
        assert not [p for p in multiprocessing.active_children() if p is not theirs]
        engine.close()  # after abort: nothing left to do, no error
    finally:
        theirs.terminate()
        theirs.join()


def test_a_worker_killed_mid_task_fails_that_task_as_died(tmp_path):
    engine = LocalEngine(1)
    try:
        task = engine.submit(_pid_then_sleep, str(tmp_path / "pid"))
        os.kill(_wait_for_pid(tmp_path / "pid"), signal.SIGKILL)
        assert engine.wait_any([task]) == {task}
        with pytest.raises(WorkerDied, match="killed by signal 9"):
            engine.result(task)
    finally:
        engine.close()


_STATE: dict = {}


def _remember(value: str) -> None:
    _STATE["given"] = value
    _STATE["inits"] = _STATE.get("inits", 0) + 1


def _with_state(k: int) -> tuple[int, str, int, int]:
    time.sleep(0.02 * (k % 3))  # later calls often finish first
    return k, _STATE["given"], _STATE["inits"], os.getpid()


def _no_browser(value: str) -> None:
    raise HcisimError(f"no browser for {value}")


def test_calls_come_back_in_their_order_each_worker_set_up_once_and_few_ahead():
    """What `run --workers` and the synth commands' --workers rely on: the calls' order whatever finished first,
    the worker's own state made once (a driver), and no more than two calls per worker submitted ahead."""
    engine = LocalEngine(2, initializer=_remember, initargs=("a job",))
    submitted = []
    real_submit = engine.submit
    engine.submit = lambda fn, *args: submitted.append(args) or real_submit(fn, *args)
    try:
        got = []
        for value in engine.in_order(_with_state, ((k,) for k in range(9))):
            got.append(value)
            assert len(submitted) - len(got) <= 4  # in flight or waiting: 2 per worker
        assert [k for k, *_ in got] == list(range(9))
        assert {(given, inits) for _, given, inits, _ in got} == {("a job", 1)}
        assert len({pid for *_, pid in got}) == 2 and os.getpid() not in {pid for *_, pid in got}
    finally:
        engine.close()


def test_a_worker_that_cannot_be_set_up_answers_every_call_with_why():
    engine = LocalEngine(2, initializer=_no_browser, initargs=("s00001",))
    try:
        with pytest.raises(HcisimError, match="no browser for s00001"):
            list(engine.in_order(_square, [(1,), (2,)]))
    finally:
        engine.close()
