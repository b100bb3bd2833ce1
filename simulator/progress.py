"""Progress reporting shared by long work: ``progress(done, total)`` callbacks and a step counter.

The CLI turns a callback into a bar or, without a terminal, into a line every few seconds
(`simulator.cli`); work reports through the callback and never prints.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial

Progress = Callable[[int, int], None] | None


class Steps:
    """Counts finished steps of work and reports each as ``progress(done, total)``.

    ``total`` may be raised or lowered while the work runs (augmenting learns how many sessions it
    can generate only after fitting); a step past it is reported as done = total."""

    def __init__(self, total: int, progress: Progress = None) -> None:
        self.total = total
        self.done = 0
        self.progress = progress

    def __call__(self) -> None:
        self.at(self.done + 1)

    def at(self, done: int) -> None:
        """Report ``done`` steps finished (a part of the work that counts its own)."""
        self.done = done
        if self.progress:
            self.progress(min(done, self.total), self.total)

    def part(self, size: int) -> Progress:
        """A callback for a part of the work that reports its own (done, total): its fraction done is
        counted as that fraction of the next ``size`` steps."""
        return self.parts(size)[0]

    def parts(self, *sizes: int) -> list[Progress]:
        """Callbacks for parts of the work that may run side by side (another thread may report one): each
        part's fraction done counts as that fraction of its ``size`` steps, and the steps reported are what
        all parts have done together."""
        start, got, lock = self.done, [0] * len(sizes), threading.Lock()

        def report(i: int, done: int, total: int) -> None:
            with lock:
                got[i] = sizes[i] * done // total if total else 0
                self.at(start + sum(got))

        return [partial(report, i) for i in range(len(sizes))]

    def finish(self) -> None:
        """Report the work done (steps a short cut skipped included)."""
        self.at(self.total)
