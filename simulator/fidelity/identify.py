"""A user-identification model: which recorded person produced these items?

Used twice: utility (train on SYNTH, test on REAL, against train on REAL) and privacy
(re-identification: a model trained on the fitting data's people applied to SYNTH). A session is
attributed to the person with the highest summed log-probability over its items, which is how an
attacker holding a whole session would use the model. Classes are weighted to balance: summed over a
session's items, a prior favouring people with more recorded items would otherwise outvote the evidence
and pile every session onto them.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

N_TREES = 200
TREE_BATCH = 20
"""Trees grown and applied at a time by `attribute`. Each node of a tree holds a probability per person, so a
whole forest's memory grows with the number of people: 2.8 GB peak for `hcisim fidelity` on 400 recorded
people when the forest was kept whole."""


@dataclass
class Attribution:
    """An identifier's answer for some items: ``proba`` (items, people), columns in the order of ``classes``."""

    classes: np.ndarray
    proba: np.ndarray

    def items(self) -> np.ndarray:
        """The most likely person per item."""
        return self.classes[np.argmax(self.proba, axis=1)]

    def summed_logp(self, group: np.ndarray, groups: int) -> np.ndarray:
        """(groups, people): each group's summed log-probabilities of its items; ``group`` in 0..groups-1 per item."""
        logp = np.log(self.proba + 1e-6)
        total = np.zeros((groups, logp.shape[1]))
        np.add.at(total, group, logp)
        return total

    def sessions(self, sessions: np.ndarray) -> dict[str, str]:
        """The most likely person per session (summed log-probabilities of its items)."""
        keys, inv = np.unique(sessions.astype(str), return_inverse=True)
        total = self.summed_logp(inv, len(keys))
        return dict(zip(keys.tolist(), self.classes[np.argmax(total, axis=1)].tolist()))


@dataclass
class Identifier:
    """A trained identifier kept for items not known yet (augment asks it about each new session's draws)."""

    classes: np.ndarray
    medians: np.ndarray
    model: object

    def proba(self, X: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(_impute(X, self.medians))

    def attribute(self, X: np.ndarray) -> Attribution:
        return Attribution(self.classes, self.proba(X))


def _impute(X: np.ndarray, medians: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(X), X, medians[None, :])


def _prepared(X: np.ndarray, person: np.ndarray, seed: int, n_trees: int):
    """The forest (not fitted), the training items imputed, their medians, the people and their integer codes."""
    from sklearn.ensemble import RandomForestClassifier

    med = np.array([np.median(c[np.isfinite(c)]) if np.isfinite(c).any() else 0.0 for c in X.T])
    clf = RandomForestClassifier(n_estimators=n_trees, min_samples_leaf=2, class_weight="balanced",
                                 random_state=seed, n_jobs=1)
    # fitted on integer codes: scikit-learn 1.9's class_weight="balanced" fails on labels that look like
    # numbers ("14"), which is what SapiMouse person ids are; proba columns follow the codes' order
    classes, codes = np.unique(person.astype(str), return_inverse=True)
    return clf, _impute(X, med), med, classes, codes


def train_identifier(X: np.ndarray, person: np.ndarray, seed: int) -> Identifier:
    clf, Xi, med, classes, codes = _prepared(X, person, seed, N_TREES)
    clf.fit(Xi, codes)
    return Identifier(classes, med, clf)


def attribute(X: np.ndarray, person: np.ndarray, seed: int, queries: Sequence[np.ndarray]) -> list[Attribution]:
    """What `train_identifier` (same data, same seed) says of each of ``queries``, to the bit, holding only
    `TREE_BATCH` trees at a time: they are grown with the forest's own seeds (scikit-learn's warm start),
    applied to the queries and freed, and the sum of their probabilities divided as the forest divides it."""
    clf, Xi, med, classes, codes = _prepared(X, person, seed, 0)
    clf.set_params(warm_start=True)
    # the trees see what the forest's predict_proba gives them: imputed, as float32
    Q = [np.ascontiguousarray(_impute(q, med), dtype=np.float32) for q in queries]
    sums = [np.zeros((len(q), len(classes))) for q in Q]
    grown = 0
    while grown < N_TREES:
        clf.set_params(n_estimators=min(grown + TREE_BATCH, N_TREES))
        with warnings.catch_warnings():  # "balanced" with warm start: a warning for data that changes; it does not
            warnings.filterwarnings("ignore", message="class_weight presets")
            clf.fit(Xi, codes)
        for k in range(grown, len(clf.estimators_)):
            for total, q in zip(sums, Q):
                total += clf.estimators_[k].predict_proba(q, check_input=False)
            clf.estimators_[k] = None  # a warm start counts the trees grown, it does not use them
        grown = len(clf.estimators_)
    for total in sums:
        total /= N_TREES
    return [Attribution(classes, total) for total in sums]


def session_accuracy(predicted: dict[str, str], sessions: np.ndarray, person: np.ndarray) -> float:
    """Share of sessions attributed to their own person."""
    truth = dict(zip(sessions.astype(str).tolist(), person.astype(str).tolist()))
    return float(np.mean([predicted[s] == truth[s] for s in predicted])) if predicted else float("nan")
