"""Measure the model's parameters on one recorded (or generated) movement.

Fitting and calibration use the same measurement on real and on synthetic
movements, so what the measurement gets wrong (coarse RDP sampling, co-stamped
events) cancels out when the fit matches the two (indirect inference).
"""

from __future__ import annotations

import numpy as np

from simulator.mouse.profile import LAT_SCALE, PARAM_NAMES

NP = len(PARAM_NAMES)


def _logit(p: float) -> float:
    p = min(max(p, 0.02), 0.98)
    return float(np.log(p / (1 - p)))


def measure_one(t: np.ndarray, x: np.ndarray, y: np.ndarray, ex: float, ey: float) -> np.ndarray:
    """PARAM_NAMES values of one movement ending with a press at (ex, ey)."""
    out = np.zeros(NP)
    sx, sy = x[0], y[0]
    D = max(np.hypot(ex - sx, ey - sy), 1.0)
    ux, uy = (ex - sx) / D, (ey - sy) / D
    T = max(t[-1] - t[0], 1.0)
    out[0] = np.log(T)
    # one position per distinct stamp (the last reported), for speeds
    last = np.r_[t[1:] != t[:-1], True]
    tt, xx, yy = t[last], x[last], y[last]
    u = ((xx - sx) * ux + (yy - sy) * uy) / D
    v = (-(xx - sx) * uy + (yy - sy) * ux) / D
    if len(tt) < 3:
        out[1:] = [_logit(0.98), np.log(max(u[-1], 0.05)), 0.0, 0.0, _logit(0.45), 0.0, _logit(0.02), np.log(0.3),
                   np.log(20.0), _logit(0.02)]
        return out
    dt = np.diff(tt)
    sp = np.hypot(np.diff(xx), np.diff(yy)) / dt
    p = int(np.argmax(sp))
    below = np.flatnonzero(sp[p + 1:] < 0.25 * sp[p])
    i_end = p + 1 + (below[0] if len(below) else len(sp) - p - 1)   # sample index ending the primary
    t1 = tt[i_end] - tt[0]
    f1 = t1 / T
    a1 = max(u[i_end], 0.05)
    e1 = v[i_end]
    frac = np.clip(u[: i_end + 1] / a1, 0, 1)
    dev = v[: i_end + 1] - e1 * frac
    curv = dev[int(np.argmax(np.abs(dev)))]
    t_peak = 0.5 * (tt[p] + tt[p + 1]) - tt[0]
    tp = t_peak / max(t1, 1.0)
    # corrective submovements: re-accelerations after the primary
    rest = sp[i_end:]
    n_corr = 0
    if f1 < 0.97 and len(rest) > 1:
        big = rest > 0.12 * sp[p]
        n_corr = int(np.sum(big[1:] & ~big[:-1])) + int(big[0])
        n_corr = min(max(n_corr, 1), 3)
    med = np.median(dt)
    gaps = dt[i_end:]
    pause = gaps[gaps > 2.5 * med].sum() / max(T - t1, 1.0) if n_corr else 0.0
    # tremor: lateral jitter left after removing a 3-point running mean (px)
    lat = v * D
    if len(lat) >= 5:
        r = lat[1:-1] - (lat[:-2] + lat[1:-1] + lat[2:]) / 3
        trem = float(np.sqrt(np.mean(r ** 2))) + 0.05
    else:
        trem = 0.3
    onset = tt[int(np.argmax(sp > 0.3 * sp[p]))] - tt[0]
    out[1:] = [_logit(f1), np.clip(np.log(a1), -1.5, 0.7), np.arcsinh(e1 / LAT_SCALE), np.arcsinh(curv / LAT_SCALE),
               _logit(tp), n_corr, _logit(pause), np.log(min(trem, 20.0)), np.log(onset + 20.0),
               _logit(0.9 if np.hypot(np.diff(xx), np.diff(yy)).sum() > 1.8 * D else 0.02)]
    return out


def measure(t: np.ndarray, x: np.ndarray, y: np.ndarray, offsets: np.ndarray, ex: np.ndarray,
            ey: np.ndarray) -> np.ndarray:
    """(N, len(PARAM_NAMES)) measurements of N movements in CSR layout."""
    P = np.zeros((len(offsets) - 1, NP))
    for i in range(len(offsets) - 1):
        a, b = offsets[i], offsets[i + 1]
        P[i] = measure_one(t[a:b], x[a:b], y[a:b], ex[i], ey[i])
    return P


def covariates(sx, sy, ex, ey) -> np.ndarray:
    """log distance and direction harmonics: what the parameters are conditioned on."""
    dx, dy = np.asarray(ex, float) - sx, np.asarray(ey, float) - sy
    th = np.arctan2(dy, dx)
    D = np.maximum(np.hypot(dx, dy), 1.0)
    return np.column_stack([np.log(D), np.cos(th), np.sin(th), np.cos(2 * th), np.sin(2 * th)])
