"""Fitting data generated from a known profile recovers its parameters (per user and the device)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import numpy as np

from simulator.mouse import fit_profile, load_profile, synth_moves
from simulator.mouse.fit import FIT_STEPS
from simulator.mouse.profile import Device

LOG_T = 0  # the first generated variable: log duration
SHIFT = {"1": -0.35, "2": 0.0, "3": 0.35}


def _known_profile():
    base = load_profile("sapimouse")
    prof = copy.copy(base)
    a = np.zeros_like(base.pop_mean)
    fast = Device("k125", np.full(64, 8.0), np.array([1.0, 0.0, 0.0]), 1.0, True, 0.0)
    slow = Device("k60", np.where(np.arange(64) % 2 == 0, 16.0, 17.0), np.array([1.0, 0.0, 0.0]), 1.0, True, 0.0)
    prof.alpha = {u: a + np.eye(len(a))[LOG_T] * s for u, s in SHIFT.items()}
    prof.devices = {"1": fast, "2": slow, "3": slow}
    # the known parameters are the law's: no realism critic (the shipped one carries tilts of the
    # recorded SapiMouse subjects 1-3, which would pull these made-up users towards them)
    prof.critic = None
    return prof


def _pairs(rng, n: int):
    x0, y0 = rng.uniform(0, 1500, n), rng.uniform(0, 800, n)
    x1, y1 = rng.uniform(0, 1500, n), rng.uniform(0, 800, n)
    keep = np.hypot(x1 - x0, y1 - y0) > 60
    return x0[keep], y0[keep], x1[keep], y1[keep]


def _write_sapimouse(prof, root: Path, n: int, rng) -> dict[str, float]:
    """One CSV per user in SapiMouse's format: movements ending in a press, 1.5 s apart. Returns median durations."""
    med = {}
    for u in SHIFT:
        b = synth_moves(*_pairs(rng, n), profile=prof, rng=rng, user=u)
        lines, t_off, durs = ["client timestamp,button,state,x,y"], 1000.0, []
        for i in range(len(b)):
            t, x, y = b.one(i)
            if len(t) < 4:
                continue
            durs.append(t[-1])
            lines += [f"{t_off + tt:.0f},NoButton,Move,{xx:.0f},{yy:.0f}" for tt, xx, yy in zip(t, x, y)]
            tp = t_off + t[-1] + 90
            lines += [f"{tp:.0f},Left,Pressed,{x[-1]:.0f},{y[-1]:.0f}", f"{tp + 100:.0f},Left,Released,{x[-1]:.0f},{y[-1]:.0f}"]
            t_off = tp + 1600
        d = root / f"user{u}"
        d.mkdir(parents=True)
        (d / "session_3min.csv").write_text("\n".join(lines) + "\n")
        med[u] = float(np.median(durs))
    return med


def test_fit_recovers_users_and_devices(tmp_path):
    rng = np.random.default_rng(0)
    prof = _known_profile()
    truth = _write_sapimouse(prof, tmp_path / "data", 120, rng)
    calls = []
    out = fit_profile(tmp_path / "data", "sapimouse", tmp_path / "fitted.json", progress=lambda d, t: calls.append((d, t)))
    assert out.exists() and out.with_suffix(".html").exists()
    assert "data:image/png;base64," in out.with_suffix(".html").read_text()
    # every step reported, the critic's stages and tilt rounds (most of a large fit's time) included
    assert sorted({d for d, _ in calls}) == list(range(1, FIT_STEPS + 1)) and calls[-1] == (FIT_STEPS, FIT_STEPS)
    fitted = load_profile(out)
    assert fitted.users == ["1", "2", "3"]
    assert json.loads(out.read_text())["meta"]["n_users"] == 3
    # devices: the 125 Hz user and the 60 Hz users
    # (a gap of two 8 ms polls shows when the pointer did not move in one: part of what is observed)
    assert np.mean(fitted.devices["1"].gap_q == 8.0) > 0.7 and np.median(fitted.devices["1"].gap_q) == 8.0
    assert np.mean(np.isin(fitted.devices["2"].gap_q, [16.0, 17.0])) > 0.9
    assert fitted.devices["2"].tick_ms == 1.0
    # per-user speed: the known log-duration shifts come back (order and size)
    lt = {u: fitted.alpha[u][LOG_T] for u in SHIFT}
    assert lt["1"] < lt["2"] < lt["3"]
    assert abs((lt["3"] - lt["1"]) - 0.7) < 0.25
    # and movements regenerated "as user u" (pairs drawn as the fixture's) take as long as the fixture's
    for u in SHIFT:
        x0, y0, x1, y1 = _pairs(rng, 400)
        b = synth_moves(x0, y0, x1, y1, profile=fitted, rng=rng, user=u)
        ours = np.median(b.t_ms[b.offsets[1:] - 1])
        assert abs(np.log(ours / truth[u])) < 0.25, (u, ours, truth[u])
