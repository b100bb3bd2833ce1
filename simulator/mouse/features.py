"""Kinematic features of movements, as published mouse-dynamics detectors compute them.

Used by the realism benchmark's discriminator, the fidelity report and the tests;
synthesis will score many candidate movements with it, so the whole CSR batch is
computed at once with segment reductions (no per-movement Python loop).
Sampling-interval features are listed apart so the benchmark can report with and
without them.

Per movement of n >= 3 samples (times t, positions x, y):
``dt = max(diff t, 1)``, segment lengths ``seg``, speed ``v = seg / dt`` (n-1
values), acceleration ``a = diff v / dt[1:]`` (n-2), jerk ``j = diff a / dt[2:]``
(n-3, or one 0 when n == 3). ``D`` is the start-to-end distance, ``dev`` the signed
distance of each sample from the start-end line (0 when D == 0), heading changes
are taken over non-zero segments only (one 0 when fewer than two), medians follow
``np.median`` (mean of the two middle values for even counts) and the velocity
peak is the first maximum.
"""

from __future__ import annotations

import numpy as np

from simulator.errors import HcisimError
from simulator.segments import csr_offsets, mean_std, median, seg_max, seg_sum

TIMING = ("dt_mean", "dt_std", "dt_median", "dt_max", "dt_zero_frac", "dt_long_frac", "n_samples")
KINEMATIC = (
    "duration", "path_len", "straightness", "v_mean", "v_max", "v_std", "v_median", "a_mean", "a_max", "a_std",
    "j_mean", "j_max", "n_peaks", "t_peak_frac", "dev_max", "dev_mean", "angle_change_mean", "angle_change_std",
    "end_phase_frac", "pause_frac",
)
NAMES = KINEMATIC + TIMING
UNITS = {
    "duration": "ms", "path_len": "px", "straightness": "end-to-end / path length",
    **dict.fromkeys(("v_mean", "v_max", "v_std", "v_median"), "px/ms"),
    **dict.fromkeys(("a_mean", "a_max", "a_std"), "px/ms²"), **dict.fromkeys(("j_mean", "j_max"), "px/ms³"),
    "n_peaks": "speed peaks", **dict.fromkeys(("t_peak_frac", "end_phase_frac", "pause_frac"), "share of duration"),
    **dict.fromkeys(("dev_max", "dev_mean"), "share of start-end distance"),
    **dict.fromkeys(("angle_change_mean", "angle_change_std"), "rad"),
    **dict.fromkeys(("dt_mean", "dt_std", "dt_median", "dt_max"), "ms"),
    "dt_zero_frac": "share of intervals", "dt_long_frac": "share of intervals over 50 ms", "n_samples": "samples",
}
"""What each feature is measured in, for the axes of the reports that plot them (dev_max is divided by the
start-end distance: a fit report that called it px misread it by that factor)."""


def _within(off: np.ndarray) -> np.ndarray:
    """Mask over ``np.diff`` of a CSR array with non-empty segments: True where both ends are in one segment."""
    keep = np.ones(max(off[-1] - 1, 0), bool)
    keep[off[1:-1] - 1] = False
    return keep


