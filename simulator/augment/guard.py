"""Privacy guard of ``hcisim augment``: no generated movement or typed segment is a near copy of a recorded one.

The judge (`simulator.fidelity.privacy.privacy`) calls a synthetic item a near copy when it lies
closer to a fitting item than real held-out data usually does. A faithful generator puts about 1 %
of its items there by chance, so the guard makes it hold by construction: each generated item is
measured in the judge's own space -- the record vectors of `simulator.fidelity.features`
(`movement_vectors`, `segment_vectors`), standardised by the fitting items -- against a
`RecordGuard` fitted on the dataset being augmented, and items that are too close are redrawn (same
task, fresh seeded randomness) or, after ROUNDS tries, left out of the session.

Items are measured *as the judge will read them back*: a movement as it is written (starting at the
last press, see `generate.written_paths`), cut by the movement rule (`cut_movements`: the part after
the last > 1 s gap, >= 4 samples, >= 20 px); a typed segment paired into keystrokes and cut by the
free-text rule (at pauses over 5 s), keeping parts of `MIN_KEYS`+ keys. Parts the judge would not
count are not checked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulator.fidelity.features import MIN_KEYS, movement_vectors, segment_vectors
from simulator.fidelity.privacy import GUARD_QUANTILE, RecordGuard
from simulator.readers.common import GAP_MS, MIN_DIST_PX, MIN_SAMPLES, Movements
from simulator.rng import component_seed
from simulator.typing.records import KeyEvents, Keystrokes

ROUNDS = 20
"""Redraws of a too-close item before it is left out (a fresh generator would need ~1 % luck 20 times)."""

Path3 = tuple[np.ndarray, np.ndarray, np.ndarray]


# -- fitting side ----------------------------------------------------------------------------------

def fitting_movements(mv: Movements) -> tuple[np.ndarray, np.ndarray]:
    """Record vectors and sessions of the dataset's cut pointing movements (what the judge reads as FIT)."""
    return movement_vectors(mv), np.asarray(mv.session, dtype=object)


def fitting_segments(records: list[Keystrokes]) -> tuple[np.ndarray, np.ndarray]:
    """Record vectors and sessions of the dataset's typed segments of MIN_KEYS+ keys (records are
    named ``session#n`` by the segmenting, `simulator.readers.pynput_log.segments`)."""
    keep = [r for r in records if len(r) >= MIN_KEYS]
    sessions = np.array([str(r.text_id).rsplit("#", 1)[0] for r in keep], dtype=object)
    return segment_vectors(keep), sessions


# -- generated side: adapters to the judge's vectors ----------------------------------------------------

def as_movements(paths: list[Path3 | None], press_x: np.ndarray, press_y: np.ndarray) -> tuple[Movements, np.ndarray]:
    """The judge's movements of written paths (None: not written), and which path each one is.

    Applies the cutting rule to each path on its own -- written movements are separated by the
    press/release of the previous click -- so a path with a > 1 s pause is measured from after it."""
    ts, xs, ys, lens, px, py, owner = [], [], [], [], [], [], []
    for i, p in enumerate(paths):
        if p is None:
            continue
        t, x, y = p
        if len(t) == 0:
            continue
        cut = np.flatnonzero(np.diff(t) > GAP_MS)
        a = int(cut[-1]) + 1 if len(cut) else 0
        if len(t) - a < MIN_SAMPLES or np.hypot(press_x[i] - x[a], press_y[i] - y[a]) < MIN_DIST_PX:
            continue
        ts.append(t[a:] - t[a])
        xs.append(x[a:])
        ys.append(y[a:])
        lens.append(len(t) - a)
        px.append(press_x[i])
        py.append(press_y[i])
        owner.append(i)
    cat = (lambda v: np.concatenate(v).astype(float)) if ts else (lambda v: np.zeros(0))
    n = len(owner)
    mv = Movements(cat(ts), cat(xs), cat(ys), np.r_[0, np.cumsum(lens)].astype(np.int64), np.asarray(px, float),
                   np.asarray(py, float), np.zeros(n), np.zeros(n, dtype=object), np.zeros(n, dtype=object))
    return mv, np.asarray(owner, np.int64)


def movements_too_close(guard: RecordGuard, paths: list[Path3 | None], press_x: np.ndarray,
                        press_y: np.ndarray) -> np.ndarray:
    """Per path: does the judge's movement of it lie nearer a fitting movement than the threshold?"""
    bad = np.zeros(len(paths), bool)
    mv, owner = as_movements(paths, press_x, press_y)
    if len(mv):
        bad[owner] = guard.too_close(movement_vectors(mv))
    return bad


def segment_records(ke: KeyEvents) -> list[Keystrokes]:
    """The records the judge reads from one typed segment: its keystrokes cut at pauses over 5 s,
    parts of MIN_KEYS+ keys (the Enter that may end it is a separate keystroke the reader drops)."""
    from simulator.readers.pynput_log import segments

    return [r for r in segments(ke.to_keystrokes()) if len(r) >= MIN_KEYS]


def segments_too_close(guard: RecordGuard, typed: list[KeyEvents]) -> np.ndarray:
    """Per typed segment: does any of its records lie nearer a fitting segment than the threshold?"""
    recs, owner = [], []
    for i, ke in enumerate(typed):
        r = segment_records(ke)
        recs.extend(r)
        owner.extend([i] * len(r))
    bad = np.zeros(len(typed), bool)
    if recs:
        close = guard.too_close(segment_vectors(recs))
        np.logical_or.at(bad, np.asarray(owner, np.int64), close)
    return bad


# -- bookkeeping -------------------------------------------------------------------------------------

def round_rng(session: np.random.SeedSequence, modality: str, round_: int) -> np.random.Generator:
    """The fresh generator of redraw round ``round_`` of a session's ``modality`` items."""
    g = component_seed(session, f"guard:{modality}")
    return np.random.default_rng(np.random.SeedSequence(g.entropy, spawn_key=(*g.spawn_key, int(round_))))


@dataclass
class GuardCount:
    """What the guard did to one modality's items (summed over sessions)."""

    checked: int = 0    # items generated
    redrawn: int = 0    # items redrawn at least once
    redraws: int = 0    # redraws in all
    dropped: int = 0    # items still too close after ROUNDS redraws, left out with their task

    def add(self, other: GuardCount) -> None:
        self.checked += other.checked
        self.redrawn += other.redrawn
        self.redraws += other.redraws
        self.dropped += other.dropped


@dataclass
class Guards:
    """The run's guards per modality (None: modality not generated) and what they did."""

    mouse: RecordGuard | None = None
    typing: RecordGuard | None = None
    counts: dict[str, GuardCount] = field(default_factory=dict)

    @staticmethod
    def fit(movements: Movements | None = None, typing_records=None, quantile: float = GUARD_QUANTILE) -> Guards:
        g = Guards()
        if movements is not None:
            g.mouse = RecordGuard.fit(*fitting_movements(movements), quantile=quantile)
            g.counts["mouse"] = GuardCount()
        if typing_records is not None:
            g.typing = RecordGuard.fit(*fitting_segments(typing_records), quantile=quantile)
            g.counts["typing"] = GuardCount()
        return g

    def stats(self) -> dict:
        """``manifest.stats["privacy_guard"]``."""
        out: dict = {"rounds": ROUNDS}
        for kind in ("mouse", "typing"):
            guard = getattr(self, kind)
            if guard is not None:
                c = self.counts[kind]
                out[kind] = {**guard.summary(), "items": c.checked, "redrawn": c.redrawn, "redraws": c.redraws,
                             "dropped": c.dropped}
        return out
