"""Plans: the timed input events that carry out one intended action.

`Plan` holds them as columns at absolute session times; the helpers here build
them and the timing around them (think and reading time, click holds) and are
pure: same inputs and generator, same plan. The planning itself -- where to
aim, what to type, with which fitted model -- is `simulator.scenario.Actor`'s;
drivers only dispatch plans.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


_OBJ = object


@dataclass
class Plan:
    """Columns of planned events (session time in ms), in dispatch order."""

    t_ms: np.ndarray = field(default_factory=lambda: np.zeros(0))
    type: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=_OBJ))
    x: np.ndarray = field(default_factory=lambda: np.zeros(0))
    y: np.ndarray = field(default_factory=lambda: np.zeros(0))
    button: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=_OBJ))
    key: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=_OBJ))
    code: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=_OBJ))
    dx: np.ndarray = field(default_factory=lambda: np.zeros(0))
    dy: np.ndarray = field(default_factory=lambda: np.zeros(0))

    COLUMNS = ("t_ms", "type", "x", "y", "button", "key", "code", "dx", "dy")

    def __len__(self) -> int:
        return len(self.t_ms)

    @property
    def end_ms(self) -> float:
        return float(self.t_ms[-1]) if len(self) else float("nan")

    def shifted(self, dt: float) -> "Plan":
        p = Plan(**{c: getattr(self, c) for c in self.COLUMNS})
        p.t_ms = self.t_ms + dt
        return p

    @staticmethod
    def concat(plans: list["Plan"]) -> "Plan":
        plans = [p for p in plans if len(p)]
        if not plans:
            return Plan()
        return Plan(**{c: np.concatenate([getattr(p, c) for p in plans]) for c in Plan.COLUMNS})


def _filled(n: int, value, dtype=_OBJ) -> np.ndarray:
    a = np.empty(n, dtype=dtype)
    a[:] = value
    return a


def make(t_ms, type_, *, x=None, y=None, button=None, key=None, code=None, dx=None, dy=None) -> Plan:
    """Build a plan from columns; scalars broadcast, missing columns are null."""
    t = np.atleast_1d(np.asarray(t_ms, dtype=float))
    n = len(t)

    def num(v):
        return _filled(n, np.nan, float) if v is None else np.broadcast_to(np.asarray(v, float), (n,)).copy()

    def obj(v):
        if v is None or isinstance(v, str):
            return _filled(n, v)
        a = np.empty(n, dtype=_OBJ)
        a[:] = list(v)
        return a

    return Plan(t_ms=t, type=obj(type_), x=num(x), y=num(y), button=obj(button), key=obj(key), code=obj(code),
                dx=num(dx), dy=num(dy))


def moves(t_ms: np.ndarray, x: np.ndarray, y: np.ndarray) -> Plan:
    return make(t_ms, "move", x=x, y=y)


def press_release(t_down: float, hold_ms: float, x: float, y: float, button: str = "left") -> Plan:
    return make([t_down, t_down + hold_ms], ["down", "up"], x=x, y=y, button=button)


def keys(t_ms, types, key_names, codes) -> Plan:
    return make(t_ms, [("key_down" if t == "down" else "key_up") for t in types], key=key_names, code=codes)


def wheel(t_ms, x: float, y: float, dy) -> Plan:
    return make(t_ms, "wheel", x=x, y=y, dx=0.0, dy=dy)


def inside_boxes(x: np.ndarray, y: np.ndarray, boxes) -> np.ndarray:
    """Which points (x, y) lie in at least one of ``boxes`` (anything with x, y, w, h)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    ok = np.zeros(len(x), bool)
    for b in boxes:
        ok |= (x >= b.x) & (x <= b.x + b.w) & (y >= b.y) & (y <= b.y + b.h)
    return ok


def clamp_into(x: np.ndarray, y: np.ndarray, boxes) -> tuple[np.ndarray, np.ndarray]:
    """Each point outside every box moved to the nearest point of the nearest box (a hand sliding along an edge)."""
    x, y = np.asarray(x, float).copy(), np.asarray(y, float).copy()
    out = ~inside_boxes(x, y, boxes)
    if not out.any() or not boxes:
        return x, y
    cx = np.stack([np.clip(x[out], b.x, b.x + b.w) for b in boxes])
    cy = np.stack([np.clip(y[out], b.y, b.y + b.h) for b in boxes])
    best = np.argmin((cx - x[out]) ** 2 + (cy - y[out]) ** 2, axis=0)
    cols = np.arange(out.sum())
    x[out], y[out] = cx[best, cols], cy[best, cols]
    return x, y
