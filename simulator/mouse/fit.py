"""Fit a mouse profile from recorded movements: per-user parameters, their population law, devices.

Steps: cut movements (the benchmark's rule), measure each movement's model
parameters, fit ``p = alpha_user + B x + eps`` by within-user regression,
fit each user's capture device, then calibrate: generate the same (start,
press) pairs as each user, measure the synthetic movements the same way and
move the user's intercepts by the difference (twice). That last step corrects
everything the measurement gets wrong on coarse or noisy captures.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from simulator.errors import HcisimError
from simulator.mouse.measure import covariates, measure
from simulator.mouse.profile import COVARIATES, PARAM_NAMES, Device, MouseProfile, save_profile
from simulator.readers.common import Movements, PointerLog, cut_movements

RDP_TICK_MS = 1000.0 / 64
CALIB_PER_USER = 150
DAMP = 0.7            # per-user calibration moves intercepts this share of the measured gap per round
SMM_MIN_MOVES = 1000  # kinematic matching needs enough movements to be stable; below, it is skipped
SMM_MAX_SHIFT = 1.5   # and may move intercepts at most this far (transformed units) from the calibration
MIN_MOVES = 5


def read_logs(data: Path, fmt: str) -> list[PointerLog]:
    data = Path(data)
    if fmt == "sapimouse":
        from simulator.readers.sapimouse import read_sapimouse
        return read_sapimouse(data)
    if fmt == "balabit":
        from simulator.readers.balabit import read_balabit
        return read_balabit(data)
    if fmt == "hcisim":
        return read_hcisim(data)
    raise HcisimError(f"unknown mouse data format {fmt!r} (known: sapimouse, balabit, hcisim)")


def read_hcisim(data: Path) -> list[PointerLog]:
    """Pointer events of an hcisim dataset, one log per session."""
    try:
        from simulator.dataset import read_dataset
    except ImportError:  # the dataset reader is not in this build
        raise HcisimError("reading hcisim datasets needs simulator.dataset.read_dataset") from None
    ev = read_dataset(data).events
    cols = {c: ev[c].to_numpy(zero_copy_only=False) for c in ("session_id", "t_ms", "type", "x", "y", "button")}
    from simulator.readers.common import MOVE, OTHER, PRESS_LEFT, RELEASE
    logs = []
    for sid in np.unique(cols["session_id"].astype(str)):
        m = (cols["session_id"] == sid) & np.isin(cols["type"], ["move", "down", "up"])
        ty, bt = cols["type"][m], cols["button"][m]
        kind = np.full(m.sum(), OTHER, np.int8)
        kind[ty == "move"] = MOVE
        kind[(ty == "down") & (bt == "left")] = PRESS_LEFT
        kind[ty == "up"] = RELEASE
        logs.append(PointerLog(str(sid), str(sid), cols["t_ms"][m].astype(float), cols["x"][m].astype(float),
                               cols["y"][m].astype(float), kind))
    return logs


def fit_device(mv: Movements, name: str) -> Device:
    """Gaps between distinct stamps while moving (the device regime), clock tick, events per stamp."""
    gaps, runs = [], []
    for i in range(len(mv)):
        t = mv.one(i)[0]
        d = np.diff(t)
        gaps.append(d[d > 0])
        edges = np.flatnonzero(np.r_[True, d > 0, True])
        runs.append(np.diff(edges))
    g = np.concatenate(gaps) if gaps else np.zeros(0)
    if len(g) < 10:
        g = np.r_[g, np.full(10, 16.0)]
    med = np.median(g)
    reg = g[g <= 2.2 * med]
    # a Windows 15.6 ms clock shows as every gap within ~0.7 ms of a multiple of it (browsers: 16/17 ms, 7/8 ms)
    off = np.abs(reg - np.rint(reg / RDP_TICK_MS) * RDP_TICK_MS)
    tick = RDP_TICK_MS if np.mean(off <= 0.7) > 0.95 else 1.0
    r = np.concatenate(runs)
    per = np.array([np.mean(r == 1), np.mean(r == 2), np.mean(r >= 3)]) + 1e-6
    # mid-quantiles: each of the 64 values stands for 1/64 of the gaps (no extreme min/max entries)
    return Device(name, np.quantile(reg, (np.arange(64) + 0.5) / 64, method="nearest"), per / per.sum(), tick, True)


def _regress(P: np.ndarray, X: np.ndarray, users: np.ndarray):
    """Within-user least squares: slopes B shared, intercepts per user, pooled residual covariance."""
    uu = np.unique(users)
    Xc, Pc = X.copy(), P.copy()
    for u in uu:
        m = users == u
        Xc[m] -= X[m].mean(0)
        Pc[m] -= P[m].mean(0)
    B, *_ = np.linalg.lstsq(Xc, Pc, rcond=None)
    R = Pc - Xc @ B
    dof = max(len(P) - len(uu) - X.shape[1], 1)
    within = R.T @ R / dof
    alpha = {str(u): P[users == u].mean(0) - X[users == u].mean(0) @ B for u in uu}
    return B, within, alpha


def _iqr(P: np.ndarray) -> np.ndarray:
    q = np.percentile(P, [25, 75], axis=0)
    return q[1] - q[0]


def fit_movements(mv: Movements, profile_id: str, meta: dict, progress: Callable[[int, int], None] | None = None,
                  calib_rounds: int = 3, seed: int = 0) -> MouseProfile:
    """Fit a profile to cut movements (all of them: split before calling if you hold data out)."""
    from simulator.mouse.synth import synth_moves  # calibration generates; synth imports profile only

    if len(mv) == 0:
        raise HcisimError("no pointing movements found (runs of moves ending in a left press, >= 4 samples, >= 20 px)")
    users = mv.user.astype(str)
    uu, cnt = np.unique(users, return_counts=True)
    keep = np.isin(users, uu[cnt >= MIN_MOVES])
    if not keep.any():
        raise HcisimError(f"too few movements per user to fit (need >= {MIN_MOVES} for at least one user)")
    mv = mv.subset(keep)
    users = users[keep]
    sx, sy = mv.x[mv.offsets[:-1]], mv.y[mv.offsets[:-1]]
    X = covariates(sx, sy, mv.press_x, mv.press_y)
    P_real = measure(mv.t_ms, mv.x, mv.y, mv.offsets, mv.press_x, mv.press_y)
    total = 3 + calib_rounds
    if progress:
        progress(1, total)
    B, within, alpha = _regress(P_real, X, users)
    devices = {u: fit_device(mv.subset(users == u), f"{profile_id}:{u}") for u in alpha}
    extras = {"w_ref_px": 40.0, "fitts_log_T_per_bit": 0.12, "miss_react_ms": 250.0, "corr_ms": 180.0}
    prof = MouseProfile(profile_id, "", meta, alpha, devices, B, within, np.zeros(len(PARAM_NAMES)),
                        np.eye(len(PARAM_NAMES)), extras, {u: float(np.sum(users == u)) for u in alpha})
    if progress:
        progress(2, total)
    rng = np.random.default_rng(seed)
    # calibration sample: up to CALIB_PER_USER movements of each user
    pick = np.concatenate([rng.permutation(np.flatnonzero(users == u))[:CALIB_PER_USER] for u in alpha])
    pick.sort()
    for r in range(calib_rounds):
        b = synth_moves(sx[pick], sy[pick], mv.press_x[pick], mv.press_y[pick], profile=prof, rng=rng,
                        user=list(users[pick]))
        P_syn = measure(b.t_ms, b.x, b.y, b.offsets, b.press_x, b.press_y)
        for u in alpha:
            m = users[pick] == u
            # medians: the measurements have heavy tails (wandering movements)
            alpha[u] = alpha[u] + DAMP * (np.median(P_real[pick][m], 0) - np.median(P_syn[m], 0))
        # spreads: the model adds its own variation on top of the drawn parameters, so scale
        # the within-user law until the measured spreads match (pooled over users)
        ratio = np.clip(_iqr(P_real[pick]) / np.maximum(_iqr(P_syn), 1e-6), 0.5, 1.5)
        ratio[PARAM_NAMES.index("n_corr")] = 1.0
        prof.within_cov = prof.within_cov * np.outer(ratio, ratio)
        if progress:
            progress(3 + r, total)
    if len(pick) >= SMM_MIN_MOVES:
        _match_kinematics(prof, mv.subset(pick), list(users[pick]))
    if progress:
        progress(total, total)
    A = np.stack([alpha[u] for u in alpha])
    prof.pop_mean = A.mean(0)
    prof.pop_cov = np.cov(A.T) + 1e-4 * np.eye(A.shape[1]) if len(A) > 1 else 1e-4 * np.eye(A.shape[1])
    prof.meta = {**meta, "n_movements": int(len(mv)), "n_users": int(len(alpha)), "param_names": list(PARAM_NAMES),
                 "covariates": list(COVARIATES), "calibration_rounds": calib_rounds}
    return prof


MOMENTS = ("duration", "v_median", "v_max", "end_phase_frac", "t_peak_frac", "n_peaks", "angle_change_mean",
           "dt_long_frac", "dev_max", "straightness", "j_mean", "a_mean", "pause_frac", "n_samples", "dev_mean",
           "dt_max", "dt_std", "angle_change_std", "v_std")


def _moments(F: np.ndarray, cols: list[int]) -> np.ndarray:
    X = F[:, cols]
    return np.r_[np.nanmedian(X, 0), np.nanpercentile(X, 85, 0), np.nanpercentile(X, 15, 0)]


def _match_kinematics(prof: MouseProfile, mv: Movements, users: list[str], rounds: int = 5) -> None:
    """Shift every user's intercepts by one vector so kinematic feature quantiles match the recordings.

    Simulated method of moments: the parameters are measured per movement, but
    what a detector sees are speeds, pauses, peaks and turning angles; matching
    their medians and 85th percentiles (Gauss-Newton, finite differences with
    common random numbers) closes the gap the measurement leaves.
    """
    from simulator.mouse.features import NAMES, features
    from simulator.mouse.synth import synth_moves

    cols = [NAMES.index(c) for c in MOMENTS]
    sx, sy = mv.x[mv.offsets[:-1]], mv.y[mv.offsets[:-1]]
    F_real = features(mv.t_ms, mv.x, mv.y, mv.offsets)
    target = _moments(F_real, cols)
    q = np.nanpercentile(F_real[:, cols], [25, 75], axis=0)
    scale = np.tile(np.maximum(q[1] - q[0], 1e-3 + 0.05 * np.abs(np.nanmedian(F_real[:, cols], 0))), 3)
    base = {u: a.copy() for u, a in prof.alpha.items()}

    def sim(delta: np.ndarray) -> np.ndarray:
        for u in base:
            prof.alpha[u] = base[u] + delta
        b = synth_moves(sx, sy, mv.press_x, mv.press_y, profile=prof, rng=np.random.default_rng(7), user=users)
        return (_moments(features(b.t_ms, b.x, b.y, b.offsets), cols) - target) / scale

    k = len(PARAM_NAMES)
    free = list(range(k))
    delta = np.zeros(k)
    h = 0.25
    r = sim(delta)
    for _ in range(rounds):
        J = np.zeros((len(r), len(free)))
        for c, i in enumerate(free):
            e = np.zeros(k)
            e[i] = h
            J[:, c] = (sim(delta + e) - r) / h
        step = np.linalg.lstsq(np.vstack([J, 0.3 * np.eye(len(free))]), np.r_[-r, np.zeros(len(free))], rcond=None)[0]
        trial = delta.copy()
        trial[free] = np.clip(trial[free] + np.clip(step, -0.5, 0.5), -SMM_MAX_SHIFT, SMM_MAX_SHIFT)
        r_new = sim(trial)
        if np.sum(r_new ** 2) < np.sum(r ** 2):
            delta, r = trial, r_new
    for u in base:
        prof.alpha[u] = base[u] + delta
    prof.meta["kinematic_match_residual"] = float(np.sqrt(np.mean(r ** 2)))


def fit_profile(data: Path, fmt: str, out: Path, progress: Callable[[int, int], None] | None = None,
                users: set[str] | None = None, meta: dict | None = None) -> Path:
    """``hcisim fit mouse``: read, cut, fit, write the profile and an HTML fit report beside it."""
    from simulator.mouse.report import write_fit_report

    out = Path(out)
    if out.suffix.lower() != ".json":
        raise HcisimError(f"{out}: a mouse profile is written as .json")
    logs = read_logs(Path(data), fmt)
    if users is not None:
        logs = [lg for lg in logs if lg.user in users]
    mv = cut_movements(logs)
    pid = out.stem
    m = {"source_format": fmt, "source": str(Path(data).name), "sessions": len(logs), **(meta or {})}
    prof = fit_movements(mv, pid, m, progress)
    save_profile(prof, out)
    write_fit_report(prof, mv, out.with_suffix(".html"))
    return out
