"""An offline job's chunks, computed in this process or in a pool of worker processes, yielded in order.

Why the bytes do not depend on the pool: each chunk draws from its own branch of the seed's RNG tree
(`simulator.rng.rng_for(seed, what, k)`), so what chunk ``k`` holds is fixed before any process touches it,
and the writer takes the results in chunk order. ``synth-moves`` and ``synth-typing`` use it for
``--workers``; ``run`` has its own pool (each worker holds a driver) and the sharded engine for offline runs.
"""

from __future__ import annotations

import os
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Iterator, TypeVar

from simulator.children import die_with_parent
from simulator.errors import HcisimError

T = TypeVar("T")

_JOB: Callable[[int, slice], Any] | None = None


def _start(job: Callable[[int, slice], Any]) -> None:
    """A worker's set-up: one BLAS thread. Each worker is one core's share; BLAS's own threads on top (the
    critic's matrix products) oversubscribed the machine: 10,000 pairs with two workers on two cores took
    10.9 s with them, 7.7 s without (14.0 s in one process)."""
    from threadpoolctl import threadpool_limits

    global _JOB
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it cancels what is left
    threadpool_limits(1)
    _JOB = job


def _chunk(k: int, part: slice) -> Any:
    assert _JOB is not None
    return _JOB(k, part)


def chunks_in_order(job: Callable[[int, slice], T], n_items: int, size: int,
                    workers: int = 1) -> Iterator[tuple[slice, T]]:
    """``(part, job(k, part))`` for the chunks ``part`` = items ``k * size`` up to ``(k + 1) * size`` (the last one
    shorter) of ``n_items``, in order; with ``workers`` > 1 computed by that many processes (no more than there
    are chunks or cores: more only share the cores), each given the (picklable) job once. Leaving early (an
    error while writing, Ctrl-C) cancels the chunks not yet begun."""
    if workers < 1:
        raise HcisimError(f"--workers must be at least 1, not {workers}")
    parts = [slice(a, min(a + size, n_items)) for a in range(0, n_items, size)]
    if workers == 1 or len(parts) <= 1:
        yield from ((part, job(k, part)) for k, part in enumerate(parts))
        return
    pool = ProcessPoolExecutor(max_workers=min(workers, len(parts), os.cpu_count() or 1), initializer=_start,
                               initargs=(job,))
    try:
        yield from zip(parts, pool.map(_chunk, range(len(parts)), parts))
    except BrokenProcessPool:
        raise HcisimError("a worker process died (out of memory? try fewer --workers)") from None
    finally:
        pool.shutdown(cancel_futures=True)
