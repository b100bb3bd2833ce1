"""Pure pieces the scenario planner uses: one pointing movement, idle drift, wheel bursts, a device.

All take (profile, ..., rng) and return arrays with times relative to 0; no I/O beyond reading the profile
when given its name or path (pass a loaded `MouseProfile` to avoid it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.errors import HcisimError
from simulator.mouse.device import NAMED_DEVICES, _stamps
from simulator.mouse.profile import Device, MouseProfile, MouseUser, load_profile
from simulator.mouse.synth import person, resolve_device, synth_moves
from simulator.readers.common import MAX_COORD_PX

NOTCH_PX = 100.0
"""One wheel notch scrolls 100 px in Chromium and most desktop toolkits."""
MAX_IDLE_MS = 86_400_000.0
"""idle_drift covers at most a day (a nudge every ~2 s: an infinite span asked for endless nudges)."""


def _numbers(name: str, value, count: int) -> np.ndarray:
    """``value`` as ``count`` finite numbers within screen pixels, or one clear line."""
    try:
        a = np.asarray(value, float).ravel()
    except (TypeError, ValueError):
        a = np.zeros(0)
    if a.shape != (count,):
        raise HcisimError(f"{name} must be {count} numbers, not {value!r}")
    if not np.all(np.isfinite(a)) or np.any(np.abs(a) > MAX_COORD_PX):
        raise HcisimError(f"{name} must be finite pixels (within {MAX_COORD_PX:,.0f}), not {value!r}")
    return a


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
    sx, sy = _numbers("start_xy", start_xy, 2)
    if box_xywh is None:
        raise HcisimError("plan_pointing needs a target box (x, y, w, h)")
    bx, by, bw, bh = _numbers("box_xywh (x, y, w, h)", box_xywh, 4)
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
    nudge per 2 s, 1-6 px); each nudge is a tiny pointing movement of the same person,
    whose path stays within twice its length of where it began (`_within_reach`).
    """
    profile = load_profile(profile)
    start = _numbers("start_xy", start_xy, 2)
    if not 0 <= duration_ms <= MAX_IDLE_MS:  # NaN fails too
        raise HcisimError(f"duration_ms must be 0 to {MAX_IDLE_MS:,.0f} (a day), not {duration_ms!r}")
    who = person(profile, rng, user)
    k = int(rng.poisson(duration_ms / 2000.0))
    if k == 0:
        z = np.zeros(0)
        return z, z.copy(), z.copy()
    starts = np.sort(rng.uniform(0, duration_ms, k))
    step = rng.normal(0, 1, (k, 2))
    step *= (rng.uniform(1, 6, k) / np.maximum(np.hypot(step[:, 0], step[:, 1]), 1e-9))[:, None]
    pos = start + np.cumsum(np.rint(step), axis=0)
    prev = np.vstack([start, pos[:-1]])
    b = synth_moves(prev[:, 0], prev[:, 1], pos[:, 0], pos[:, 1], profile=profile, rng=rng, user=who, device=device)
    # a nudge starts once the previous one is over
    ends = b.t_ms[b.offsets[1:] - 1]
    for i in range(1, k):
        starts[i] = max(starts[i], starts[i - 1] + ends[i - 1] + 1.0)
    mov = np.repeat(np.arange(k), np.diff(b.offsets))
    t = b.t_ms + starts[mov]
    x, y = _within_reach(b.x, b.y, prev[mov], pos[mov])
    keep = t <= duration_ms
    return t[keep], x[keep], y[keep]


def _within_reach(x: np.ndarray, y: np.ndarray, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Samples of nudges from ``a`` to ``b`` (per sample) kept within twice the nudge's length (at least 3 px
    beyond it) of where it began. The motion law is fitted on movements of 20 px and more: drawn for 1-6 px it
    wound up to 40 px away, so a resting pointer strayed 60 px in 20 s. Pulled-in samples are whole pixels."""
    dx, dy = x - a[:, 0], y - a[:, 1]
    r = np.hypot(dx, dy)
    reach = np.maximum(2.0 * np.hypot(*(b - a).T), np.hypot(*(b - a).T) + 3.0)
    over = r > reach
    f = np.where(over, reach / np.maximum(r, 1e-9), 1.0)
    return (np.where(over, np.rint(a[:, 0] + dx * f), x), np.where(over, np.rint(a[:, 1] + dy * f), y))


def scroll_burst(profile: MouseProfile | str, total_dy: float, rng: np.random.Generator,
                 user: str | MouseUser | None = None):
    """Wheel notches scrolling ``total_dy`` px, in bursts: (t_ms, dy).

    People flick the wheel in bursts of a few notches ~40 ms apart, then pause
    (~0.4 s) to look; constants from the profile's ``extras`` when fitted. Notches
    are NOTCH_PX each but the last, which carries what is left, so the events
    scroll exactly ``total_dy`` (30 px: one event of 30; 250: 100 and 150; 0: none -- it was one wheel event
    of 0 px, which no wheel sends).
    """
    profile = load_profile(profile)
    if not abs(total_dy) <= MAX_COORD_PX:  # NaN fails too
        raise HcisimError(f"total_dy must be finite pixels (within {MAX_COORD_PX:,.0f}), not {total_dy!r}")
    if total_dy == 0:
        return np.zeros(0), np.zeros(0)
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
    """What ``device`` reports of a continuous trajectory (t_ms, x, y at ~1 ms): stamps, integer px, no repeats.

    Its first event is the trajectory's start at ``t[0]``, as `synth_moves` captures a movement (the cut rule
    starts a movement at its first reported event); each later one shows where the pointer was when the
    device sampled it, stamped when the device delivered it (an RDP batch: the samples of ~110 ms on one stamp).
    """
    try:
        t, x, y = (np.asarray(v, float) for v in (t, x, y))
    except (TypeError, ValueError):
        raise HcisimError("t, x, y must be numbers") from None
    if not (t.ndim == x.ndim == y.ndim == 1 and len(t) == len(x) == len(y)):
        raise HcisimError(f"t, x, y must be 1-D and of one length (got shapes {t.shape}, {x.shape}, {y.shape})")
    if len(t) == 0:
        return t, x, y
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
        raise HcisimError("t, x, y must be finite numbers")
    if np.any(np.diff(t) < 0):
        raise HcisimError("t must not go backwards")
    if isinstance(device, str) and device not in NAMED_DEVICES:
        dev = resolve_device(load_profile(profile or device if device in ("sapimouse", "balabit") else "sapimouse"),
                             device, NAMED_DEVICES["raf60"])
    else:
        dev = device if isinstance(device, Device) else NAMED_DEVICES[device]
    span = float(t[-1] - t[0])
    # (stamps rebased to t[0] with positions read at their true times put the pointer ~85 ms ahead on RDP)
    _, st, tt = _stamps(dev, np.array([span]), rng, from_start=True)
    tt = np.clip(tt, 0, span)
    xs = np.interp(tt, t - t[0], x)
    ys = np.interp(tt, t - t[0], y)
    xs[-1], ys[-1] = x[-1], y[-1]
    if dev.integer_px:
        xs, ys = np.rint(xs), np.rint(ys)
    keep = np.r_[True, (xs[1:] != xs[:-1]) | (ys[1:] != ys[:-1])]
    return st[keep] + t[0], xs[keep], ys[keep]
