"""Items of a dataset that the fidelity measures compare: pointing movements and typed text segments.

Each item carries the same features the realism benchmarks' discriminators use
(`simulator.mouse.features`, `simulator.typing.features`), a fixed-length *record vector* for
distance-to-closest-record (privacy), and who produced it (session, person). Movements are cut
with the benchmark's rule (`simulator.readers.common.cut_movements`), texts with the typing
reader's cutting (`simulator.readers.hcisim`: the same rule for every dataset, recorded, imported or
generated), so fidelity judges exactly what the models were fitted on.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow.compute as pc

from simulator.dataset import read_dataset
from simulator.errors import HcisimError
from simulator.mouse.features import NAMES as MOUSE_FEATURES
from simulator.mouse.features import features as mouse_features
from simulator.readers.common import Movements, cut_movements
from simulator.typing.features import FEATURES as TYPING_FEATURES
from simulator.typing.features import feature_matrix
from simulator.typing.records import Keystrokes

MODALITIES = ("mouse", "typing")
MIN_KEYS = 8
"""Typed segments with fewer key presses are left out: their interval percentiles are mostly noise."""
PATH_POINTS = 16
"""A movement's record vector samples its path at this many equally spaced moments."""
SEQ_POINTS = 32
"""A typed segment's record vector resamples its interval and hold sequences to this many values."""


@dataclass
class Items:
    """One modality's items of one dataset, row-aligned.

    ``X``: features (NaN where a feature is undefined, e.g. no Shift in a text);
    ``V``: record vectors, finite, for nearest-neighbour distances; ``session``/``person``: str per row.
    """

    modality: str
    names: tuple[str, ...]
    X: np.ndarray
    V: np.ndarray
    session: np.ndarray
    person: np.ndarray

    def __len__(self) -> int:
        return len(self.X)

    def subset(self, idx: np.ndarray) -> Items:
        return Items(self.modality, self.names, self.X[idx], self.V[idx], self.session[idx], self.person[idx])

    def sample(self, n_max: int, rng: np.random.Generator) -> Items:
        """At most ``n_max`` rows, drawn without replacement, in their original order."""
        if len(self) <= n_max:
            return self
        return self.subset(np.sort(rng.choice(len(self), n_max, replace=False)))


@dataclass
class DatasetItems:
    """What fidelity needs of a dataset: its items per modality and how its sessions map to people."""

    root: Path
    coordinate_space: str
    sessions: list[str]
    people: dict[str, str]
    people_explicit: bool
    people_mode: str | None
    mouse: Items | None
    typing: Items | None

    def get(self, modality: str) -> Items | None:
        return getattr(self, modality)


# -- record vectors ---------------------------------------------------------------------------------

def movement_vectors(mv: Movements) -> np.ndarray:
    """Per movement: its path at PATH_POINTS equal time steps, relative to the start, rotated so the
    start-to-press chord points along +x and divided by the chord length (the shape), then log chord
    length, log duration and log median sampling interval (scale and timing). A copied movement has
    distance 0 to its original whatever screen position it was copied to."""
    n = len(mv)
    out = np.zeros((n, 2 * (PATH_POINTS - 1) + 3))
    frac = np.linspace(0.0, 1.0, PATH_POINTS)[1:]
    for i in range(n):
        t, x, y = mv.one(i)
        dx, dy = mv.press_x[i] - x[0], mv.press_y[i] - y[0]
        d = max(float(np.hypot(dx, dy)), 1.0)
        c, s = dx / d, dy / d
        T = max(float(t[-1] - t[0]), 1.0)
        tt = (t - t[0]) / T
        px, py = np.interp(frac, tt, x - x[0]), np.interp(frac, tt, y - y[0])
        along, across = (px * c + py * s) / d, (-px * s + py * c) / d
        gaps = np.diff(t)
        out[i] = np.r_[along, across, np.log(d), np.log(T), np.log(max(float(np.median(gaps)), 0.5))]
    return out


