"""Classifier two-sample test: can a discriminator tell REAL items from SYNTH items?

A gradient-boosting classifier is trained on features, with cross-validation *grouped* so all items
of one group (a person, else a session) are in the same fold: the classifier then has to tell real
from synthetic on people it never saw, instead of recognising a person or a task it memorised. ROC
AUC of the out-of-fold scores, 0.5 = indistinguishable, 1.0 = always caught; its confidence interval
comes from a bootstrap over sessions (items of a session are not independent, so a per-item
interval such as DeLong's would be too narrow).

`oof_scores` is the discriminator the realism benchmarks use too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

N_SPLITS = 5
MIN_PERSONS = 3
"""People a side needs for folds grouped by person. With two, each fold trains on one person and tests on
the other: their shares of real and synthetic items differ (an augmented Balabit pair: 748 real / 5,444
synthetic and 2,444 / 1,493), each fold's model learns its person's share as a prior, and the pooled
out-of-fold scores ranked backwards (AUC 0.29 where each fold alone scored 0.66 and 0.57; by session 0.66)."""
N_BOOT = 400


def oof_scores(X: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None, *, seed: int = 0,
               n_splits: int = N_SPLITS, learning_rate: float = 0.1, max_iter: int = 200) -> np.ndarray:
    """Out-of-fold P(y = 1) of a gradient-boosting classifier.

    ``groups=None``: stratified k-fold over items; else stratified group k-fold (a group never
    straddles folds). NaN features are allowed (the trees route them).
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
    from simulator.threads import one_thread

    with one_thread():
        return _oof(X, y, groups, seed, n_splits, learning_rate, max_iter, HistGradientBoostingClassifier,
                    StratifiedGroupKFold, StratifiedKFold)


def _oof(X, y, groups, seed, n_splits, learning_rate, max_iter, HistGradientBoostingClassifier,
         StratifiedGroupKFold, StratifiedKFold) -> np.ndarray:
    p = np.zeros(len(y))
    if groups is None:
        splits = StratifiedKFold(n_splits, shuffle=True, random_state=seed).split(X, y)
    else:
        splits = StratifiedGroupKFold(n_splits, shuffle=True, random_state=seed).split(X, y, groups)
    for tr, te in splits:
        clf = HistGradientBoostingClassifier(max_iter=max_iter, learning_rate=learning_rate, random_state=seed)
        clf.fit(X[tr], y[tr])
        p[te] = clf.predict_proba(X[te])[:, 1]
    return p


def equal_error_rate(y: np.ndarray, p: np.ndarray) -> float:
    from sklearn.metrics import roc_curve

    fpr, tpr, _ = roc_curve(y, p)
    i = np.argmin(np.abs(fpr - (1 - tpr)))
    return float((fpr[i] + 1 - tpr[i]) / 2)


def fast_auc(y: np.ndarray, p: np.ndarray) -> float:
    """ROC AUC by the rank-sum (Mann-Whitney) formula, ties counted half; NaN without both classes."""
    from scipy.stats import rankdata

    n1 = int(y.sum())
    n0 = len(y) - n1
    if n1 == 0 or n0 == 0:
        return float("nan")
    r = rankdata(p)
    return float((r[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


@dataclass
class C2ST:
    """Result of the two-sample test. ``y``/``p`` (labels: 1 = SYNTH, out-of-fold scores) are kept for
    the report's ROC curve and left out of the JSON."""

    auc: float
    ci_low: float
    ci_high: float
    eer: float
    n_real: int
    n_synth: int
    folds: int
    grouped_by: str
    y: np.ndarray = field(repr=False)
    p: np.ndarray = field(repr=False)

    def summary(self) -> dict:
        return {"auc": self.auc, "auc_ci_low": self.ci_low, "auc_ci_high": self.ci_high, "eer": self.eer,
                "n_real": self.n_real, "n_synth": self.n_synth, "folds": self.folds, "grouped_by": self.grouped_by}


def session_bootstrap_ci(y: np.ndarray, p: np.ndarray, units: np.ndarray, rng: np.random.Generator,
                         n_boot: int = N_BOOT, level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of the AUC, resampling whole units (sessions) with replacement per class."""
    codes = np.unique(units.astype(str), return_inverse=True)[1]
    members = [np.flatnonzero(codes == c) for c in range(codes.max() + 1)]
    by_class = [[m for m in members if y[m[0]] == k] for k in (0, 1)]
    if min(len(b) for b in by_class) < 2:
        return float("nan"), float("nan")
    aucs = np.empty(n_boot)
    for b in range(n_boot):
        idx = np.concatenate([np.concatenate([grp[i] for i in rng.integers(len(grp), size=len(grp))])
                              for grp in by_class])
        aucs[b] = fast_auc(y[idx], p[idx])
    a = (1 - level) / 2
    return float(np.nanquantile(aucs, a)), float(np.nanquantile(aucs, 1 - a))


def two_sample_test(X_real: np.ndarray, X_synth: np.ndarray, *, groups_real: np.ndarray,
                    groups_synth: np.ndarray, sessions_real: np.ndarray, sessions_synth: np.ndarray,
                    rng: np.random.Generator) -> C2ST:
    """Discriminate REAL (label 0) from SYNTH (label 1), folds grouped by ``groups_*`` (a person id
    shared by a real and a synthetic item puts both in the same fold)."""
    X = np.vstack([X_real, X_synth])
    X = X[:, np.isfinite(X).any(axis=0)]  # a feature undefined everywhere (no Shift typed) says nothing
    y = np.r_[np.zeros(len(X_real)), np.ones(len(X_synth))].astype(int)
    groups = np.r_[groups_real.astype(str), groups_synth.astype(str)]
    # sessions of the two sides are told apart even when their ids coincide
    units = np.r_[np.char.add("r:", sessions_real.astype(str)), np.char.add("s:", sessions_synth.astype(str))]
    seed = int(rng.integers(2**31 - 1))
    n_groups = min(len(np.unique(groups[y == 0])), len(np.unique(groups[y == 1])))
    grouped_by = "person"
    if n_groups < MIN_PERSONS:  # sessions are the best grouping left (see MIN_PERSONS)
        groups = units
        grouped_by = "session"
        n_groups = min(len(np.unique(units[y == 0])), len(np.unique(units[y == 1])))
    if n_groups >= 2:
        folds = min(N_SPLITS, n_groups)  # each class has at least one group per fold
        p = oof_scores(X, y, groups, seed=seed, n_splits=folds)
    else:
        folds = min(N_SPLITS, int(np.bincount(y).min()))
        grouped_by = "item"
        p = oof_scores(X, y, None, seed=seed, n_splits=max(folds, 2))
    auc = fast_auc(y, p)
    lo, hi = session_bootstrap_ci(y, p, units, rng)
    return C2ST(auc, lo, hi, equal_error_rate(y, p), len(X_real), len(X_synth), max(folds, 2), grouped_by, y, p)