def features(t: np.ndarray, x: np.ndarray, y: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """(N, len(NAMES)) features of movements in CSR layout (movements with < 3 samples give NaN rows)."""
    offsets = np.asarray(offsets)
    t, x, y = (np.asarray(c, float) for c in (t, x, y))
    if offsets.ndim != 1 or len(offsets) == 0 or not np.issubdtype(offsets.dtype, np.integer):
        raise HcisimError("movement offsets must be a non-empty 1-D integer array")
    if not len(t) == len(x) == len(y):
        raise HcisimError(f"movement t, x, y differ in length ({len(t)}, {len(x)}, {len(y)})")
    counts = np.diff(offsets)
    ok = counts >= 3
    out = np.full((len(counts), len(NAMES)), np.nan)
    if not ok.any():
        return out
    if offsets[:-1][ok].min() < 0 or offsets[1:][ok].max() > len(t):
        raise HcisimError(f"movement offsets point outside the {len(t)} samples")

    # gather the movements that get features into one contiguous batch
    n = counts[ok].astype(np.intp)
    N = len(n)
    off = csr_offsets(n)
    idx = np.arange(off[-1]) + np.repeat(offsets[:-1][ok] - off[:-1], n)
    t, x, y = t[idx], x[idx], y[idx]
    first, last = off[:-1], off[1:] - 1
    ids = np.arange(N)
    seg0 = np.repeat(ids, n)

    # level 1: per step between consecutive samples (n - 1 per movement)
    cnt1 = n - 1
    off1 = off - np.arange(N + 1)
    seg1 = np.repeat(ids, cnt1)
    keep1 = _within(off)
    dt_raw = np.diff(t)[keep1]
    dt = np.maximum(dt_raw, 1.0)
    dx, dy = np.diff(x)[keep1], np.diff(y)[keep1]
    seg = np.hypot(dx, dy)
    T = np.maximum(t[last] - t[first], 1.0)
    L = seg_sum(seg, seg1, N)
    ex, ey = x[last] - x[first], y[last] - y[first]
    D = np.hypot(ex, ey)
    Dn = np.maximum(D, 1.0)
    v = seg / dt
    vmax = seg_max(v, off1)
    _, v_std = mean_std(v, seg1, cnt1)

    # level 2: acceleration (n - 2 >= 1 per movement), each divided by the later step's dt
    cnt2 = n - 2
    seg2 = np.repeat(ids, cnt2)
    keep2 = _within(off1)
    dt2 = dt[1:][keep2]
    a = np.diff(v)[keep2] / dt2
    aa = np.abs(a)
    _, a_std = mean_std(a, seg2, cnt2)
    a_mean = seg_sum(aa, seg2, N) / cnt2

    # level 3: jerk (n - 3 >= 0 per movement; a movement without any gets 0)
    cnt3 = n - 3
    keep3 = _within(off - 2 * np.arange(N + 1))
    jj = np.abs(np.diff(a)[keep3] / dt2[1:][keep3])
    j_mean = np.where(cnt3 > 0, seg_sum(jj, np.repeat(ids, cnt3), N) / np.maximum(cnt3, 1), 0.0)
    j_max = seg_max(jj, off - 3 * np.arange(N + 1), empty=0.0)

    # velocity peaks: interior steps above both neighbours (>= the next) and 10 % of the top speed
    inner = np.ones(len(v), bool)
    inner[first - np.arange(N)] = False
    inner[last - np.arange(1, N + 1)] = False
    vm = v[1:-1]
    pk = inner[1:-1] & (vm > v[:-2]) & (vm >= v[2:]) & (vm > np.repeat(0.1 * vmax, cnt1)[1:-1])
    n_peaks = seg_sum(pk, seg1[1:-1], N)
    # first step reaching the max (a NaN speed is the max, as np.argmax has it)
    top = (v == np.repeat(vmax, cnt1)) | np.isnan(v)
    ip = np.minimum.reduceat(np.where(top, np.arange(len(v)), len(v)), off1[:-1]) + ids  # its first sample
    t_peak = (t[ip] + t[ip + 1]) / 2 - t[first]

    # deviation from the start-end line
    Dpos = D > 0
    cross = (x - np.repeat(x[first], n)) * np.repeat(ey, n) - (y - np.repeat(y[first], n)) * np.repeat(ex, n)
    dev = np.abs(np.where(np.repeat(Dpos, n), cross / np.repeat(np.where(Dpos, D, 1.0), n), 0.0))
    dev_max = seg_max(dev, off) / Dn
    dev_mean = seg_sum(dev, seg0, N) / n / Dn

    # heading changes between consecutive non-zero segments
    moving = seg > 0
    ang = np.arctan2(dy[moving], dx[moving])
    sega = seg1[moving]
    pa = np.flatnonzero(sega[:-1] == sega[1:])
    dang = np.abs(ang[pa + 1] - ang[pa])  # in [0, 2 pi): fold to the smaller turn, |angle(exp(1j d))|
    dang = np.where(dang > np.pi, 2 * np.pi - dang, dang)
    dang_mean, dang_std = mean_std(dang, sega[pa], np.bincount(sega[pa], minlength=N), empty=0.0)

    # end phase: from the first sample within 10 % of D of the end
    rem = np.hypot(np.repeat(x[last], n) - x, np.repeat(y[last], n) - y)
    near = np.minimum.reduceat(np.where(rem <= np.repeat(0.1 * Dn, n), np.arange(len(x)), len(x)), first)
    found = near < len(x)
    end_phase = np.where(found, (t[last] - t[np.where(found, near, 0)]) / T, 0.0)

    # sampling intervals
    dt_med = median(dt_raw, off1)
    pause = seg_sum(np.where(dt_raw > np.repeat(np.maximum(3 * dt_med, 50.0), cnt1), dt_raw, 0.0), seg1, N) / T
    dt_mean, dt_std = mean_std(dt_raw, seg1, cnt1)

    out[ok] = np.column_stack([
        T, L, D / np.maximum(L, 1e-9), L / T, vmax, v_std, median(v, off1), a_mean,
        seg_max(aa, off1 - np.arange(N + 1)), a_std, j_mean, j_max, n_peaks, t_peak / T, dev_max, dev_mean,
        dang_mean, dang_std, end_phase, pause,
        dt_mean, dt_std, dt_med, seg_max(dt_raw, off1), seg_sum(dt_raw == 0, seg1, N) / cnt1,
        seg_sum(dt_raw > 50, seg1, N) / cnt1, n,
    ])
    return out
