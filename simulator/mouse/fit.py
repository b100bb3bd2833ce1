"""Fit a mouse profile from recorded movements: the learned shape law, per-user offsets, devices.

Steps: cut movements (the benchmark's rule); normalise each (rotate start ->
press onto +x, scale by distance, time by duration) into a path curve and a
root speed curve (`simulator.mouse.shape`); PCA bases of both; per-user
offsets of [log T, coefficients] from the population's conditional mean,
shrunk by how much data each user has (empirical Bayes); a Gaussian mixture
over [log D, direction | log T, coefficients] with the offsets removed; the
population law of the offsets; each user's capture device; last, a realism
critic (recorded vs the law's own movements, `simulator.critic`) that synthesis
uses to choose among candidate draws. Generation never reads recorded
movements: only these fitted numbers ship.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from simulator.critic import MIN_CRITIC_ITEMS, STAGES, Critic, fit_critic_in_stages, fit_tilts_in_rounds
from simulator.atomic import check_file_out, json_with
from simulator.errors import HcisimError
from simulator.mouse.features import features
from simulator.mouse.profile import PROFILE_KIND, Device, MouseProfile, ShapeModel, save_profile
from simulator.mouse.shape import GRID, PATH_PTS, cond_mean, cond_vars, conditional, fit_mixture, fit_pca, normalise
from simulator.mouse.synth import PERSON_BLOCK, synth_moves
from simulator.progress import Progress, Steps
from simulator.readers.common import MOVE, Movements, PointerLog, cut_movements, say_unread

RDP_TICK_MS = 1000.0 / 64
MIN_MOVES = 5
K_PATH = 20       # PCA components of the path curve (20 vs 12: better on a validation split of training data)
K_SPEED = 12      # and of the root speed curve
N_COMPONENTS = 16  # mixture components (fewer on small data: at least 2 x dimensions movements each)
CRITIC_MOVES = 20000  # recorded movements the realism critic is fitted on (at most)
CRITIC_DRAWS = 2      # the law's movements per recorded one in the critic's fit: its side of the ratio is the noisier
CANDIDATES = 32
"""Draws per movement the critic chooses among, at synthesis and in the fit of its stages and tilts (which correct
what that choice leaves). Benchmark held-out split, seeds 0 / 1 / 2, with stages fitted at 16: SapiMouse 0.686 /
0.658 / 0.654 at 16 -> 0.662 / 0.623 / 0.637 at 32 (8: 0.722 / 0.701 / 0.714), Balabit about the same (0.645 /
0.626 / 0.601 -> 0.624 / 0.627 / 0.615); refitted at 32, SapiMouse 0.665 / 0.640 / 0.631. Synthesis takes ~1.4x as
long (10,000 pairs 13.1 s, 766 movements/s, against 9.2 s)."""
TILT_MOVES = 300     # movements per user for their tilt of the critic
TILT_ROUNDS = 16
"""Rounds of each person's tilt (simulator.critic.fit_tilts_in_rounds). The critic's trees pull everyone towards
the population: with 8 rounds augmented SapiMouse people were re-identified at 79 % (their real held-out sessions:
89 %), with 16 at 84 %. Typing keeps 8: 16 made free-text typists' held-out texts easier to tell from recorded ones
(realism AUC 0.70 -> 0.73, five seeds)."""


FIT_STEPS = 5 + STAGES + TILT_ROUNDS
"""Progress steps of `fit_movements`: the law's five, then each critic stage and tilt round (most of the time:
74 of 76 s on nine SapiMouse people)."""

FIRST_PER_QUANTILE = 4
"""Recorded movements per entry of a device's first-gap table (at least)."""


TIME_UNIT = {"sapimouse": "milliseconds", "balabit": "seconds", "hcisim": "milliseconds (t_ms)"}
"""What each format's times count."""
MOVE_GAP_MS = (0.5, 1000.0)
"""The median gap between a session's successive moves lies in this range (recorded: 7-20 ms SapiMouse, 16-125 ms
Balabit); outside it the times are in another unit than the format's (a gap over 1 s also ends every movement)."""
CLOCK_MOVES = 10
"""Successive moves a session needs before its clock is judged."""


