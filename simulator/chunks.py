"""An offline job's chunks, computed in this process or on worker processes, yielded in order.

Why the bytes do not depend on the workers: each chunk draws from its own branch of the seed's RNG tree
(`simulator.rng.rng_for(seed, what, k)`), so what chunk ``k`` holds is fixed before any process touches it,
and the writer takes the results in chunk order. ``synth-moves``, ``synth-typing`` and ``augment`` (whose session k
draws from (seed, k) alone) use it for ``--workers``; the workers are the local engine's
(`simulator.engines.local`), as a run's are.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterator, TypeVar

from simulator.engines.local import LocalEngine, WorkerDied
from simulator.errors import HcisimError
from simulator.threads import numeric_worker

T = TypeVar("T")

_JOB: Callable[[int, slice], Any] | None = None


def _start(job: Callable[[int, slice], Any]) -> None:
    """A worker's set-up: the job (given once, not with every chunk), Ctrl-C left to the parent and one BLAS
    thread (`simulator.threads.numeric_worker`)."""
    global _JOB
    numeric_worker()
    _JOB = job


def _chunk(k: int, part: slice) -> Any:
    assert _JOB is not None
    return _JOB(k, part)


def chunks_in_order(job: Callable[[int, slice], T], n_items: int, size: int,
                    workers: int = 1) -> Iterator[tuple[slice, T]]:
    """``(part, job(k, part))`` for the chunks ``part`` = items ``k * size`` up to ``(k + 1) * size`` (the last one
    shorter) of ``n_items``, in order; with ``workers`` > 1 computed by that many processes (no more than there
    are chunks or cores: more only share the cores), each given the (picklable) job once. Leaving early (an
    error while writing, Ctrl-C) stops the workers and the chunks not yet made."""
    if workers < 1:
        raise HcisimError(f"--workers must be at least 1, not {workers}")
    parts = [slice(a, min(a + size, n_items)) for a in range(0, n_items, size)]
    if workers == 1 or len(parts) <= 1:
        yield from ((part, job(k, part)) for k, part in enumerate(parts))
        return
    engine = LocalEngine(min(workers, len(parts), os.cpu_count() or 1), initializer=_start, initargs=(job,))
    try:
        yield from zip(parts, engine.in_order(_chunk, enumerate(parts)))
    except WorkerDied:
        raise HcisimError("a worker process died (out of memory? try fewer --workers)") from None
    finally:
        engine.close()