def segment_vectors(records: list[Keystrokes]) -> np.ndarray:
    """Per typed segment: log inter-key intervals and log holds, each resampled to SEQ_POINTS values
    along the segment, then log of the number of keys. A replayed recording has distance 0."""
    out = np.zeros((len(records), 2 * SEQ_POINTS + 1))
    grid = np.linspace(0.0, 1.0, SEQ_POINTS)
    for i, r in enumerate(records):
        o = np.argsort(r.press_ms, kind="stable")
        press, rel = r.press_ms[o], r.release_ms[o]
        iki = np.log(np.clip(np.diff(press), 1.0, None))
        hold = np.log(np.clip(rel - press, 1.0, None))
        hold = np.where(np.isfinite(hold), hold, np.log(100.0))
        out[i] = np.r_[_resample(iki, grid), _resample(hold, grid), np.log(len(press))]
    return out


def _resample(seq: np.ndarray, grid: np.ndarray) -> np.ndarray:
    if len(seq) == 0:
        return np.zeros(len(grid))
    if len(seq) == 1:
        return np.full(len(grid), seq[0])
    return np.interp(grid, np.linspace(0.0, 1.0, len(seq)), seq)


# -- reading ----------------------------------------------------------------------------------------

def _raw_manifest(root: Path) -> dict:
    try:
        doc = json.loads((Path(root) / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    return doc if isinstance(doc, dict) else {}


def read_people(root: Path, manifest) -> tuple[dict[str, str], bool]:
    """The manifest's optional ``people`` map (session id -> person id) and whether it was given;
    without it each session is its own person. Falls back to the raw JSON for a Manifest class
    without the field."""
    people = getattr(manifest, "people", None) or _raw_manifest(root).get("people")
    if not people:
        return {}, False
    if not isinstance(people, dict) or not all(isinstance(v, (str, int)) for v in people.values()):
        raise HcisimError(f"{root}: manifest field 'people' must map session ids to person ids")
    return {str(k): str(v) for k, v in people.items()}, True


def read_people_mode(root: Path, manifest) -> str | None:
    """``same``/``new`` when the dataset says how its people were made (``hcisim augment``'s ``source``)."""
    source = getattr(manifest, "source", None) or _raw_manifest(root).get("source") or {}
    mode = source.get("people") if isinstance(source, dict) else None
    return mode if mode in ("same", "new") else None


def _persons(sessions: np.ndarray, people: dict[str, str]) -> np.ndarray:
    return np.array([people.get(s, s) for s in sessions], dtype=object)


def mouse_items(root: Path, people: dict[str, str]) -> Items | None:
    from simulator.readers.hcisim import read_pointer

    mv = cut_movements(read_pointer(root))
    if len(mv) == 0:
        return None
    X = mouse_features(mv.t_ms, mv.x, mv.y, mv.offsets)
    sessions = mv.session.astype(str).astype(object)
    return Items("mouse", tuple(MOUSE_FEATURES), X, movement_vectors(mv), sessions, _persons(sessions, people))


def typing_items(root: Path, people: dict[str, str]) -> Items | None:
    from simulator.typing.fit import recorded_layout
    from simulator.readers.hcisim import read_typing, session_of

    records = [r for r in read_typing(root) if len(r) >= MIN_KEYS]
    if not records:
        return None
    sessions = np.array([session_of(r) for r in records], dtype=object)
    layout, _ = recorded_layout(records)  # hands and letters where the keyboard typed on has them
    return Items("typing", tuple(TYPING_FEATURES), feature_matrix(records, layout), segment_vectors(records),
                 sessions, _persons(sessions, people))


def load_items(root: Path | str) -> DatasetItems:
    """Read a dataset's movements and typed segments; one clear line when there is nothing to compare."""
    root = Path(root)
    ds = read_dataset(root)
    ev = ds.events
    if ev.num_rows == 0:
        raise HcisimError(f"{root}: empty dataset (no events)")
    people, explicit = read_people(root, ds.manifest)
    device = ev.column("device")
    has_mouse = bool(pc.any(pc.equal(device, "mouse")).as_py())
    has_keys = bool(pc.any(pc.equal(device, "keyboard")).as_py())
    mouse = mouse_items(root, people) if has_mouse else None
    typing = typing_items(root, people) if has_keys else None
    if mouse is None and typing is None:
        raise HcisimError(f"{root}: no pointing movements (move runs ending in a left press) and no typed text "
                          f"of {MIN_KEYS}+ keys to compare")
    return DatasetItems(root, ds.manifest.coordinate_space, ds.sessions, people, explicit,
                        read_people_mode(root, ds.manifest), mouse, typing)
