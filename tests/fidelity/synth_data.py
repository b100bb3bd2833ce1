"""Small datasets with known answers for the fidelity tests.

People are simple parametric movers and typists defined here, not the shipped fitted models (those
change whenever they are refitted, and a known answer must not): a mover makes minimum-jerk pointing
movements along a bowed path with their own Fitts intercept and slope, bow and speed-peak timing; a
typist has their own log-normal inter-key intervals and holds. People differ more between than
within, so who is who is recoverable, which the re-identification and collapse tests need.

A session holds pointing movements (moves ending in a left press), then texts, each after a pause
longer than the typing reader's segmenting pause. Who is who goes into the manifest's ``people`` map,
as ``hcisim augment`` writes it.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from simulator.dataset import Manifest, write_dataset
from simulator.typing import code_for

TEXTS = ("the quick brown fox jumps over the lazy dog", "pack my box with five dozen liquor jugs",
         "how vexingly quick daft zebras jump", "sphinx of black quartz judge my vow",
         "we promptly judged antique ivory buckles for the next prize", "a wizard's job is to vex chumps quickly")
SAMPLE_MS = 8.0


@dataclass(frozen=True)
class Mover:
    a_ms: float    # Fitts intercept
    b_ms: float    # Fitts slope per bit
    bow: float     # lateral bow of the path, share of the distance
    peak: float    # when the speed peaks, share of the duration


@dataclass(frozen=True)
class Typist:
    iki_ms: float  # median interval between presses
    iki_sd: float  # its log-normal spread
    hold_ms: float  # median hold


@dataclass(frozen=True)
class Person:
    name: str
    mover: Mover
    typist: Typist


def population(k: int) -> list[Person]:
    """k people spread over plausible ranges, each trait in its own order so no two are alike."""
    f = np.linspace(0, 1, k)
    return [Person(f"p{i}", Mover(150 + 300 * f[i], 90 + 120 * f[(i * 3) % k], -0.15 + 0.3 * f[(i * 5) % k],
                                  0.35 + 0.25 * f[(i * 7 + 3) % k]),
                   Typist(110 + 330 * f[i], 0.25 + 0.3 * f[(i * 3) % k], 70 + 70 * f[(i * 5) % k]))
            for i in range(k)]


def movement(m: Mover, x0, y0, x1, y1, rng, time_scale: float = 1.0):
    D = float(np.hypot(x1 - x0, y1 - y0))
    T = (m.a_ms + m.b_ms * np.log2(D / 20 + 1)) * rng.lognormal(0, 0.12) * time_scale
    t = np.r_[np.arange(0, T, SAMPLE_MS * time_scale) + rng.uniform(0, 1, int(np.ceil(T / (SAMPLE_MS * time_scale)))),
              T]
    t = np.maximum.accumulate(t)
    u = t / T
    # time warp so the speed peaks at m.peak, then minimum jerk
    w = np.where(u < m.peak, 0.5 * u / m.peak, 0.5 + 0.5 * (u - m.peak) / (1 - m.peak))
    s = 10 * w**3 - 15 * w**4 + 6 * w**5
    bow = (m.bow + rng.normal(0, 0.03)) * D * 4 * s * (1 - s)
    ux, uy = (x1 - x0) / max(D, 1), (y1 - y0) / max(D, 1)
    x = x0 + (x1 - x0) * s - uy * bow + rng.normal(0, 0.4, len(s))
    y = y0 + (y1 - y0) * s + ux * bow + rng.normal(0, 0.4, len(s))
    return t, np.rint(x), np.rint(y)


def texts_typed(ty: Typist, text: str, rng, time_scale: float = 1.0):
    n = len(text)
    iki = ty.iki_ms * rng.lognormal(0, ty.iki_sd, n) * time_scale
    iki = np.where(np.array(list(text)) == " ", iki * 1.3, iki)
    down = np.r_[0.0, np.cumsum(iki[1:])]
    up = down + ty.hold_ms * rng.lognormal(0, 0.2, n) * time_scale
    ev = [(t, "key_down", k) for t, k in zip(down, text)] + [(t, "key_up", k) for t, k in zip(up, text)]
    return sorted(ev, key=lambda e: e[0])


def session_events(sid: str, who: Person, rng: np.random.Generator, n_moves: int, n_texts: int,
                   time_scale: float = 1.0, mouse: bool = True, typing: bool = True) -> dict[str, list]:
    cols: dict[str, list] = {k: [] for k in ("t_ms", "device", "type", "x", "y", "button", "key", "code")}

    def add(t, device, typ, x=None, y=None, button=None, key=None, code=None):
        for k, v in zip(cols, (t, device, typ, x, y, button, key, code)):
            cols[k].append(v)

    t0 = 0.0
    x, y = 600.0, 400.0
    for _ in range(n_moves if mouse else 0):
        x1, y1 = rng.uniform(50, 1200), rng.uniform(50, 700)
        t, xs, ys = movement(who.mover, x, y, x1, y1, rng, time_scale)
        for tt, xx, yy in zip(t, xs, ys):
            add(t0 + float(tt), "mouse", "move", float(xx), float(yy))
        tp = t0 + float(t[-1]) + 60.0
        add(tp, "mouse", "down", float(xs[-1]), float(ys[-1]), "left")
        add(tp + 90.0, "mouse", "up", float(xs[-1]), float(ys[-1]), "left")
        x, y = float(xs[-1]), float(ys[-1])
        t0 = tp + 1500.0
    for i in rng.integers(len(TEXTS), size=n_texts if typing else 0):
        ev = texts_typed(who.typist, TEXTS[int(i)], rng, time_scale)
        for t, typ, k in ev:
            add(t0 + float(t), "keyboard", typ, key=k, code=code_for(k))
        t0 += ev[-1][0] + 8000.0
    return {**cols, "session_id": [sid] * len(cols["t_ms"]), "seq": list(range(len(cols["t_ms"])))}


def write(path: Path, sessions: list[tuple[str, Person]], *, seed: int, n_moves: int = 30, n_texts: int = 6,
          time_scale: float = 1.0, mouse: bool = True, typing: bool = True, people: bool = True,
          coordinate_space: str = "viewport_css_px") -> Path:
    """One dataset; session k draws from ``rng([seed, k])``, so the same arguments give the same data."""
    parts = [session_events(sid, who, np.random.default_rng([seed, k]), n_moves, n_texts, time_scale, mouse, typing)
             for k, (sid, who) in enumerate(sessions)]
    names = ("session_id", "seq", "t_ms", "device", "type", "x", "y", "button", "key", "code")
    types = {"seq": pa.int64(), "t_ms": pa.float64(), "x": pa.float64(), "y": pa.float64()}
    table = pa.table({k: pa.array(sum((p[k] for p in parts), []), types.get(k, pa.string())) for k in names})
    man = Manifest(driver="offline", seed=seed, scenario="fidelity-fixture", coordinate_space=coordinate_space)
    write_dataset(path, man, {"events": table, "actions": []})
    if people:
        name_people(path, {sid: who.name for sid, who in sessions})
    return path


def name_people(path: Path, people: dict[str, str]) -> None:
    """Add the manifest's ``people`` map (the manifest is not among the checksummed files)."""
    m = path / "manifest.json"
    doc = json.loads(m.read_text())
    doc["people"] = people
    m.write_text(json.dumps(doc, indent=2, sort_keys=True) + "\n")


def copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst
