"""A generative model of movement shapes and timings learned from recorded movements.

Each recorded movement is normalised: rotated so that start -> press lies on
+x, scaled by the distance D, and its time divided by its duration T. Two
curves describe it: the path (along u and across v) on a grid of normalised
arc length -- curvature, detours, overshoot and return -- and the root speed
along that path on a grid of normalised time -- slow starts, the end phase
near the target, pauses (negative values: a still hand), corrections. A PCA
basis of each keeps the main ways movements differ; a Gaussian mixture over

    [log D, cos th, sin th | log T, PCA coefficients]

learns their joint law. Generation conditions the mixture on the task's
distance and direction and draws *new* coefficients (never a recorded
movement), adds the person's offset, and reconstructs the curve. Everything
here is pure numpy on arrays of many movements.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

GRID = 48
"""Points of the normalised time grid (0 and 1 included)."""
PATH_PTS = 33
"""Points of the normalised arc-length grid the path is read on (0 and 1 included)."""
N_COND = 3
"""Conditioning variables: log distance, cos and sin of the direction."""
CLIP = (-4.0, 5.0)
"""Normalised positions are clipped here when fitting: a few recorded movements wander 10+ distances away."""


def tau_grid() -> np.ndarray:
    return np.linspace(0.0, 1.0, GRID)


def spread_costamped(t: np.ndarray, max_spacing: float = 16.0) -> np.ndarray:
    """Times of events that share a stamp, spread back over the gap before it (as the device layer stamps them).

    RDP delivers several events on one stamp; they were sampled a clock tick or
    so apart before it. Without this their positions would all sit at one instant.
    """
    t = np.asarray(t, float)
    if len(t) < 2:
        return t.copy()
    out = t.copy()
    new = np.r_[True, t[1:] != t[:-1]]
    starts = np.flatnonzero(new)
    ends = np.r_[starts[1:], len(t)]
    for a, b in zip(starts, ends):
        k = b - a
        if k == 1:
            continue
        prev = t[a - 1] if a > 0 else t[a] - max_spacing * k
        sp = min((t[a] - prev) / k, max_spacing)
        out[a:b] = t[a] - sp * (k - 1 - np.arange(k))
    out = np.maximum(out, t[0])
    return np.maximum.accumulate(out)


HOLD_FACTOR = 2.5
"""A gap longer than this many typical gaps is a still hand: no event means the integer position did not change."""


def with_holds(t: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Insert the unseen "still here" sample before each long gap's next event.

    Capture stacks report nothing while the pointer rests, so the event after a
    pause is the first one that moved again; reading the path straight across
    the gap would turn every pause into slow creep.
    """
    d = np.diff(t)
    pos = d[d > 0]
    if len(pos) == 0:
        return t, x, y
    g = float(np.median(pos))
    k = np.flatnonzero(d > HOLD_FACTOR * g)
    if len(k) == 0:
        return t, x, y
    return (np.insert(t, k + 1, t[k + 1] - g), np.insert(x, k + 1, x[k]), np.insert(y, k + 1, y[k]))


def _start_hold(t: np.ndarray) -> bool:
    """Whether a movement's first gap is a still hand (as `with_holds` reads it)."""
    d = np.diff(t)
    pos = d[d > 0]
    return len(pos) > 0 and d[0] > HOLD_FACTOR * float(np.median(pos))


def still_latent(r: np.ndarray, depth: float = 0.35) -> np.ndarray:
    """Root speeds with still cells replaced by negative values that deepen inside a run of them.

    The mixture is Gaussian; a still stretch becomes a dip below zero, so a
    generated curve is still (clipped at 0) over a contiguous stretch as long as
    the recorded pauses, not at scattered single cells.
    """
    still = r <= 1e-6
    if not still.any():
        return r
    n = len(r)
    idx = np.arange(n)
    last_moving = np.maximum.accumulate(np.where(~still, idx, -n))
    next_moving = np.minimum.accumulate(np.where(~still, idx, 2 * n)[::-1])[::-1]
    depth_cells = np.minimum(idx - last_moving, next_moving - idx)
    return np.where(still, -depth * depth_cells, r)


