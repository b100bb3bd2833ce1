"""The learned shape law: normalisation, pauses, the conditional mixture, and no copies of the data."""

from __future__ import annotations

import numpy as np

from simulator.mouse.shape import (GRID, PATH_PTS, conditional, fit_mixture, normalise, sample, still_latent,
                                   with_holds)


def test_long_gap_is_a_still_hand_not_slow_creep():
    t = np.array([0.0, 16, 32, 48, 348, 364])
    x = np.array([0.0, 10, 20, 30, 40, 50])
    tt, xx, _ = with_holds(t, x, np.zeros(6))
    # before the event after the 300 ms gap the pointer still stood where it was
    k = int(np.flatnonzero(tt == 348)[0])
    assert xx[k - 1] == 30 and tt[k - 1] == 348 - 16
    path, speed, logT, logD, th = normalise(t, x, np.zeros(6), np.array([0, 6]), np.array([50.0]), np.array([0.0]))
    assert path.shape == (1, 2 * PATH_PTS) and speed.shape == (1, GRID - 1)
    assert np.isclose(np.exp(logT[0]), 364) and np.isclose(np.exp(logD[0]), 50) and th[0] == 0
    # the still stretch is a run of non-positive root speeds, deepest in its middle
    still = speed[0] <= 0
    assert 0.6 < still.mean() < 0.9
    assert speed[0].min() < -0.35 * 5


def test_still_latent_keeps_moving_cells():
    r = np.array([1.0, 0.0, 0.0, 0.0, 0.5])
    out = still_latent(r, depth=0.5)
    assert out[0] == 1.0 and out[-1] == 0.5
    assert list(out[1:4]) == [-0.5, -1.0, -0.5]


def test_conditional_mixture_learns_a_relation():
    rng = np.random.default_rng(0)
    n = 4000
    X = np.column_stack([rng.normal(5, 1, n), rng.normal(0, 1, n), rng.normal(0, 1, n)])
    y = 2.0 * X[:, 0] - X[:, 1] + rng.normal(0, 0.3, n)
    mix = fit_mixture(np.column_stack([X, y, rng.normal(0, 1, n)]), 3, rng)
    cd = conditional(mix)
    Xq = np.tile([[7.0, 1.0, 0.0]], (3000, 1))
    draw = sample(cd, Xq, np.random.default_rng(1))
    assert abs(draw[:, 0].mean() - 13.0) < 0.1
    assert 0.2 < draw[:, 0].std() < 0.45
    # draws are new values, not rows of the data
    assert not np.isin(np.round(draw[:, 0], 9), np.round(y, 9)).any()


def test_a_file_of_people_has_the_fitted_device_mix():
    from simulator.mouse import load_profile
    from simulator.mouse.profile import capture_regimes

    prof = load_profile("balabit")
    k = 60
    people = prof.draw_many(np.random.default_rng(3), k)
    devs, share = prof.new_person_devices()
    groups = capture_regimes(prof.devices)
    assert len(devs) == len(groups) >= 2 and max(len(g) for g in groups) >= 2  # RDP batches, the ~16 ms users
    w = np.array([sum(prof.weights[u] for u in g) for g in groups])
    assert np.allclose(share, w / w.sum())
    got = np.array([sum(p.device is d for p in people) for d in devs])
    assert np.all(np.abs(got - k * share) <= 1.0)
    # a new person's device is their capture regime's, pooled, never one recorded person's own
    assert not any(p.device is own for p in people for own in prof.devices.values())
    big = groups[int(np.argmax([len(g) for g in groups]))]
    pooled = devs[int(np.argmax([len(g) for g in groups]))]
    assert not any(np.array_equal(pooled.first_q, prof.devices[u].first_q) for u in big)
    assert not any(np.array_equal(pooled.gap_q, prof.devices[u].gap_q) for u in big)
    # offsets are individual draws: no two people alike
    assert len({p.alpha.tobytes() for p in people}) == k