def read_logs(data: Path, fmt: str) -> list[PointerLog]:
    data = Path(data)
    if fmt == "sapimouse":
        from simulator.readers.sapimouse import read_sapimouse
        logs = read_sapimouse(data)
    elif fmt == "balabit":
        from simulator.readers.balabit import read_balabit
        logs = read_balabit(data)
    elif fmt == "hcisim":
        from simulator.readers.hcisim import read_pointer
        logs = read_pointer(data)
    else:
        raise HcisimError(f"unknown mouse data format {fmt!r} (known: sapimouse, balabit, hcisim)")
    check_clock(logs, data, fmt)
    return logs


def check_clock(logs: list[PointerLog], data: Path, fmt: str) -> None:
    """Stop with one line when a session's times cannot be the format's unit. Why: a SapiMouse-format file
    in seconds fitted, without a word, a profile whose movements took 0 ms; in microseconds every gap ended
    a movement and the fit said only that there were no pointing movements; times that never advance
    fitted movements of no duration."""
    for log in logs:
        both = (log.kind[1:] == MOVE) & (log.kind[:-1] == MOVE)
        gaps = np.diff(log.t_ms)[both]
        if len(gaps) < CLOCK_MOVES:
            continue
        step = gaps[gaps > 0]
        where = f"{data}: session {log.session}"
        if not len(step):
            raise HcisimError(f"{where}: its times never advance between its {int(np.sum(log.kind == MOVE))} moves; nothing to "
                              f"fit a movement's timing on")
        med = float(np.median(step))
        if not MOVE_GAP_MS[0] <= med <= MOVE_GAP_MS[1]:
            raise HcisimError(f"{where}: successive moves are {med:.3g} ms apart at the median (a pointer is "
                              f"sampled every 7-125 ms): are its times in another unit? {fmt} times are "
                              f"{TIME_UNIT[fmt]}")


