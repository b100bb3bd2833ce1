"""The motor model: learned movement curves made concrete for N movements at once.

A drawn vector ``z = [log T, path coefficients, speed coefficients]`` (see
`simulator.mouse.shape`) becomes a path on an arc-length grid (pinned to start
at the start and end at the aimed point) and a progress-over-time curve whose
still stretches are real pauses. Positions are evaluated by two linear
look-ups at any times, so the device layer samples them wherever its clock
says, with no per-sample Python loop. A missed aim adds a corrective movement
(minimum-jerk) to the corrected point after a reaction pause.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.mouse.profile import ShapeModel
from simulator.mouse.shape import GRID, PATH_PTS


@dataclass
class MotorPlan:
    """N movements: start, direction frame, duration, progress curve (N, GRID), path (N, PATH_PTS) x 2."""

    sx: np.ndarray
    sy: np.ndarray
    ux: np.ndarray      # unit vector start -> aimed point
    uy: np.ndarray
    D: np.ndarray       # distance start -> aimed point (px)
    T: np.ndarray       # duration of the primary curve (ms)
    S: np.ndarray       # share of the path covered at each time-grid point (0 ... 1, non-decreasing)
    PU: np.ndarray      # path along / across, in distances
    PV: np.ndarray
    fix_dx: np.ndarray  # corrective movement after a miss (px; 0 when none)
    fix_dy: np.ndarray
    fix_t0: np.ndarray  # its start (ms) and duration
    fix_d: np.ndarray
    t_end: np.ndarray
    n_sub: np.ndarray

    def position(self, m: np.ndarray, t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pointer position of movement ``m[k]`` at time ``t[k]`` (flat arrays)."""
        f = np.clip(t / self.T[m], 0.0, 1.0) * (GRID - 1)
        i = np.minimum(f.astype(np.int64), GRID - 2)
        a = f - i
        s = self.S[m, i] * (1 - a) + self.S[m, i + 1] * a
        f = s * (PATH_PTS - 1)
        i = np.minimum(f.astype(np.int64), PATH_PTS - 2)
        a = f - i
        u = self.PU[m, i] * (1 - a) + self.PU[m, i + 1] * a
        v = self.PV[m, i] * (1 - a) + self.PV[m, i + 1] * a
        D = self.D[m]
        x = self.sx[m] + D * (u * self.ux[m] - v * self.uy[m])
        y = self.sy[m] + D * (u * self.uy[m] + v * self.ux[m])
        k = np.flatnonzero(self.fix_d[m] > 0)
        if len(k):
            mk = m[k]
            tau = np.clip((t[k] - self.fix_t0[mk]) / self.fix_d[mk], 0.0, 1.0)
            mj = tau ** 3 * (10 - 15 * tau + 6 * tau ** 2)
            x[k] += self.fix_dx[mk] * mj
            y[k] += self.fix_dy[mk] * mj
        return x, y


def plan_motor(z: np.ndarray, shape: ShapeModel, sx, sy, ex, ey, rng: np.random.Generator, extras: dict,
               fix_x=None, fix_y=None) -> MotorPlan:
    """Curves for drawn vectors ``z`` (N, shape.n_gen) from (sx, sy) to the aimed points (ex, ey).

    Where ``fix_x`` is finite the aim missed the target: after a reaction pause
    a corrective movement takes the pointer on to (fix_x, fix_y).
    """
    n = len(sx)
    sx, sy, ex, ey = (np.asarray(v, float) for v in (sx, sy, ex, ey))
    dx, dy = ex - sx, ey - sy
    D = np.maximum(np.hypot(dx, dy), 1e-6)
    kp = len(shape.path_basis)
    T = np.exp(z[:, 0])
    path = shape.path_mean + z[:, 1:1 + kp] @ shape.path_basis
    # pin the ends exactly (start at 0, end at the aimed point), spreading the difference along the path
    sg = np.linspace(0.0, 1.0, PATH_PTS)
    PU, PV = path[:, :PATH_PTS], path[:, PATH_PTS:]
    PU = PU - PU[:, :1] - (PU[:, -1:] - PU[:, :1] - 1.0) * sg
    PV = PV - PV[:, :1] - (PV[:, -1:] - PV[:, :1]) * sg
    # progress: negative root speeds are a still hand (pauses); a still stretch at either end is no
    # part of a recorded movement (it starts at its first move and ends at its last), so it is cut
    root = shape.speed_mean + z[:, 1 + kp:] @ shape.speed_basis
    moving = root > 0
    spd = np.where(moving, root, 0.0) ** 2
    none = ~moving.any(1)
    spd[none] = 1.0
    moving[none] = True
    cells = GRID - 1
    first = np.argmax(moving, 1)
    last = cells - 1 - np.argmax(moving[:, ::-1], 1)
    S = np.column_stack([np.zeros(n), np.cumsum(spd, 1)])
    S /= S[:, -1:]
    tg = np.linspace(0.0, 1.0, GRID)
    lo, hi = first / cells, (last + 1) / cells
    f = (lo[:, None] + tg[None] * (hi - lo)[:, None]) * cells
    i = np.minimum(f.astype(np.int64), GRID - 2)
    a = f - i
    r = np.arange(n)[:, None]
    S = S[r, i] * (1 - a) + S[r, i + 1] * a
    S[:, -1] = 1.0
    # submovements: speed peaks of the progress curve (each re-acceleration after a dip)
    sp = np.diff(S, axis=1)
    pk = (sp[:, 1:-1] > sp[:, :-2]) & (sp[:, 1:-1] >= sp[:, 2:]) & (sp[:, 1:-1] > 0.3 * sp.max(1, keepdims=True))
    n_sub = np.clip(pk.sum(1), 1, 4)

    t_end = T.copy()
    fix_dx, fix_dy, fix_t0, fix_d = (np.zeros(n) for _ in range(4))
    if fix_x is not None:
        fx = np.asarray(fix_x, float)
        fy = np.asarray(fix_y, float)
        miss = np.isfinite(fx)
        react = rng.lognormal(np.log(extras.get("miss_react_ms", 250.0)), 0.3, n)
        dist = np.hypot(np.nan_to_num(fx) - ex, np.nan_to_num(fy) - ey)
        dur = extras.get("corr_ms", 180.0) * (1 + np.log1p(dist / 20.0)) * rng.lognormal(0, 0.2, n)
        fix_dx = np.where(miss, np.nan_to_num(fx) - ex, 0.0)
        fix_dy = np.where(miss, np.nan_to_num(fy) - ey, 0.0)
        fix_t0 = np.where(miss, T + react, 0.0)
        fix_d = np.where(miss, dur, 0.0)
        t_end = np.where(miss, fix_t0 + fix_d, t_end)
        n_sub = n_sub + miss
    return MotorPlan(sx, sy, dx / D, dy / D, D, T, S, PU, PV, fix_dx, fix_dy, fix_t0, fix_d, t_end, n_sub)
