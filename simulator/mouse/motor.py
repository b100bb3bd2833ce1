"""The motor model: pointing movements as sums of lognormal submovements, vectorised over movements.

Why lognormal: the speed of a human aimed movement rises fast and falls
slowly (sigma-lognormal theory, Plamondon); a primary submovement that over-
or undershoots is followed by 0-3 corrective ones, each another lognormal,
with hesitations between. Paths bulge sideways (a parabola on the primary),
and a small tremor rides on the motion while the hand moves. Positions are
evaluated analytically at any times, so the device layer can sample them
wherever its clock says, with no per-sample Python loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, ndtr

from simulator.mouse.profile import LAT_SCALE, PARAM_NAMES

IDX = {n: i for i, n in enumerate(PARAM_NAMES)}
SLOTS = 7  # primary, up to 3 corrections, one correction after a miss, the slow start, the primary's 2nd stroke
Z_END = 2.0  # a submovement's window ends where 97.7 % of its lognormal is done (then it stops)


def sigma_from_tp(tp: np.ndarray) -> np.ndarray:
    """Lognormal shape for a speed peak at fraction ``tp`` of the window: tp = exp(-Z sigma - sigma^2)."""
    tp = np.clip(tp, 0.05, 0.95)
    a = -np.log(tp)
    return (-Z_END + np.sqrt(Z_END ** 2 + 4 * a)) / 2


@dataclass
class MotorPlan:
    """Submovements of N movements: slot start t0, window d, shape sigma, displacement (ax, ay)."""

    sx: np.ndarray
    sy: np.ndarray
    t0: np.ndarray      # (N, SLOTS)
    d: np.ndarray
    sigma: np.ndarray
    ax: np.ndarray
    ay: np.ndarray
    bump: np.ndarray    # (N,) lateral bulge of the primary, px
    px: np.ndarray      # (N,) unit perpendicular of the primary
    py: np.ndarray
    tremor: np.ndarray  # (N,) px
    t_end: np.ndarray   # (N,) when the last submovement is done
    n_sub: np.ndarray

    def position(self, m: np.ndarray, t: np.ndarray, rng_phase: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pointer position of movement ``m[k]`` at time ``t[k]`` (flat arrays)."""
        x = self.sx[m].copy()
        y = self.sy[m].copy()
        env = np.zeros(len(t))
        for j in range(SLOTS):
            # only samples after the submovement started need its progress (before: 0, after its end: 1)
            started = t > self.t0[m, j]
            k = np.flatnonzero(started & (self.d[m, j] > 0))
            if len(k) == 0:
                continue
            mk = m[k]
            tau = np.minimum((t[k] - self.t0[mk, j]) / self.d[mk, j], 1.0)
            sig = self.sigma[mk, j]
            # truncated at the window's end: no endless creeping tail (the hand stops)
            s = ndtr((np.log(np.maximum(tau, 1e-9)) + Z_END * sig) / sig) / ndtr(Z_END)
            x[k] += self.ax[mk, j] * s
            y[k] += self.ay[mk, j] * s
            env[k] = np.maximum(env[k], 4 * s * (1 - s))
            if j == 0:
                b = self.bump[mk] * 4 * s * (1 - s)
                x[k] += b * self.px[mk]
                y[k] += b * self.py[mk]
        # tremor: a few incommensurate 4-11 Hz oscillations riding on the submovements (a still hand
        # on a mouse pad shows no events, so none between them)
        k = np.flatnonzero(env > 0)
        ph = rng_phase[m[k]]
        tr = self.tremor[m[k]] * env[k]
        w = 2 * np.pi * t[k] / 1000.0
        x[k] += tr * (0.6 * np.sin(w * 4.3 + ph[:, 0]) + 0.5 * np.sin(w * 7.9 + ph[:, 1]) + 0.4 * np.sin(w * 10.7 + ph[:, 2]))
        y[k] += tr * (0.6 * np.sin(w * 5.1 + ph[:, 3]) + 0.5 * np.sin(w * 8.3 + ph[:, 4]) + 0.4 * np.sin(w * 11.3 + ph[:, 5]))
        return x, y


