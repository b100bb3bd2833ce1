"""simulator.chunks: an offline job's chunks made by worker processes come back in order, and what goes wrong in
a worker is one line."""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from simulator.chunks import chunks_in_order
from simulator.errors import HcisimError


@dataclass
class _Square:
    fail_at: int = -1
    die_at: int = -1

    def __call__(self, k: int, part: slice) -> tuple[int, int, int, int]:
        if k == self.fail_at:
            raise HcisimError(f"chunk {k}: bad input")
        if k == self.die_at:
            os._exit(3)  # as the OOM killer would end it
        return k, part.start, part.stop, os.getpid()


def test_chunks_come_back_in_order_from_several_processes():
    got = list(chunks_in_order(_Square(), 23, 2, workers=3))  # chunks of 2 items, the last one of 1
    assert [k for _, (k, *_) in got] == list(range(12))
    assert [(p.start, p.stop) for p, _ in got] == [(a, min(a + 2, 23)) for a in range(0, 23, 2)]
    assert all((p.start, p.stop) == (a, b) for p, (_, a, b, _) in got)  # each job was given its own part
    assert os.getpid() not in {r[-1] for _, r in got}  # made by the workers (which of them: theirs to race)
    assert {r[-1] for _, r in chunks_in_order(_Square(), 6, 2, workers=1)} == {os.getpid()}


def test_an_error_in_a_worker_is_the_job_s_own_line():
    with pytest.raises(HcisimError, match="chunk 4: bad input"):
        list(chunks_in_order(_Square(fail_at=4), 16, 2, workers=2))


def test_a_worker_that_dies_ends_the_job_in_one_line():
    with pytest.raises(HcisimError, match="a worker process died"):
        list(chunks_in_order(_Square(die_at=2), 12, 2, workers=2))


def test_fewer_than_one_worker_is_refused():
    with pytest.raises(HcisimError, match="--workers must be at least 1"):
        list(chunks_in_order(_Square(), 6, 2, workers=0))
