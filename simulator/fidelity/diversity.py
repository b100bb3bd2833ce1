"""Precision/recall (Kynkäänniemi et al. 2019) and density/coverage (Naeem et al. 2020) of SYNTH over REAL.

Each REAL item gets a ball reaching to its k-th nearest REAL neighbour (likewise SYNTH for recall).
Precision: share of SYNTH items inside some REAL ball (do synthetic items look real?). Recall: share
of REAL items inside some SYNTH ball (does SYNTH reach everything REAL does?). Density: how many REAL
balls a SYNTH item falls in, over k (1 on average for the same distribution, robust to outliers).
Coverage: share of REAL balls holding at least one SYNTH item. A generator that makes one average
person keeps precision high while recall and coverage fall.

The space: each feature mapped through REAL's empirical quantiles to a standard normal score, so a
heavy-tailed feature (peak jerk) cannot dominate the distances; undefined features sit at 0 (REAL's
median). Both sides are subsampled to the same size, as the radii depend on the sample size.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

K = 5
MAX_ITEMS = 4000


@dataclass
class Diversity:
    precision: float
    recall: float
    density: float
    coverage: float
    k: int
    n: int

    def to_dict(self) -> dict:
        return asdict(self)


def normal_scores(X_real: np.ndarray, X_other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both matrices in REAL's quantile-normal space; features constant in REAL are dropped."""
    from scipy.stats import norm

    keep = [j for j in range(X_real.shape[1]) if len(np.unique(X_real[np.isfinite(X_real[:, j]), j])) > 1]
    outs = [np.zeros((len(X_real), len(keep))), np.zeros((len(X_other), len(keep)))]
    for c, j in enumerate(keep):
        ref = np.sort(X_real[np.isfinite(X_real[:, j]), j])
        for o, M in zip(outs, (X_real, X_other)):
            v = M[:, j]
            ok = np.isfinite(v)
            # mid-rank of v among REAL's values, kept inside (0, 1)
            lo = np.searchsorted(ref, v[ok], "left")
            hi = np.searchsorted(ref, v[ok], "right")
            q = (lo + hi + 1) / (2 * len(ref) + 2)
            o[ok, c] = norm.ppf(q)
    return outs[0], outs[1]


def prdc(X_real: np.ndarray, X_synth: np.ndarray, rng: np.random.Generator, k: int = K,
         max_items: int = MAX_ITEMS) -> Diversity:
    from sklearn.neighbors import NearestNeighbors

    n = min(len(X_real), len(X_synth), max_items)
    if n <= k:
        raise ValueError(f"need more than {k} items per side for k-NN diversity")
    R = X_real[np.sort(rng.choice(len(X_real), n, replace=False))]
    S = X_synth[np.sort(rng.choice(len(X_synth), n, replace=False))]
    R, S = normal_scores(R, S)
    # k-th neighbour radius within each set (column 0 is the point itself)
    r_real = NearestNeighbors(n_neighbors=k + 1).fit(R).kneighbors(R)[0][:, k]
    r_synth = NearestNeighbors(n_neighbors=k + 1).fit(S).kneighbors(S)[0][:, k]
    from sklearn.metrics import pairwise_distances_chunked

    inside = np.zeros((n, n), bool)  # inside[i, j]: SYNTH j within REAL i's ball
    row = 0
    for chunk in pairwise_distances_chunked(R, S):
        inside[row:row + len(chunk)] = chunk <= r_real[row:row + len(chunk), None]
        row += len(chunk)
    precision = float(inside.any(axis=0).mean())
    density = float(inside.sum(axis=0).mean() / k)
    coverage = float(inside.any(axis=1).mean())
    recall_hits = np.zeros(n, bool)
    row = 0
    for chunk in pairwise_distances_chunked(R, S):  # REAL i within SYNTH j's ball
        recall_hits[row:row + len(chunk)] = (chunk <= r_synth[None, :]).any(axis=1)
        row += len(chunk)
    return Diversity(precision, float(recall_hits.mean()), density, coverage, k, n)
