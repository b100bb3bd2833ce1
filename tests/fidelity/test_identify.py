"""The identification model of the fidelity report, grown a batch of trees at a time."""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import RandomForestClassifier

from simulator.fidelity import identify


def _people(rng: np.random.Generator, n: int = 300, people: int = 6) -> tuple[np.ndarray, np.ndarray]:
    person = rng.integers(0, people, n)
    X = rng.normal(size=(n, 5)) + person[:, None] * 0.4
    X[rng.random(X.shape) < 0.05] = np.nan  # missing features are imputed with the training medians
    return X, np.array([f"{p:02d}" for p in person])


def test_attribute_says_what_the_whole_forest_says_to_the_bit_with_a_batch_of_trees_held(monkeypatch):
    """A whole forest holds a probability per person in every node of its 200 trees: 2.8 GB for `hcisim
    fidelity` on 400 recorded people. `attribute` holds TREE_BATCH trees at a time and must not change a figure."""
    rng = np.random.default_rng(3)
    X, person = _people(rng)
    queries = [_people(rng, 80)[0], _people(rng, 50)[0]]
    whole = identify.train_identifier(X, person, seed=11)
    monkeypatch.setattr(identify, "TREE_BATCH", 7)  # 200 is no multiple of it: the last batch is smaller
    held: list[int] = []
    fit = RandomForestClassifier.fit

    def counting_fit(self, *args, **kwargs):
        out = fit(self, *args, **kwargs)
        held.append(sum(tree is not None for tree in self.estimators_))
        return out

    monkeypatch.setattr(RandomForestClassifier, "fit", counting_fit)
    got = identify.attribute(X, person, 11, queries)
    assert held and max(held) <= 7 and len(held) == -(-identify.N_TREES // 7)
    for q, a in zip(queries, got):
        assert np.array_equal(a.classes, whole.classes)
        assert np.array_equal(a.proba, whole.proba(q))  # the same trees, summed in the same order
        assert np.array_equal(a.items(), whole.attribute(q).items())
    sessions = np.repeat(np.arange(16), 5).astype(str)
    assert got[0].sessions(sessions) == whole.attribute(queries[0]).sessions(sessions)
    assert identify.attribute(X, person, 12, queries[:1])[0].proba.tolist() != got[0].proba.tolist()  # seeded
