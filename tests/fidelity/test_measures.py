"""The measures as pure functions, on samples whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.fidelity.c2st import fast_auc, oof_scores, session_bootstrap_ci
from simulator.fidelity.distances import feature_distances
from simulator.fidelity.diversity import prdc


def test_rank_auc_matches_sklearn_with_ties():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 300)
    p = np.round(rng.normal(size=300) + y, 1)  # many ties
    assert fast_auc(y, p) == pytest.approx(roc_auc_score(y, p))


def test_bootstrap_interval_brackets_the_auc_and_narrows_with_more_sessions():
    rng = np.random.default_rng(1)

    def width(n_sessions):
        units = np.repeat(np.arange(n_sessions), 20)
        y = (units % 2).astype(int)
        p = rng.normal(size=len(y)) + 0.5 * y
        lo, hi = session_bootstrap_ci(y, p, units, np.random.default_rng(2), n_boot=200)
        assert lo <= fast_auc(y, p) <= hi
        return hi - lo

    assert width(80) < width(8)


def test_grouped_discriminator_cannot_learn_groups():
    """Each group is all-real or all-synthetic and recognisable by a feature: item folds learn the groups
    (AUC ~1), group folds must generalise to unseen groups and cannot (AUC ~0.5 or below)."""
    rng = np.random.default_rng(3)
    groups = np.repeat(np.arange(20), 30)
    y = (groups % 2).astype(int)
    X = np.c_[groups + rng.normal(0, 0.1, len(groups)), rng.normal(size=len(groups))]
    assert fast_auc(y, oof_scores(X, y, None, max_iter=50)) > 0.95
    assert fast_auc(y, oof_scores(X, y, groups, max_iter=50)) < 0.7


def test_prdc_on_gaussians():
    rng = np.random.default_rng(4)
    real = rng.normal(size=(600, 4))
    same = prdc(real, rng.normal(size=(600, 4)), np.random.default_rng(0))
    assert same.precision > 0.85 and same.recall > 0.85 and same.coverage > 0.85
    assert 0.7 < same.density < 1.3
    shifted = prdc(real, rng.normal(size=(600, 4)) + 4.0, np.random.default_rng(0))
    assert shifted.precision < 0.1 and shifted.coverage < 0.1
    # one corner of REAL, densely: each synthetic point looks real, most of REAL is not reached
    corner = real[(real[:, 0] > 0.8) & (real[:, 1] > 0.8)]
    collapsed = prdc(real, corner[rng.integers(len(corner), size=600)] + rng.normal(0, 0.05, (600, 4)),
                     np.random.default_rng(0))
    assert collapsed.precision > 0.9
    assert collapsed.coverage < 0.3 and collapsed.recall < 0.3


def test_feature_distances_put_the_changed_feature_first():
    rng = np.random.default_rng(5)
    a = rng.normal(size=(500, 3))
    b = rng.normal(size=(500, 3))
    b[:, 1] = b[:, 1] * 2 + 1
    a[::7, 2] = np.nan  # undefined values are left out, not counted as differences
    d = feature_distances(a, b, ("x", "y", "z"))
    assert [x.name for x in d][0] == "y"
    assert d[0].ks > 0.3 and d[0].wasserstein_sd > 0.8
    assert all(x.ks < 0.15 for x in d[1:])


def test_a_feature_constant_in_real_is_measured_in_synths_spread():
    """SapiMouse never shares a stamp (always 0); a few synthetic shared stamps must not read as infinitely far."""
    rng = np.random.default_rng(6)
    a = np.c_[rng.normal(size=400), np.zeros(400), np.full(400, 2.0)]
    b = np.c_[rng.normal(size=400), np.where(rng.random(400) < 0.02, 0.1, 0.0), np.full(400, 3.0)]
    d = {x.name: x for x in feature_distances(a, b, ("x", "rare", "moved"))}
    assert 0 < d["rare"].wasserstein_sd < 1 and np.isfinite(d["rare"].wasserstein_sd)
    assert d["moved"].wasserstein_sd == float("inf")  # two different constants: disjoint
    assert d["x"].wasserstein_sd < 0.3
