"""A user-identification model: which recorded person produced these items?

Used twice: utility (train on SYNTH, test on REAL, against train on REAL) and privacy
(re-identification: a model trained on the fitting data's people applied to SYNTH). A session is
attributed to the person with the highest summed log-probability over its items, which is how an
attacker holding a whole session would use the model. Classes are weighted to balance: summed over a
session's items, a prior favouring people with more recorded items would otherwise outvote the evidence
and pile every session onto them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

N_TREES = 200


@dataclass
class Identifier:
    classes: np.ndarray
    medians: np.ndarray
    model: object

    def proba(self, X: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(_impute(X, self.medians))

    def items(self, X: np.ndarray) -> np.ndarray:
        """The most likely person per item."""
        return self.classes[np.argmax(self.proba(X), axis=1)]

    def summed_logp(self, X: np.ndarray, group: np.ndarray, groups: int) -> np.ndarray:
        """(groups, people): each group's summed log-probabilities of its items; ``group`` in 0..groups-1 per item."""
        logp = np.log(self.proba(X) + 1e-6)
        total = np.zeros((groups, logp.shape[1]))
        np.add.at(total, group, logp)
        return total

    def sessions(self, X: np.ndarray, sessions: np.ndarray) -> dict[str, str]:
        """The most likely person per session (summed log-probabilities of its items)."""
        keys, inv = np.unique(sessions.astype(str), return_inverse=True)
        total = self.summed_logp(X, inv, len(keys))
        return dict(zip(keys.tolist(), self.classes[np.argmax(total, axis=1)].tolist()))


def _impute(X: np.ndarray, medians: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(X), X, medians[None, :])


def train_identifier(X: np.ndarray, person: np.ndarray, seed: int) -> Identifier:
    from sklearn.ensemble import RandomForestClassifier

    med = np.array([np.median(c[np.isfinite(c)]) if np.isfinite(c).any() else 0.0 for c in X.T])
    clf = RandomForestClassifier(n_estimators=N_TREES, min_samples_leaf=2, class_weight="balanced",
                                 random_state=seed, n_jobs=1)
    # fitted on integer codes: scikit-learn 1.9's class_weight="balanced" fails on labels that look like
    # numbers ("14"), which is what SapiMouse person ids are; proba columns follow the codes' order
    classes, codes = np.unique(person.astype(str), return_inverse=True)
    clf.fit(_impute(X, med), codes)
    return Identifier(classes, med, clf)


def session_accuracy(predicted: dict[str, str], sessions: np.ndarray, person: np.ndarray) -> float:
    """Share of sessions attributed to their own person."""
    truth = dict(zip(sessions.astype(str).tolist(), person.astype(str).tolist()))
    return float(np.mean([predicted[s] == truth[s] for s in predicted])) if predicted else float("nan")
