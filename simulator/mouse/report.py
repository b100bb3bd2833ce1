"""HTML fit report for a mouse profile: real vs generated, plots embedded as PNG (base64)."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np

from simulator.mouse.profile import MouseProfile
from simulator.readers.common import Movements
from simulator.report.page import fields, figure, table, write_page

REPORT_FEATURES = ("duration", "straightness", "dev_max", "v_median", "t_peak_frac", "end_phase_frac",
                   "angle_change_std", "n_peaks", "dt_max")


def write_fit_report(prof: MouseProfile, mv: Movements, path: Path, n_max: int = 3000) -> Path:
    """Kinematic features, duration vs distance and sampling gaps: recorded vs the fitted model (same pairs, users)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from simulator.mouse.features import NAMES, UNITS, features
    from simulator.mouse.synth import synth_moves

    rng = np.random.default_rng(1)
    users = mv.user.astype(str)
    idx = np.sort(rng.permutation(np.flatnonzero(np.isin(users, prof.users)))[:n_max])
    sub = mv.subset(idx)
    sx, sy = sub.x[sub.offsets[:-1]], sub.y[sub.offsets[:-1]]
    b = synth_moves(sx, sy, sub.press_x, sub.press_y, profile=prof, rng=rng, user=list(users[idx]))
    F_real = features(sub.t_ms, sub.x, sub.y, sub.offsets)
    F_syn = features(b.t_ms, b.x, b.y, b.offsets)
    who = html.escape(", ".join(prof.users))
    parts = [f"<p>profile <b>{html.escape(prof.id)}</b>: {len(prof.alpha)} user(s) ({who}), "
             f"{len(mv)} movements ({len(idx)} shown below). The plots compare the recorded movements with the "
             f"profile's for the same start and press points as the same users: how well the fit reproduces its own "
             f"data, not how it does on people it has not seen (benchmarks/mouse_realism.py holds people out).</p>",
             "<h2>profile</h2>" + table(fields(prof.meta), ["field", "value"])]
    fig, axs = plt.subplots(3, 3, figsize=(12, 9))
    for name, ax in zip(REPORT_FEATURES, axs.flat):
        k = NAMES.index(name)
        r, g = F_real[:, k], F_syn[:, k]
        both = np.r_[r, g]
        lo, hi = np.nanpercentile(both, [1, 99])
        bins = np.linspace(lo, hi + 1e-9, 40)
        ax.hist(r[np.isfinite(r)], bins, alpha=0.5, density=True, label="recorded")
        ax.hist(g[np.isfinite(g)], bins, alpha=0.5, density=True, label="hcisim")
        ax.set(title=name, xlabel=UNITS[name], ylabel="density")
    axs[0, 0].legend()
    fig.tight_layout()  # each title sat on the tick labels of the panel above
    parts.append("<h2>Kinematic features, recorded vs generated (same pairs, same users)</h2>" + figure(fig))
    fig, axs = plt.subplots(1, 2, figsize=(12, 4))
    D = np.hypot(sub.press_x - sx, sub.press_y - sy)
    # dots of 2 pt at 30 % suit thousands of movements; the few of a small fit were all but invisible
    size, alpha = float(np.clip(4000 / len(D), 2, 16)), float(np.clip(300 / len(D), 0.3, 0.8))
    axs[0].scatter(D, F_real[:, 0], s=size, alpha=alpha, label="recorded")
    axs[0].scatter(D, F_syn[:, 0], s=size, alpha=alpha, label="hcisim")
    axs[0].set(xscale="log", yscale="log", xlabel="distance (px)", ylabel="duration (ms)")
    axs[0].legend()
    g_r = np.diff(sub.t_ms)[np.diff(sub.t_ms) >= 0]
    g_s = np.diff(b.t_ms)[np.diff(b.t_ms) >= 0]
    bins = np.linspace(0, np.percentile(g_r, 98) + 1, 60)
    axs[1].hist(g_r, bins, alpha=0.5, density=True, label="recorded")
    axs[1].hist(g_s, bins, alpha=0.5, density=True, label="hcisim")
    axs[1].set(xlabel="gap between events (ms)", ylabel="density")
    axs[1].legend()
    fig.tight_layout()
    parts.append("<h2>Duration vs distance; sampling gaps</h2>" + figure(fig))
    return write_page(path, f"mouse fit report: {prof.id}", "".join(parts))
