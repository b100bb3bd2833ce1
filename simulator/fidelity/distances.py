"""Per-feature distances between REAL and SYNTH: which single features give the generator away.

KS is the largest gap between the two empirical CDFs (0 = same distribution, 1 = disjoint), scale
free, so it orders features worst first. Wasserstein-1 is divided by REAL's standard deviation so
it reads as "how many REAL standard deviations the distribution has to move" -- by SYNTH's where
REAL is constant (SapiMouse never stamps two events alike, so its share of shared stamps is always
0, and any synthetic one made the figure infinite); infinite only when both sides are constant and
differ.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass

import numpy as np


@dataclass
class FeatureDistance:
    name: str
    ks: float
    ks_pvalue: float
    wasserstein: float
    wasserstein_sd: float
    real_median: float
    synth_median: float

    def to_dict(self) -> dict:
        return asdict(self)


def feature_distances(X_real: np.ndarray, X_synth: np.ndarray, names: tuple[str, ...]) -> list[FeatureDistance]:
    """One entry per feature defined on both sides (NaNs dropped), largest KS first."""
    from scipy.stats import ks_2samp, wasserstein_distance

    out = []
    for j, name in enumerate(names):
        a, b = X_real[:, j], X_synth[:, j]
        a, b = a[np.isfinite(a)], b[np.isfinite(b)]
        if len(a) < 2 or len(b) < 2:
            continue
        with warnings.catch_warnings():  # large samples fall back to the asymptotic p-value: fine here
            warnings.simplefilter("ignore", RuntimeWarning)
            ks = ks_2samp(a, b)
        w = float(wasserstein_distance(a, b))
        sd = float(np.std(a)) or float(np.std(b))
        out.append(FeatureDistance(name, float(ks.statistic), float(ks.pvalue), w, w / sd if sd > 0 else
                                   (0.0 if w == 0 else float("inf")), float(np.median(a)), float(np.median(b))))
    out.sort(key=lambda d: (-d.ks, -d.wasserstein_sd, d.name))
    return out
