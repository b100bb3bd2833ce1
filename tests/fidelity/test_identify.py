"""The identification model of the fidelity report and of augment's identity quota, held compact."""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import RandomForestClassifier

from simulator.fidelity import identify


def _people(rng: np.random.Generator, n: int = 300, people: int = 6) -> tuple[np.ndarray, np.ndarray]:
    person = rng.integers(0, people, n)
    X = rng.normal(size=(n, 5)) + person[:, None] * 0.4
    X[rng.random(X.shape) < 0.05] = np.nan  # missing features are imputed with the training medians
    return X, np.array([f"{p:02d}" for p in person])


def test_the_compact_forest_says_what_scikit_learn_s_whole_forest_says_to_the_bit(monkeypatch):
    """scikit-learn's forest holds a probability per person in every node of its 200 trees: 4.4 GB for 400
    people of 30 items, five of them kept by `augment --people new`. The identifier grows TREE_BATCH trees at a
    time and keeps their splits and their leaves' few non-zero probabilities; no figure may change."""
    rng = np.random.default_rng(3)
    X, person = _people(rng)
    queries = [_people(rng, 80)[0], _people(rng, 1)[0], _people(rng, 0)[0]]
    med = np.nanmedian(X, axis=0)
    codes = np.unique(person, return_inverse=True)[1]
    whole = RandomForestClassifier(n_estimators=identify.N_TREES, min_samples_leaf=2, class_weight="balanced",
                                   random_state=11, n_jobs=1).fit(np.where(np.isfinite(X), X, med), codes)
    monkeypatch.setattr(identify, "TREE_BATCH", 7)  # 200 is no multiple of it: the last batch is smaller
    monkeypatch.setattr(identify, "PAIRS_AT_ONCE", 1000)  # the items walked in several chunks
    held: list[int] = []
    fit = RandomForestClassifier.fit

    def counting_fit(self, *args, **kwargs):
        out = fit(self, *args, **kwargs)
        held.append(sum(tree is not None for tree in self.estimators_))
        return out

    monkeypatch.setattr(RandomForestClassifier, "fit", counting_fit)
    ident = identify.train_identifier(X, person, seed=11)
    assert max(held) <= 7 and len(held) == -(-identify.N_TREES // 7)
    assert ident.classes.tolist() == sorted(set(person))
    for q in queries:
        expected = whole.predict_proba(np.where(np.isfinite(q), q, med)) if len(q) else np.zeros((0, 6))
        assert np.array_equal(ident.proba(q), expected)  # the same trees, summed in the same order
    sessions = np.repeat(np.arange(16), 5).astype(str)
    a = ident.attribute(queries[0])
    assert a.sessions(sessions) and len(a.items()) == 80
    other = identify.train_identifier(X, person, seed=12)
    assert not np.array_equal(other.proba(queries[0]), a.proba)  # seeded
