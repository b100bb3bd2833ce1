"""Kinematic features of movements, as published mouse-dynamics detectors compute them.

Used by the realism benchmark's discriminator and the tests. Sampling-interval
features are listed apart so the benchmark can report with and without them.
"""

from __future__ import annotations

import numpy as np

TIMING = ("dt_mean", "dt_std", "dt_median", "dt_max", "dt_zero_frac", "dt_long_frac", "n_samples")
KINEMATIC = (
    "duration", "path_len", "straightness", "v_mean", "v_max", "v_std", "v_median", "a_mean", "a_max", "a_std",
    "j_mean", "j_max", "n_peaks", "t_peak_frac", "dev_max", "dev_mean", "angle_change_mean", "angle_change_std",
    "end_phase_frac", "pause_frac",
)
NAMES = KINEMATIC + TIMING


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


def features(t: np.ndarray, x: np.ndarray, y: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """(N, len(NAMES)) features of movements in CSR layout (movements with < 3 samples give NaN rows)."""
    out = np.full((len(offsets) - 1, len(NAMES)), np.nan)
    for i in range(len(offsets) - 1):
        a, b = offsets[i], offsets[i + 1]
        if b - a >= 3:
            out[i] = features_one(t[a:b], x[a:b], y[a:b])
    return out
