"""`fit_side_by_side`: two fits on two processes, their progress added up, the first refusal said and the other
fit given up."""

from __future__ import annotations

import os
import time
from functools import partial

import pytest

from simulator.augment.fit import FitFailed, Fitted, fit_side_by_side
from simulator.errors import HcisimError
from simulator.progress import Steps


def _job(kind: str, steps: int, fail_at: int | None = None, step_s: float = 0.0, progress=None) -> Fitted:
    """A stand-in fit (module level: it must reach the worker): reports ``steps`` steps, refuses at ``fail_at``,
    and returns the process it ran in."""
    for k in range(1, steps + 1):
        if k == fail_at:
            raise HcisimError(f"{kind} refused")
        time.sleep(step_s)
        progress(k, steps)
    return Fitted(kind, None, str(os.getpid()).encode())


def _run(jobs: dict, workers: int) -> tuple[dict[str, Fitted], list[int]]:
    seen: list[int] = []
    steps = Steps(20, lambda done, total: seen.append(done))
    parts = steps.parts(10, 10)
    return fit_side_by_side(jobs, dict(zip(jobs, parts)), workers), seen


@pytest.mark.parametrize("workers", [1, 2])
def test_the_first_fit_runs_on_a_worker_and_every_step_of_both_is_counted(workers):
    fitted, seen = _run({"mouse": partial(_job, "mouse", 10), "typing": partial(_job, "typing", 10)}, workers)
    here = str(os.getpid()).encode()
    assert fitted["typing"].data == here
    assert (fitted["mouse"].data != here) == (workers == 2)
    assert seen == sorted(seen) and sorted(set(seen)) == list(range(1, 21))  # the worker's steps came through


def test_a_refusal_on_the_worker_is_said_and_the_fit_here_given_up():
    t0 = time.monotonic()
    with pytest.raises(FitFailed) as e:  # here: 200 steps of 50 ms = 10 s, were it not given up
        _run({"mouse": partial(_job, "mouse", 10, fail_at=2), "typing": partial(_job, "typing", 200, step_s=0.05)}, 2)
    assert (e.value.kind, str(e.value)) == ("mouse", "mouse refused")
    assert time.monotonic() - t0 < 8


def test_a_refusal_here_is_said_at_once_and_the_worker_stopped():
    t0 = time.monotonic()
    with pytest.raises(FitFailed) as e:  # the worker: 200 steps of 50 ms
        _run({"mouse": partial(_job, "mouse", 200, step_s=0.05), "typing": partial(_job, "typing", 10, fail_at=3)}, 2)
    assert (e.value.kind, str(e.value)) == ("typing", "typing refused")
    assert time.monotonic() - t0 < 8


def test_both_refusing_says_the_first_as_one_after_the_other_would():
    with pytest.raises(FitFailed) as e:  # the worker refuses at once; here refuses after it has heard so
        _run({"mouse": partial(_job, "mouse", 10, fail_at=1),
              "typing": partial(_job, "typing", 100, fail_at=100, step_s=0.05)}, 2)
    assert e.value.kind == "mouse"