def plan_motor(P: np.ndarray, sx, sy, ex, ey, rng: np.random.Generator, extras: dict,
               fix_x=None, fix_y=None) -> MotorPlan:
    """Turn per-movement parameter vectors ``P`` (N, len(PARAM_NAMES)) into submovements.

    The movement goes from (sx, sy) to the aimed point (ex, ey); where ``fix_x``
    is finite the aim missed the target and a corrective submovement after a
    reaction pause takes the pointer on to (fix_x, fix_y).
    """
    n = len(sx)
    sx, sy, ex, ey = (np.asarray(v, float) for v in (sx, sy, ex, ey))
    dx, dy = ex - sx, ey - sy
    D = np.maximum(np.hypot(dx, dy), 1e-6)
    ux, uy = dx / D, dy / D
    vx, vy = -uy, ux
    T = np.exp(P[:, IDX["log_T"]])
    f1 = expit(P[:, IDX["logit_f1"]])
    k = np.clip(np.rint(P[:, IDX["n_corr"]]), 0, 3).astype(int)
    f1 = np.where(k == 0, 1.0, np.clip(f1, 0.25, 0.97))
    a1 = np.clip(np.exp(P[:, IDX["log_a1"]]), 0.3, 1.4)
    e1 = np.clip(LAT_SCALE * np.sinh(P[:, IDX["asinh_e1"]]), -1.0, 1.0)
    pe_x = np.where(k == 0, ex, sx + D * (a1 * ux + e1 * vx))
    pe_y = np.where(k == 0, ey, sy + D * (a1 * uy + e1 * vy))
    # detours: the primary heads for another point first (looking around, a second thought)
    wander = rng.random(n) < expit(P[:, IDX["logit_wander"]])
    r1 = rng.uniform(-0.5, 1.2, n)
    r2 = rng.choice([-1.0, 1.0], n) * rng.uniform(0.3, 1.5, n)
    pe_x = np.where(wander, sx + D * (r1 * ux + r2 * vx), pe_x)
    pe_y = np.where(wander, sy + D * (r1 * uy + r2 * vy), pe_y)
    k = np.where(wander, np.maximum(k, 1), k)
    f1 = np.where(wander, np.clip(f1, 0.25, 0.8), f1)
    sig1 = sigma_from_tp(expit(P[:, IDX["logit_tp"]]))

    t0 = np.zeros((n, SLOTS))
    d = np.zeros((n, SLOTS))
    sigma = np.full((n, SLOTS), 0.3)
    ax = np.zeros((n, SLOTS))
    ay = np.zeros((n, SLOTS))
    # the slow start: the hand creeps a few px while the primary gets going
    t_pre = np.maximum(np.exp(P[:, IDX["log_pre"]]) - 20.0, 0.0)
    creep = np.minimum(0.04 * D, np.abs(rng.normal(0, 3, n)) + 1)
    ang = rng.normal(0, 0.6, n)
    t0[:, 0] = t_pre
    d[:, 5] = t_pre + 0.3 * f1 * T
    sigma[:, 5] = 0.5
    ax[:, 5] = creep * (np.cos(ang) * ux - np.sin(ang) * uy)
    ay[:, 5] = creep * (np.sin(ang) * ux + np.cos(ang) * uy)
    d[:, 0] = f1 * T
    sigma[:, 0] = sig1
    ax[:, 0] = pe_x - sx - ax[:, 5]
    ay[:, 0] = pe_y - sy - ay[:, 5]
    # the primary is two overlapping strokes (as sigma-lognormal fits of aimed movements find):
    # a flatter speed profile than one lognormal
    share = rng.uniform(0.3, 0.7, n)
    lag = rng.uniform(0.15, 0.45, n)
    d[:, 6] = d[:, 0] * (1 - lag)
    t0[:, 6] = t_pre + lag * d[:, 0]
    sigma[:, 6] = sig1
    ax[:, 6] = ax[:, 0] * share
    ay[:, 6] = ay[:, 0] * share
    ax[:, 0] *= 1 - share
    ay[:, 0] *= 1 - share
    d[:, 0] *= 1 - lag * 0.5

    # corrective phase: remaining time split into still pauses and moves
    Tr = T * (1 - f1)
    pause = expit(P[:, IDX["logit_pause"]]) * Tr
    moving = Tr - pause
    w = rng.gamma(2.0, 1.0, (n, 3))
    gp = rng.gamma(1.5, 1.0, (n, 3))
    active = np.arange(3)[None, :] < k[:, None]
    w = np.where(active, w, 0)
    gp = np.where(active, gp, 0)
    w /= np.maximum(w.sum(1, keepdims=True), 1e-12)
    gp /= np.maximum(gp.sum(1, keepdims=True), 1e-12)
    cx, cy = pe_x.copy(), pe_y.copy()
    t = t_pre + d[:, 0] * 0.75
    frac = rng.uniform(0.75, 1.0, (n, 3))
    side = rng.normal(0, 0.12, (n, 3))
    csig = np.clip(sig1[:, None] * rng.uniform(0.8, 1.3, (n, 3)), 0.1, 0.8)
    for j in range(3):
        last = k == j + 1
        rx, ry = ex - cx, ey - cy
        tx = np.where(last, ex, cx + frac[:, j] * rx - side[:, j] * ry)
        ty = np.where(last, ey, cy + frac[:, j] * ry + side[:, j] * rx)
        a = active[:, j]
        t = t + gp[:, j] * pause
        t0[:, j + 1] = np.where(a, t, 0)
        # a submovement cannot be faster than a short aimed movement of its amplitude (Fitts-like floor)
        floor = extras.get("sub_ms_a", 50.0) + extras.get("sub_ms_b", 25.0) * np.log2(1 + np.hypot(tx - cx, ty - cy) / 4)
        d[:, j + 1] = np.where(a, np.maximum(w[:, j] * moving, floor), 0)
        sigma[:, j + 1] = csig[:, j]
        ax[:, j + 1] = np.where(a, tx - cx, 0)
        ay[:, j + 1] = np.where(a, ty - cy, 0)
        t = t + np.where(a, d[:, j + 1] * 0.75, 0)
        cx, cy = np.where(a, tx, cx), np.where(a, ty, cy)
    t_end = np.max(t0 + d, axis=1)

    n_sub = 1 + k
    if fix_x is not None:
        fx = np.asarray(fix_x, float)
        fy = np.asarray(fix_y, float)
        miss = np.isfinite(fx)
        react = rng.lognormal(np.log(extras.get("miss_react_ms", 250.0)), 0.3, n)
        dist = np.hypot(fx - ex, fy - ey)
        dur = extras.get("corr_ms", 180.0) * (1 + np.log1p(np.nan_to_num(dist) / 20.0)) * rng.lognormal(0, 0.2, n)
        t0[:, 4] = np.where(miss, t_end + react, 0)
        d[:, 4] = np.where(miss, dur, 0)
        sigma[:, 4] = np.clip(sig1, 0.15, 0.6)
        ax[:, 4] = np.where(miss, fx - ex, 0)
        ay[:, 4] = np.where(miss, fy - ey, 0)
        t_end = np.where(miss, t0[:, 4] + d[:, 4], t_end)
        n_sub = n_sub + miss

    bump = np.clip(LAT_SCALE * np.sinh(P[:, IDX["asinh_curv"]]), -1.5, 1.5) * D
    tremor = np.exp(P[:, IDX["log_tremor"]])
    return MotorPlan(sx, sy, t0, d, sigma, ax, ay, bump, vx, vy, tremor, t_end, n_sub)
