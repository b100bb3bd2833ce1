"""Pure pieces the scenario planner uses: one pointing movement, idle drift, wheel bursts, a device.

All take (profile, ..., rng) and return arrays with times relative to 0; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.errors import HcisimError
from simulator.mouse.device import NAMED_DEVICES, _stamps
from simulator.mouse.profile import Device, MouseProfile, MouseUser, load_profile
from simulator.mouse.synth import person, resolve_device, synth_moves

NOTCH_PX = 100.0
"""One wheel notch scrolls 100 px in Chromium and most desktop toolkits."""


@dataclass
class Trajectory:
    """One pointing movement as the device reports it, ending where the button is pressed."""

    t_ms: np.ndarray
    x: np.ndarray
    y: np.ndarray
    press_x: float
    press_y: float
    missed: bool
    n_submovements: int


def plan_pointing(profile: MouseProfile | str, start_xy, box_xywh, rng: np.random.Generator,
                  user: str | MouseUser | None = None, device: str | Device | None = None) -> Trajectory:
    """Move from ``start_xy`` into the box (x, y, w, h: top-left and size, px).

    If the first aim misses the box the trajectory includes the corrective
    movement, so the press lands inside, and ``missed`` says so. Drags use the
    same trajectory with the button held.
    """
    profile = load_profile(profile)
    sx, sy = map(float, start_xy)
    if box_xywh is None:
        raise HcisimError("plan_pointing needs a target box (x, y, w, h)")
    bx, by, bw, bh = map(float, box_xywh)
    if not (bw > 0 and bh > 0):
        raise HcisimError(f"target box has no area: {box_xywh}")
    who = person(profile, rng, user)
    b = synth_moves([sx], [sy], [bx + bw / 2], [by + bh / 2], [bw], [bh], profile=profile, rng=rng,
                    user=who, device=device)
    t, x, y = b.one(0)
    return Trajectory(t, x, y, float(b.press_x[0]), float(b.press_y[0]), bool(b.missed[0]),
                      int(b.n_submovements[0]))


def idle_drift(profile: MouseProfile | str, start_xy, duration_ms: float, rng: np.random.Generator,
               user: str | MouseUser | None = None, device: str | Device | None = None):
    """Small jiggles of a resting hand over ``duration_ms``: (t_ms, x, y) events, possibly none.

    A resting hand nudges the mouse a few pixels now and then (about one
    nudge per 2 s, 1-6 px); each nudge is a tiny pointing movement of the same person.
    """
    profile = load_profile(profile)
    who = person(profile, rng, user)
    k = int(rng.poisson(max(duration_ms, 0.0) / 2000.0))
    if k == 0:
        z = np.zeros(0)
        return z, z.copy(), z.copy()
    starts = np.sort(rng.uniform(0, duration_ms, k))
    step = rng.normal(0, 1, (k, 2))
    step *= (rng.uniform(1, 6, k) / np.maximum(np.hypot(step[:, 0], step[:, 1]), 1e-9))[:, None]
    pos = np.asarray(start_xy, float) + np.cumsum(np.rint(step), axis=0)
    prev = np.vstack([np.asarray(start_xy, float), pos[:-1]])
    b = synth_moves(prev[:, 0], prev[:, 1], pos[:, 0], pos[:, 1], profile=profile, rng=rng, user=who, device=device)
    # a nudge starts once the previous one is over
    ends = b.t_ms[b.offsets[1:] - 1]
    for i in range(1, k):
        starts[i] = max(starts[i], starts[i - 1] + ends[i - 1] + 1.0)
    mov = np.repeat(np.arange(k), np.diff(b.offsets))
    t = b.t_ms + starts[mov]
    keep = t <= duration_ms
    return t[keep], b.x[keep], b.y[keep]


def scroll_burst(profile: MouseProfile | str, total_dy: float, rng: np.random.Generator,
                 user: str | MouseUser | None = None):
    """Wheel notches scrolling ``total_dy`` px, in bursts: (t_ms, dy).

    People flick the wheel in bursts of a few notches ~40 ms apart, then pause
    (~0.4 s) to look; constants from the profile's ``extras`` when fitted.
    """
    profile = load_profile(profile)
    ex = profile.extras
    n = max(1, int(round(abs(total_dy) / NOTCH_PX)))
    sign = 1.0 if total_dy >= 0 else -1.0
    gaps = rng.lognormal(np.log(ex.get("scroll_notch_ms", 40.0)), 0.35, n)
    burst = rng.integers(2, 7, n)
    new_burst = np.zeros(n, bool)
    i = 0
    while i < n:
        new_burst[i] = True
        i += int(burst[i])
    pause = rng.lognormal(np.log(ex.get("scroll_pause_ms", 400.0)), 0.5, n)
    g = np.where(new_burst, pause, gaps)
    g[0] = 0.0
    t = np.cumsum(g)
    dy = np.full(n, sign * NOTCH_PX)
    dy[-1] += total_dy - dy.sum()  # exact total even when it is not whole notches
    return t, dy


def apply_device(t, x, y, device: str | Device, rng: np.random.Generator, profile: MouseProfile | str | None = None):
    """What ``device`` reports of a continuous trajectory (t_ms, x, y at ~1 ms): stamps, integer px, no repeats."""
    t = np.asarray(t, float)
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    if len(t) == 0:
        return t, x, y
    if isinstance(device, str) and device not in NAMED_DEVICES:
        dev = resolve_device(load_profile(profile or device if device in ("sapimouse", "balabit") else "sapimouse"),
                             device, NAMED_DEVICES["raf60"])
    else:
        dev = device if isinstance(device, Device) else NAMED_DEVICES[device]
    span = float(t[-1] - t[0])
    _, st, tt = _stamps(dev, np.array([span]), rng)
    tt = np.clip(tt, 0, span)
    xs = np.interp(tt, t - t[0], x)
    ys = np.interp(tt, t - t[0], y)
    xs[-1], ys[-1] = x[-1], y[-1]
    if dev.integer_px:
        xs, ys = np.rint(xs), np.rint(ys)
    keep = np.r_[True, (xs[1:] != xs[:-1]) | (ys[1:] != ys[:-1])]
    return st[keep] - st[0] + t[0], xs[keep], ys[keep]