def fit_device(mv: Movements, name: str) -> Device:
    """Gaps between distinct stamps while moving (the device regime), clock tick, events per stamp."""
    gaps, runs, n_st, n_sh, first = [], [], [], [], []
    for i in range(len(mv)):
        t = mv.one(i)[0]
        d = np.diff(t)
        gaps.append(d[d > 0])
        if len(gaps[-1]):
            first.append(t[np.argmax(t > t[0])] - t[0])
        edges = np.flatnonzero(np.r_[True, d > 0, True])
        runs.append(np.diff(edges))
        n_st.append(len(runs[-1]))
        n_sh.append(int(np.sum(runs[-1] > 1)))
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
    # the first gap is its own law: the first Move comes at any phase of the clock (short gaps), and a
    # third of SapiMouse movements start with a touch, then a still hand (a long first gap)
    # each of (at most 32) values summarises at least FIRST_PER_QUANTILE movements: a table with a value per
    # recorded movement would be a copy of them in a profile meant to be shared
    k = min(32, len(first) // FIRST_PER_QUANTILE)
    fq = np.quantile(first, (np.arange(k) + 0.5) / k) if k >= 8 else None
    # mid-quantiles: each of the 64 values stands for 1/64 of the gaps (no extreme min/max entries)
    return Device(name, np.quantile(reg, (np.arange(64) + 0.5) / 64, method="nearest"), per / per.sum(), tick, True,
                  share_conc=_share_concentration(np.array(n_st, float), np.array(n_sh, float)), first_q=fq)


def _share_concentration(n: np.ndarray, s: np.ndarray) -> float:
    """Beta-binomial concentration c of how many of a movement's n stamps are shared (s of them).

    Method of moments: var(s) = n p (1-p) (1 + (n-1) rho), rho = 1 / (c + 1). Movements
    differ in how bursty RDP delivery was (c of a few), but far less than the
    all-or-nothing law c = 1 would say.
    """
    if len(n) < 5 or s.sum() == 0:
        return 1.0
    p = s.sum() / n.sum()
    q = p * (1 - p)
    den = np.sum(n * (n - 1)) * q
    rho = np.sum((s - n * p) ** 2 - n * q) / den if den > 0 else 1.0
    return float(np.clip(1.0 / max(rho, 1e-3) - 1.0, 0.05, 1000.0))


def _user_offsets(R: np.ndarray, users: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per-user offsets of residuals ``R``, shrunk to 0 by how much data a user has, and their population law.

    Per variable, a user's mean residual is scaled by n tau^2 / (n tau^2 + s^2)
    (s^2 within-user, tau^2 between-user variance): a user with few movements
    is mostly the population. The population covariance is the between-user
    covariance of the means minus their sampling noise (projected to PSD).
    """
    uu = np.unique(users)
    means = np.stack([R[users == u].mean(0) for u in uu])
    n_u = np.array([np.sum(users == u) for u in uu], float)
    W = np.zeros((R.shape[1], R.shape[1]))
    for u, m in zip(uu, means):
        X = R[users == u] - m
        W += X.T @ X
    W /= max(len(R) - len(uu), 1)
    s2 = np.diag(W)
    if len(uu) > 1:
        B = np.cov(means.T, aweights=n_u) - W * np.mean(1.0 / n_u)
        ev, V = np.linalg.eigh((B + B.T) / 2)
        B = (V * np.maximum(ev, 0)) @ V.T
    else:
        B = np.zeros_like(W)
    tau2 = np.diag(B)
    k = n_u[:, None] * tau2[None] / (n_u[:, None] * tau2[None] + s2[None] + 1e-12)
    offsets = {str(u): k[i] * means[i] for i, u in enumerate(uu)}
    return offsets, B + 1e-6 * np.eye(len(B))


def _user_scales(R: np.ndarray, users: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per-user log spread of residuals ``R`` (about the user's offset) relative to everyone's, shrunk
    by how much data a user has, and the SD of the true log spreads between users.

    A person is not only where their movements sit on average but how much they vary: some make
    every movement alike, some are jerky and wander. An offset alone gives everyone the population's
    variety. The log of a sample variance from n values has sampling variance about 2 / (n - 1)
    (halved for a log SD), which is taken out of the between-user variance and sets the shrinkage.
    """
    uu = np.unique(users)
    n_u = np.array([np.sum(users == u) for u in uu], float)
    var_u = np.stack([R[users == u].var(0, ddof=1) for u in uu])
    pooled = np.average(var_u, axis=0, weights=n_u - 1)
    raw = 0.5 * np.log(np.maximum(var_u, 1e-12) / np.maximum(pooled, 1e-12))
    raw -= np.average(raw, axis=0, weights=n_u)
    noise = 0.5 / (n_u - 1)
    tau2 = np.maximum(np.average(raw ** 2, axis=0, weights=n_u) - np.average(noise, weights=n_u), 0.0)
    k = tau2[None] / (tau2[None] + noise[:, None])
    return {str(u): k[i] * raw[i] for i, u in enumerate(uu)}, np.sqrt(tau2)


def fit_movements(mv: Movements, profile_id: str, meta: dict, progress: Progress = None,
                  seed: int = 0, critic: bool = True) -> MouseProfile:
    """Fit a profile to cut movements (all of them: split before calling if you hold data out).

    ``critic=False`` fits the law and the devices only (seconds instead of minutes; synthesis then
    draws each movement once), for studying the law itself."""
    if len(mv) == 0:
        raise HcisimError("no pointing movements found (runs of moves ending in a left press, >= 4 samples, >= 20 px)")
    users = mv.user.astype(str)
    uu, cnt = np.unique(users, return_counts=True)
    keep = np.isin(users, uu[cnt >= MIN_MOVES])
    if not keep.any():
        raise HcisimError(f"too few movements per user to fit: {len(mv)} movement(s) of {len(uu)} user(s), at most "
                          f"{int(cnt.max())} of one (need >= {MIN_MOVES} for at least one user)")
    mv = mv.subset(keep)
    users = users[keep]
    left_out = [str(u) for u in uu[cnt < MIN_MOVES]]
    step = Steps(FIT_STEPS, progress)
    rng = np.random.default_rng(seed)
    path, speed, logT, logD, th = normalise(mv.t_ms, mv.x, mv.y, mv.offsets, mv.press_x, mv.press_y)
    n = len(mv)
    step()
    # small data: fewer components, so every one is still estimated from several movements per dimension
    kp = int(min(K_PATH, max(2, n // 12)))
    ks = int(min(K_SPEED, max(2, n // 12)))
    pm, pb = fit_pca(path, kp)
    sm, sb = fit_pca(speed, ks)
    X = cond_vars(logD, th)
    G = np.column_stack([logT, (path - pm) @ pb.T, (speed - sm) @ sb.T])
    mix0 = fit_mixture(np.column_stack([X, G]), N_COMPONENTS, rng)
    step()
    alpha, pop_cov = _user_offsets(G - cond_mean(conditional(mix0), X), users)
    step()
    A = np.stack([alpha[u] for u in users])
    mix = fit_mixture(np.column_stack([X, G - A]), N_COMPONENTS, rng)
    # generated variables stay inside what people did (a Gaussian tail drawn far out is a movement
    # nobody makes: a 3,000 px detour, a flick at twice the fastest recorded speed)
    bounds = np.quantile(G, [0.001, 0.999], axis=0)
    shape = ShapeModel(pm, pb, sm, sb, mix, bounds)
    log_scale, pop_scale_sd = _user_scales(G - A - cond_mean(conditional(mix), X), users)
    devices = {u: fit_device(mv.subset(users == u), f"{profile_id}:{u}") for u in alpha}
    step()
    extras = {"w_ref_px": 40.0, "fitts_log_T_per_bit": 0.12, "miss_react_ms": 250.0, "corr_ms": 180.0}
    meta = {**meta, "n_movements": int(n), "n_users": int(len(alpha)), "model": "learned shape law",
            "grid": {"time": GRID, "path": PATH_PTS}, "pca": {"path": kp, "speed": ks},
            "mixture_components": int(len(mix.w))}
    if left_out:  # (they were dropped without a word: moving "as" one of them then said the profile had no such user)
        meta["users_left_out"] = {"users": left_out, "why": f"fewer than {MIN_MOVES} pointing movements each"}
    prof = MouseProfile(profile_id, "", meta, shape, alpha, devices, np.zeros(G.shape[1]), pop_cov, extras,
                        {u: float(np.sum(users == u)) for u in alpha}, log_scale, pop_scale_sd)
    step()
    prof.critic = fit_movement_critic(prof, mv, rng, step) if critic else None
    if prof.critic is not None:
        fit_person_tilts(prof, mv, rng, step)
        prof.meta["critic"] = {"movements": int(min(len(mv), CRITIC_MOVES)), "C": prof.critic.C,
                               "candidates": prof.critic.candidates}
    elif critic:
        prof.meta["critic"] = (f"none: {n} movements; the realism critic needs at least {MIN_CRITIC_ITEMS}, so "
                               f"synthesis draws each movement once (--candidates has no effect)")
    step.finish()
    return prof


def fit_movement_critic(prof: MouseProfile, mv: Movements, rng: np.random.Generator,
                        tick: Callable[[], None] | None = None) -> Critic | None:
    """The realism critic (simulator/critic.py), in stages: recorded movements' kinematic features
    against the profile's own movements for the same (start, press) pairs, moved by new people drawn
    from the population in blocks, as `hcisim synth-moves` does (first by the law alone, then through
    the critic as fitted so far, set as ``prof.critic`` while it generates)."""
    idx = np.sort(rng.permutation(len(mv))[:CRITIC_MOVES])
    sub = mv.subset(idx)
    x0, y0 = sub.x[sub.offsets[:-1]], sub.y[sub.offsets[:-1]]
    x0, y0, x1, y1 = (np.tile(v, CRITIC_DRAWS) for v in (x0, y0, sub.press_x, sub.press_y))
    F_rec = features(sub.t_ms, sub.x, sub.y, sub.offsets)

    def generate(critic: Critic | None) -> np.ndarray:
        prof.critic = critic
        people = prof.draw_many(rng, -(-len(x0) // PERSON_BLOCK))
        who = [people[i // PERSON_BLOCK] for i in range(len(x0))]
        gen = synth_moves(x0, y0, x1, y1, profile=prof, rng=rng, user=who)
        F = features(gen.t_ms, gen.x, gen.y, gen.offsets)
        return F[~np.isnan(F).all(1)]

    return fit_critic_in_stages(F_rec[~np.isnan(F_rec).all(1)], generate, seed=int(rng.integers(2 ** 31)),
                                candidates=CANDIDATES, tick=tick)


def fit_person_tilts(prof: MouseProfile, mv: Movements, rng: np.random.Generator,
                     tick: Callable[[], None] | None = None) -> None:
    """Each fitted user's tilt of the profile's critic (`simulator.critic.fit_tilts_in_rounds`) from up
    to TILT_MOVES of their movements, recorded and as the profile generates them for that user."""
    users = mv.user.astype(str)
    idx = np.sort(np.concatenate([rng.permutation(np.flatnonzero(users == u))[:TILT_MOVES] for u in prof.alpha]))
    sub = mv.subset(idx)
    x0, y0 = sub.x[sub.offsets[:-1]], sub.y[sub.offsets[:-1]]

    def generate() -> tuple[np.ndarray, np.ndarray]:
        gen = synth_moves(x0, y0, sub.press_x, sub.press_y, profile=prof, rng=rng, user=list(users[idx]))
        return features(gen.t_ms, gen.x, gen.y, gen.offsets), np.asarray(gen.user)

    fit_tilts_in_rounds(prof.critic, features(sub.t_ms, sub.x, sub.y, sub.offsets), users[idx], generate,
                        rounds=TILT_ROUNDS, tick=tick)


def fit_profile(data: Path, fmt: str, out: Path, progress: Progress = None,
                users: set[str] | None = None, meta: dict | None = None,
                note: Callable[[str], None] | None = None) -> Path:
    """``hcisim fit mouse``: read, cut, fit, write the profile and an HTML fit report beside it. ``note`` hears
    what a user should know of the result (a fit too small for the realism critic)."""
    from simulator.mouse.report import write_fit_report
    from simulator.report.page import REPORT

    out = Path(out)
    if out.suffix.lower() != ".json":
        raise HcisimError(f"{out}: a mouse profile is written as .json")
    # a profile may be written beside the recordings, never over one of them (a dataset's manifest was replaced)
    check_file_out(out, replaces=("a mouse profile", json_with("kind", PROFILE_KIND)))
    # before the profile is replaced: a refused report wrote it anyway
    check_file_out(out.with_suffix(".html"), replaces=REPORT)
    logs = read_logs(Path(data), fmt)
    say_unread(Path(data), fmt, note)
    if users is not None:
        logs = [lg for lg in logs if lg.user in users]
    mv = cut_movements(logs)
    pid = out.stem
    m = {"source_format": fmt, "source": str(Path(data).name), "sessions": len(logs), **(meta or {})}
    prof = fit_movements(mv, pid, m, progress)
    if isinstance(prof.meta.get("critic"), str) and note is not None:
        note(f"{out}: realism critic {prof.meta['critic']}")
    gone = prof.meta.get("users_left_out")
    if gone and note is not None:
        names = gone["users"]
        note(f"{out}: {len(names)} user(s) left out, {gone['why']}: {', '.join(names[:5])}{' ...' if len(names) > 5 else ''}")
    save_profile(prof, out)
    write_fit_report(prof, mv, out.with_suffix(".html"))
    return out
