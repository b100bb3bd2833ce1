"""The vectorised movement features equal the per-movement loop they replaced, on real data and edge cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from simulator.errors import HcisimError
from simulator.mouse.features import NAMES, features
from simulator.mouse.fit import read_logs
from simulator.mouse.splits import is_heldout
from simulator.readers.common import cut_movements

# -- reference: the former loop implementation, verbatim (only the batch function renamed) ---------------


def features_one(t: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    dt_raw = np.diff(t)
    dt = np.maximum(dt_raw, 1.0)
    dx, dy = np.diff(x), np.diff(y)
    seg = np.hypot(dx, dy)
    T = max(t[-1] - t[0], 1.0)
    L = seg.sum()
    D = np.hypot(x[-1] - x[0], y[-1] - y[0])
    v = seg / dt
    a = np.diff(v) / dt[1:] if len(v) > 1 else np.zeros(1)
    j = np.diff(a) / dt[2:] if len(a) > 1 else np.zeros(1)
    if len(a) == 0:
        a = np.zeros(1)
    if len(j) == 0:
        j = np.zeros(1)
    vmax = v.max() if len(v) else 0.0
    pk = (v[1:-1] > v[:-2]) & (v[1:-1] >= v[2:]) & (v[1:-1] > 0.1 * vmax) if len(v) > 2 else np.zeros(0, bool)
    ip = int(np.argmax(v)) if len(v) else 0
    t_peak = (t[ip] + t[ip + 1]) / 2 - t[0] if len(v) else 0.0
    if D > 0:
        dev = ((x - x[0]) * (y[-1] - y[0]) - (y - y[0]) * (x[-1] - x[0])) / D
    else:
        dev = np.zeros(len(x))
    ang = np.arctan2(dy[seg > 0], dx[seg > 0])
    dang = np.abs(np.angle(np.exp(1j * np.diff(ang)))) if len(ang) > 1 else np.zeros(1)
    rem = np.hypot(x[-1] - x, y[-1] - y)
    near = np.flatnonzero(rem <= 0.1 * max(D, 1.0))
    end_phase = (t[-1] - t[near[0]]) / T if len(near) else 0.0
    med = np.median(dt_raw) if len(dt_raw) else 0.0
    pause = dt_raw[dt_raw > max(3 * med, 50.0)].sum() / T if len(dt_raw) else 0.0
    return np.array([
        T, L, D / max(L, 1e-9), L / T, vmax, v.std(), np.median(v), np.abs(a).mean(), np.abs(a).max(), a.std(),
        np.abs(j).mean(), np.abs(j).max(), pk.sum(), t_peak / T, np.abs(dev).max() / max(D, 1.0),
        np.abs(dev).mean() / max(D, 1.0), dang.mean(), dang.std(), end_phase, pause,
        dt_raw.mean(), dt_raw.std(), med, dt_raw.max(), np.mean(dt_raw == 0), np.mean(dt_raw > 50), len(t),
    ], float)


def reference_features(t: np.ndarray, x: np.ndarray, y: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """(N, len(NAMES)) features of movements in CSR layout (movements with < 3 samples give NaN rows)."""
    out = np.full((len(offsets) - 1, len(NAMES)), np.nan)
    for i in range(len(offsets) - 1):
        a, b = offsets[i], offsets[i + 1]
        if b - a >= 3:
            out[i] = features_one(t[a:b], x[a:b], y[a:b])
    return out


# -- helpers ----------------------------------------------------------------------------------------------

def batch(*movements: tuple[list[float], list[float], list[float]]) -> tuple[np.ndarray, ...]:
    """CSR arrays (t, x, y, offsets) of movements given as (t, x, y) lists."""
    t = np.concatenate([np.asarray(m[0], float) for m in movements] or [np.zeros(0)])
    x = np.concatenate([np.asarray(m[1], float) for m in movements] or [np.zeros(0)])
    y = np.concatenate([np.asarray(m[2], float) for m in movements] or [np.zeros(0)])
    offsets = np.concatenate([[0], np.cumsum([len(m[0]) for m in movements])]).astype(np.int64)
    return t, x, y, offsets


def assert_same(t: np.ndarray, x: np.ndarray, y: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    got = features(t, x, y, offsets)
    want = reference_features(t, x, y, offsets)
    assert got.shape == want.shape == (len(offsets) - 1, len(NAMES))
    for k, name in enumerate(NAMES):
        np.testing.assert_allclose(got[:, k], want[:, k], rtol=1e-9, atol=1e-9, equal_nan=True, err_msg=name)
    return got


# -- real movements ---------------------------------------------------------------------------------------

def test_equals_reference_on_real_movements(shared_data: Path):
    sapi = read_logs(shared_data / "sapimouse" / "user1", "sapimouse")
    user = shared_data / "balabit-mouse" / "training_files" / "user12"
    session = sorted(p.name for p in user.iterdir())[0]
    bala = read_logs(user / session, "balabit")
    # training part only (the first sorted Balabit session of a user is never held out)
    assert not any(is_heldout("sapimouse", lg, 0) for lg in sapi) and not is_heldout("balabit", bala[0], 0)
    for mv in (cut_movements(sapi), cut_movements(bala)):
        assert len(mv) >= 100
        got = assert_same(mv.t_ms, mv.x, mv.y, mv.offsets)
        assert np.isfinite(got).all()
        # the movements are not degenerate: speeds, turns and peaks vary between them
        for name in ("v_max", "angle_change_mean", "n_peaks", "dev_max", "dt_std"):
            assert np.unique(got[:, NAMES.index(name)]).size > 5, name


# -- edge cases -------------------------------------------------------------------------------------------

def test_three_and_four_samples():
    got = assert_same(*batch(([0, 10, 20], [0, 5, 12], [0, 1, 3]), ([0, 9, 20, 26], [0, 4, 9, 20], [0, 2, 1, 0])))
    assert got[0, NAMES.index("j_max")] == 0 and got[1, NAMES.index("j_max")] > 0
    assert (got[:, NAMES.index("n_samples")] == [3, 4]).all()


def test_short_and_empty_movements_give_nan_rows():
    got = assert_same(*batch(([], [], []), ([0], [1], [1]), ([0, 8], [0, 3], [0, 4]),
                             ([0, 8, 16], [0, 3, 9], [0, 4, 4])))
    assert np.isnan(got[:3]).all() and np.isfinite(got[3]).all()
    assert features(np.zeros(0), np.zeros(0), np.zeros(0), np.array([0])).shape == (0, len(NAMES))


def test_zero_length_segments_and_repeated_timestamps():
    got = assert_same(*batch(
        ([0, 8, 16, 24, 32, 40], [0, 0, 5, 5, 5, 10], [0, 0, 2, 2, 2, 3]),  # repeated positions
        ([0, 0, 8, 8, 16, 30], [0, 3, 6, 9, 15, 20], [0, 1, 1, 2, 3, 3]),  # dt == 0 twice
        ([0, 0, 0, 0], [0, 1, 2, 4], [0, 0, 1, 1]),  # every dt == 0: T floors at 1
    ))
    assert got[1, NAMES.index("dt_zero_frac")] == 0.4 and got[2, NAMES.index("duration")] == 1


def test_all_samples_at_one_point_and_closed_loop():
    got = assert_same(*batch(([0, 8, 16, 24], [5, 5, 5, 5], [7, 7, 7, 7]),
                             ([0, 8, 16, 24, 32], [0, 5, 10, 5, 0], [0, 3, 0, -3, 0])))
    assert (got[:, NAMES.index("straightness")] == 0).all()
    assert got[0, NAMES.index("path_len")] == 0 and got[1, NAMES.index("dev_max")] == 0


def test_velocity_argmax_ties_take_the_first():
    got = assert_same(*batch(
        ([0, 10, 20, 30, 40], [0, 10, 20, 30, 40], [0, 0, 0, 0, 0]),  # constant speed
        ([0, 10, 20, 30, 40, 50], [0, 1, 4, 6, 9, 10], [0, 0, 0, 0, 0, 0]),  # speeds 0.1 0.3 0.2 0.3 0.1
    ))
    assert got[0, NAMES.index("t_peak_frac")] == pytest.approx(5 / 40)
    assert got[1, NAMES.index("t_peak_frac")] == pytest.approx(15 / 50)


def test_medians_of_even_and_odd_counts():
    got = assert_same(*batch(([0, 7, 19, 22, 40], [0, 7, 10, 20, 25], [0, 0, 0, 0, 0]),  # 4 intervals
                             ([0, 7, 19, 22], [0, 7, 10, 20], [0, 0, 0, 0])))  # 3 intervals
    assert got[0, NAMES.index("dt_median")] == 9.5 and got[1, NAMES.index("dt_median")] == 7


def test_no_sample_near_the_end():
    # with finite positions the last sample is always within 10 % of D of the end; a NaN end is the only way
    got = assert_same(*batch(([0, 8, 16, 24], [0, 5, 10, np.nan], [0, 1, 2, 3]),
                             ([0, 8, 16, 24], [0, np.nan, 10, 20], [0, 1, 2, 3])))
    assert got[0, NAMES.index("end_phase_frac")] == 0


def test_turns_across_the_branch_cut_pauses_and_unsorted_time():
    got = assert_same(*batch(
        ([0, 8, 16, 24], [0, -10, -20, -30], [0, 0.1, 0, 0.1]),  # headings near +-pi
        ([0, 8, 16, 216, 224, 232], [0, 2, 4, 6, 8, 30], [0, 1, 2, 3, 4, 5]),  # a 200 ms pause
        ([0, 20, 10, 30], [0, 4, 8, 12], [0, 0, 1, 1]),  # time running backwards
    ))
    assert got[0, NAMES.index("angle_change_mean")] < 0.05
    assert got[1, NAMES.index("pause_frac")] == pytest.approx(200 / 232)


def test_offsets_need_not_start_at_zero():
    t, x, y, offsets = batch(([0, 1, 2], [9, 9, 9], [9, 9, 9]), ([0, 8, 16, 30], [0, 2, 9, 12], [0, 5, 3, 1]))
    got = assert_same(t, x, y, offsets[1:])
    assert got.shape == (1, len(NAMES))


def test_random_small_movements_with_ties():
    """Coarse integer grids make repeated positions, equal speeds and dt == 0 frequent."""
    rng = np.random.default_rng(7)
    n = rng.integers(0, 12, 400)
    t = np.concatenate([np.cumsum(rng.choice([0, 8, 8, 16, 60], k)) for k in n]).astype(float)
    x = rng.integers(-3, 4, n.sum()).astype(float).cumsum()
    y = rng.integers(-2, 3, n.sum()).astype(float).cumsum()
    got = assert_same(t, x, y, np.concatenate([[0], np.cumsum(n)]))
    assert np.isnan(got[n < 3]).all() and np.isfinite(got[n >= 3]).all()


def test_bad_offsets_raise():
    with pytest.raises(HcisimError, match="outside"):
        features(np.zeros(4), np.zeros(4), np.zeros(4), np.array([0, 5]))