def normalise(t_ms, x, y, offsets, press_x, press_y):
    """Path (N, 2 * PATH_PTS) u then v on an arc-length grid; sqrt speed (N, GRID - 1) on the time grid.

    The speed block is sqrt of the share of the path covered in each time cell
    (times GRID - 1, so a constant speed is 1): a generated negative value means
    a still hand, which is how pauses survive the Gaussian mixture.
    """
    n = len(offsets) - 1
    tg = tau_grid()
    sg = np.linspace(0.0, 1.0, PATH_PTS)
    Pth = np.zeros((n, 2 * PATH_PTS))
    Spd = np.zeros((n, GRID - 1))
    logT, logD, th = np.zeros(n), np.zeros(n), np.zeros(n)
    for i in range(n):
        a, b = offsets[i], offsets[i + 1]
        tt, xx, yy = with_holds(t_ms[a:b], x[a:b], y[a:b])
        if len(tt) > b - a and _start_hold(t_ms[a:b]):
            # a touch, then a still hand: the motion proper starts after the hold (the device layer
            # draws the first gap, hold included, from its own fitted law)
            tt, xx, yy = tt[1:], xx[1:], yy[1:]
        tt = spread_costamped(tt)
        tt = tt - tt[0]
        xx, yy = xx - x[a], yy - y[a]
        dx, dy = press_x[i] - x[a], press_y[i] - y[a]
        D = max(np.hypot(dx, dy), 1.0)
        ux, uy = dx / D, dy / D
        T = max(tt[-1], 1.0)
        u = (xx * ux + yy * uy) / D
        v = (-xx * uy + yy * ux) / D
        seg = np.hypot(np.diff(u), np.diff(v))
        cs = np.r_[0.0, np.cumsum(seg)]
        L = cs[-1]
        if L <= 0:
            cs, L = np.linspace(0, 1, len(u)), 1.0
        s = cs / L
        mv = np.r_[True, seg > 0]
        Pth[i, :PATH_PTS] = np.interp(sg, s[mv], u[mv])
        Pth[i, PATH_PTS:] = np.interp(sg, s[mv], v[mv])
        tt = tt + np.arange(len(tt)) * 1e-9
        sc = np.interp(tg * tt[-1], tt, s)
        Spd[i] = still_latent(np.sqrt(np.maximum(np.diff(sc), 0) * (GRID - 1)))
        logT[i], logD[i], th[i] = np.log(T), np.log(D), np.arctan2(dy, dx)
    return np.clip(Pth, *CLIP), Spd, logT, logD, th


def cond_vars(logD: np.ndarray, th: np.ndarray) -> np.ndarray:
    return np.column_stack([logD, np.cos(th), np.sin(th)])


# -- PCA ---------------------------------------------------------------------------------------------

