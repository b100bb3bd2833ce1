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
    rtick = reg / RDP_TICK_MS
    tick = RDP_TICK_MS if med > 12 and np.mean(np.abs(rtick - np.rint(rtick)) < 0.1) > 0.8 else 1.0
    r = np.concatenate(runs)
    per = np.array([np.mean(r == 1), np.mean(r == 2), np.mean(r >= 3)]) + 1e-6
    return Device(name, np.quantile(reg, np.linspace(0, 1, 64)), per / per.sum(), tick, True)


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


def fit_movements(mv: Movements, profile_id: str, meta: dict, progress: Callable[[int, int], None] | None = None,
                  calib_rounds: int = 2, seed: int = 0) -> MouseProfile:
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
    total = 2 + calib_rounds
    if progress:
        progress(1, total)
    B, within, alpha = _regress(P_real, X, users)
    devices = {u: fit_device(mv.subset(users == u), f"{profile_id}:{u}") for u in alpha}
    extras = {"w_ref_px": 40.0, "fitts_log_T_per_bit": 0.12, "miss_react_ms": 250.0, "corr_ms": 180.0}
    prof = MouseProfile(profile_id, "", meta, alpha, devices, B, within, np.zeros(len(PARAM_NAMES)),
                        np.eye(len(PARAM_NAMES)), extras)
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
            alpha[u] = alpha[u] + (P_real[pick][m].mean(0) - P_syn[m].mean(0))
        if progress:
            progress(3 + r, total)
    A = np.stack([alpha[u] for u in alpha])
    prof.pop_mean = A.mean(0)
    prof.pop_cov = np.cov(A.T) + 1e-4 * np.eye(A.shape[1]) if len(A) > 1 else 1e-4 * np.eye(A.shape[1])
    prof.meta = {**meta, "n_movements": int(len(mv)), "n_users": int(len(alpha)), "param_names": list(PARAM_NAMES),
                 "covariates": list(COVARIATES), "calibration_rounds": calib_rounds}
    prof._fit_data = (mv, P_real, X, users)  # for the fit report only; not saved
    return prof


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
    write_fit_report(prof, out.with_suffix(".html"))
    return out
