"""One BLAS / OpenMP thread for numeric work: fitting, generating, judging.

Their spare threads spin-wait beside the work. On a loaded, shared machine (a CI job, the test suite's workers,
`--workers` processes) that made sklearn's gradient boosting 20-30x slower than one thread, and an augment of two
people 3 s or 13 s at random; idle, it doubled the CPU time for the same wall time. The numbers never depend on
the thread count, so every such stage runs on one thread and parallelism comes from processes.
"""

from __future__ import annotations

import importlib
import signal

from threadpoolctl import threadpool_limits


def one_thread() -> threadpool_limits:
    """Limit every BLAS and OpenMP library to one thread until the returned context ends (or for good, called
    outside a ``with``). sklearn is loaded first: a library loaded after the limit is not reached by it."""
    importlib.import_module("sklearn.ensemble")  # scipy's BLAS and sklearn's OpenMP runtime
    return threadpool_limits(limits=1)


def numeric_worker() -> None:
    """A worker process's set-up for numeric work (`simulator.chunks`, augment's side-by-side fit): Ctrl-C is the
    parent's to handle (it stops what is left), and one BLAS thread for good. Each worker is one core's share;
    BLAS's own threads on top (the critic's matrix products) oversubscribed the machine: 10,000 pairs with two
    workers on two cores took 10.9 s with them, 7.7 s without (14.0 s in one process)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threadpool_limits(1)