def fit_pca(C: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean curve and the top-``k`` principal directions (k, dim)."""
    mean = C.mean(0)
    _, _, vt = np.linalg.svd(C - mean, full_matrices=False)
    return mean, vt[:k]


# -- Gaussian mixture (EM), conditioned at generation ---------------------------------------------------

@dataclass
class Mixture:
    """A full-covariance Gaussian mixture over [conditioning vars | generated vars]."""

    w: np.ndarray       # (C,)
    mu: np.ndarray      # (C, d)
    cov: np.ndarray     # (C, d, d)


def _logpdf(X: np.ndarray, mu: np.ndarray, cov: np.ndarray) -> np.ndarray:
    L = np.linalg.cholesky(cov)
    z = np.linalg.solve(L, (X - mu).T)
    return -0.5 * np.sum(z * z, 0) - np.log(np.diag(L)).sum() - 0.5 * X.shape[1] * np.log(2 * np.pi)


def fit_mixture(Z: np.ndarray, n_comp: int, rng: np.random.Generator, iters: int = 60,
                ridge: float = 1e-3) -> Mixture:
    """EM for a Gaussian mixture; covariances get ``ridge`` x (each variable's variance) on the diagonal."""
    n, d = Z.shape
    n_comp = max(1, min(n_comp, n // max(2 * d, 1)))
    reg = ridge * np.diag(np.var(Z, 0) + 1e-9)
    # k-means++-style start: spread initial means over the data
    mu = Z[rng.choice(n, n_comp, replace=False)]
    cov = np.repeat(np.cov(Z.T)[None] + reg, n_comp, 0)
    w = np.full(n_comp, 1.0 / n_comp)
    prev = -np.inf
    for _ in range(iters):
        lp = np.stack([np.log(w[c]) + _logpdf(Z, mu[c], cov[c]) for c in range(n_comp)], 1)
        m = lp.max(1, keepdims=True)
        ll = float(np.mean(m[:, 0] + np.log(np.exp(lp - m).sum(1))))
        r = np.exp(lp - m)
        r /= r.sum(1, keepdims=True)
        nk = r.sum(0) + 1e-9
        w = nk / n
        mu = (r.T @ Z) / nk[:, None]
        for c in range(n_comp):
            X = Z - mu[c]
            cov[c] = (X * r[:, c:c + 1]).T @ X / nk[c] + reg
        if ll - prev < 1e-4 * abs(ll) and _ > 5:
            break
        prev = ll
    keep = w > 1.0 / n
    return Mixture(w[keep] / w[keep].sum(), mu[keep], cov[keep])


@dataclass
class Conditional:
    """The mixture conditioned on its first ``N_COND`` variables, precomputed per component."""

    logw: np.ndarray     # (C,)
    mu_x: np.ndarray     # (C, q)
    prec_x: np.ndarray   # (C, q, q)
    logdet_x: np.ndarray
    b: np.ndarray        # (C, p)   conditional mean = b + x @ A
    A: np.ndarray        # (C, q, p)
    L: np.ndarray        # (C, p, p) Cholesky of the conditional covariance


def conditional(mix: Mixture, q: int = N_COND) -> Conditional:
    C = len(mix.w)
    p = mix.mu.shape[1] - q
    mu_x, prec_x, logdet, b, A, L = (np.zeros((C, q)), np.zeros((C, q, q)), np.zeros(C), np.zeros((C, p)),
                                     np.zeros((C, q, p)), np.zeros((C, p, p)))
    for c in range(C):
        S = mix.cov[c]
        Sxx, Sxz, Szz = S[:q, :q], S[:q, q:], S[q:, q:]
        P = np.linalg.inv(Sxx)
        mu_x[c], prec_x[c], logdet[c] = mix.mu[c, :q], P, np.linalg.slogdet(Sxx)[1]
        A[c] = P @ Sxz
        b[c] = mix.mu[c, q:] - mix.mu[c, :q] @ A[c]
        Sc = Szz - Sxz.T @ A[c]
        Sc = (Sc + Sc.T) / 2
        ev, V = np.linalg.eigh(Sc)  # a factor even when rounding left Sc barely indefinite
        L[c] = V * np.sqrt(np.maximum(ev, 0.0))
    return Conditional(np.log(mix.w), mu_x, prec_x, logdet, b, A, L)


def responsibilities(cd: Conditional, X: np.ndarray) -> np.ndarray:
    """P(component | conditioning vars), (N, C)."""
    d = X[:, None, :] - cd.mu_x[None]
    maha = np.einsum("ncq,cqr,ncr->nc", d, cd.prec_x, d)
    lp = cd.logw[None] - 0.5 * maha - 0.5 * cd.logdet_x[None]
    lp -= lp.max(1, keepdims=True)
    r = np.exp(lp)
    return r / r.sum(1, keepdims=True)


def cond_mean(cd: Conditional, X: np.ndarray) -> np.ndarray:
    """E[generated vars | X] (mixture of the components' conditional means)."""
    r = responsibilities(cd, X)
    n, (C, q, p) = len(X), cd.A.shape
    # sum_c r_c (b_c + X A_c) as two matmuls, never the (n, C, p) tensor (16 candidates x 10,000 rows)
    return r @ cd.b + (r[:, :, None] * X[:, None, :]).reshape(n, C * q) @ cd.A.reshape(C * q, p)


def sample(cd: Conditional, X: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw of the generated vars per row of X (vectorised: one matmul per component)."""
    n = len(X)
    r = responsibilities(cd, X)
    comp = (rng.random(n)[:, None] > np.cumsum(r, 1)).sum(1)
    comp = np.minimum(comp, len(cd.logw) - 1)
    eps = rng.standard_normal((n, cd.b.shape[1]))
    out = np.empty((n, cd.b.shape[1]))
    for c in range(len(cd.logw)):
        k = np.flatnonzero(comp == c)
        if len(k):
            out[k] = cd.b[c] + X[k] @ cd.A[c] + eps[k] @ cd.L[c].T
    return out
