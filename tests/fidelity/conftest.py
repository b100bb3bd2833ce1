"""Datasets with known answers, written once per test session, and their fidelity results (cached)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from simulator.fidelity import FidelityResult, evaluate
from .synth_data import Person, copy, population, write

K = 8


class Fixtures:
    """Lazily written datasets under one folder; ``result(synth, fitting)`` evaluates once per pair."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.people = population(K)

    def path(self, name: str) -> Path:
        p = self.root / name
        if p.exists():
            return p
        pop = self.people
        if name == "fit":  # what the generator was fitted on: two sessions per person
            return write(p, [(f"f{i}{ab}", who) for i, who in enumerate(pop) for ab in "ab"], seed=1)
        if name == "real":  # held out: another session of the same people
            return write(p, [(f"r{i}", who) for i, who in enumerate(pop)], seed=2)
        if name == "same":  # a faithful generator, as each person
            return write(p, [(f"s{i}{ab}", who) for i, who in enumerate(pop) for ab in "ab"], seed=3)
        if name == "new":  # a faithful generator of people nobody recorded (named apart)
            return write(p, [(f"n{i}{ab}", Person(f"new{i}{ab}", who.mover, who.typist))
                             for i, who in enumerate(pop) for ab in "ab"], seed=4)
        if name == "new_collapsed":  # "new" people who are all one recorded person
            one = pop[1]
            return write(p, [(f"c{i}", Person(f"new{i}", one.mover, one.typist)) for i in range(2 * K)], seed=5)
        if name == "one":  # one person, as often as the whole population
            return write(p, [(f"o{i}", pop[1]) for i in range(K)], seed=6)
        if name == "slow":  # everything three times slower: disjoint from real
            return write(p, [(f"x{i}", who) for i, who in enumerate(pop)], seed=7, time_scale=3.0)
        if name == "copy_real":
            return copy(self.path("real"), p)
        if name == "copy_fit":
            return copy(self.path("fit"), p)
        raise KeyError(name)

    @cache
    def result(self, synth: str, fitting: str | None = None) -> FidelityResult:
        return evaluate(self.path("real"), self.path(synth), fitting=self.path(fitting) if fitting else None, seed=0)


@pytest.fixture(scope="session")
def fx(tmp_path_factory) -> Fixtures:
    return Fixtures(tmp_path_factory.mktemp("fidelity"))
