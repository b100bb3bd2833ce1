"""What the people in a dataset did, as tasks: pointing movements, typed segments, and the pauses between.

Augmenting keeps a dataset's *task structure* -- how many pointing movements and typed segments each
session has, in which order, their distances, directions, target sizes, text lengths and character
mix, and the pauses between them -- while the motion and keystrokes themselves come from the fitted
models. Movements are cut by the rule every mouse fit and benchmark uses
(`simulator.readers.common.cut_movements`); typing by the free-text rule (`segments`: at Enter and at
pauses over 5 s). Recorded texts are only measured here (length, character mix), never passed on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pyarrow as pa

from simulator.dataset import Dataset
from simulator.readers.common import (GAP_MS, MIN_DIST_PX, MIN_SAMPLES, MOVE, PRESS_LEFT, RELEASE, Movements, PointerLog,
                                      cut_movements)
from simulator.readers.hcisim import keystroke_logs, people_of, pointer_logs, session_rows, typed_texts, typing_tasks
from simulator.typing.records import Keystrokes
from simulator.typing.text import recorded_text

"""Recorded positions beyond this are capture glitches (Balabit's screen edges), not positions."""


@dataclass
class Pointing:
    """One recorded pointing task: from where to where, how big the target was, when."""

    start: tuple[float, float]
    press: tuple[float, float]
    size: tuple[float, float]      # target box (w, h); NaN when the dataset does not know it
    t_start: float                 # first move (session ms)
    t_last_move: float
    t_press: float
    t_release: float               # NaN when no release follows

    @property
    def dwell_ms(self) -> float:
        """Time the pointer rests on the target before the press."""
        return self.t_press - self.t_last_move

    @property
    def hold_ms(self) -> float:
        return self.t_release - self.t_press


@dataclass
class Segment:
    """One recorded typed segment: only its measures and times are kept, not the text."""

    length: int                    # characters it typed
    mix: "TextMix"
    enter: bool                    # ended with Enter
    t_start: float
    t_end: float


@dataclass
class TextMix:
    """Character mix of a text: shares of upper-case letters (of letters), digits, punctuation and spaces."""

    upper: float
    digits: float
    punct: float
    spaces: float

    @staticmethod
    def of(text: str) -> "TextMix":
        n = max(len(text), 1)
        letters = [c for c in text if c.isalpha()]
        return TextMix(upper=sum(c.isupper() for c in letters) / max(len(letters), 1),
                       digits=sum(c.isdigit() for c in text) / n,
                       punct=sum(not c.isalnum() and not c.isspace() for c in text) / n,
                       spaces=sum(c == " " for c in text) / n)


@dataclass
class SessionTasks:
    """One session's tasks in time order (``order``: ("mouse", i) / ("typing", i) items)."""

    session_id: str
    person: str
    pointing: list[Pointing] = field(default_factory=list)
    segments: list[Segment] = field(default_factory=list)
    order: list[tuple[str, int]] = field(default_factory=list)
    t_first: float = 0.0           # session time of the first task
    bounds: tuple[float, float, float, float] = (0.0, 0.0, 1920.0, 1080.0)  # pointer positions seen: x0, y0, x1, y1

    def gaps(self) -> dict[str, np.ndarray]:
        """Pauses between one task's end (release / last key) and the next one's start, ms, by what ended:
        ``mouse`` (a click), ``enter`` (a segment ended with Enter), ``pause`` (a segment ended by a
        pause: by the cutting rule the next keystroke came over 5 s after its last one)."""
        ends, starts, after = [], [], []
        for kind, i in self.order:
            if kind == "mouse":
                p = self.pointing[i]
                starts.append(p.t_start)
                ends.append(p.t_release if np.isfinite(p.t_release) else p.t_press)
                after.append("mouse")
            else:
                s = self.segments[i]
                starts.append(s.t_start)
                ends.append(s.t_end)
                after.append("enter" if s.enter else "pause")
        g = np.asarray(starts[1:], float) - np.asarray(ends[:-1], float)
        a = np.asarray(after[:-1], dtype=object)
        return {k: g[(a == k) & (g >= 0)] for k in GAP_KINDS}


GAP_KINDS = ("mouse", "enter", "pause")


# -- mouse ---------------------------------------------------------------------------------------

def pointing_spans(log: PointerLog) -> list[tuple[int, int]]:
    """(first move, press) indices of the pointing movements in a log.

    The same rule as `cut_movements` (its docstring says it; a test checks they agree), with the
    indices kept so the tasks' session times are known.
    """
    k, t = log.kind, log.t_ms
    n = len(t)
    if n < 2:
        return []
    brk = np.zeros(n, bool)
    brk[1:] = (k[:-1] != MOVE) | (np.diff(t) > GAP_MS)
    brk[0] = True
    start_of = np.maximum.accumulate(np.where(brk, np.arange(n), 0))
    spans = []
    for p in np.flatnonzero(k == PRESS_LEFT):
        if p == 0 or k[p - 1] != MOVE or t[p] - t[p - 1] > GAP_MS:
            continue
        a = int(start_of[p - 1])
        if p - a < MIN_SAMPLES or np.hypot(log.x[p] - log.x[a], log.y[p] - log.y[a]) < MIN_DIST_PX:
            continue
        spans.append((a, int(p)))
    return spans


def _target_sizes(ds: Dataset) -> dict[tuple[str, int], tuple[float, float]]:
    ac = ds.actions
    if ac.num_rows == 0:
        return {}
    sid, aid = ac.column("session_id").to_pylist(), ac.column("action_id").to_pylist()
    w, h = ac.column("box_w").to_pylist(), ac.column("box_h").to_pylist()
    return {(s, a): (float(bw), float(bh)) for s, a, bw, bh in zip(sid, aid, w, h)
            if bw is not None and bh is not None and bw > 0 and bh > 0}


def _pointing(log: PointerLog, action_of_press: np.ndarray, sizes: dict) -> list[Pointing]:
    out = []
    releases = np.flatnonzero(log.kind == RELEASE)
    for a, p in pointing_spans(log):
        nxt = releases[np.searchsorted(releases, p)] if np.searchsorted(releases, p) < len(releases) else None
        aid = action_of_press[p]
        size = sizes.get((log.session, int(aid)), (np.nan, np.nan)) if aid is not None else (np.nan, np.nan)
        out.append(Pointing((float(log.x[a]), float(log.y[a])), (float(log.x[p]), float(log.y[p])), size,
                            float(log.t_ms[a]), float(log.t_ms[p - 1]), float(log.t_ms[p]),
                            float(log.t_ms[nxt]) if nxt is not None else np.nan))
    return out


# -- typing --------------------------------------------------------------------------------------

def segment_numbers(events: pa.Table) -> np.ndarray:
    """Each event's free-text segment number within one session's events (in time order).

    Numbered exactly as `simulator.readers.pynput_log.segments` numbers a log's segments, so
    ``freetext_is_test(f"{log}#{n}")`` names the same held-out segments: a new segment starts at a
    key press more than 5 s after the previous press or right after an Enter press; every other
    event belongs to the segment of the last press before it (the first segment before any press).
    """
    from simulator.readers.pynput_log import SEGMENT_PAUSE_MS

    ty = events.column("type").to_numpy(zero_copy_only=False)
    t = events.column("t_ms").to_numpy()
    key = events.column("key").to_numpy(zero_copy_only=False)
    down = np.flatnonzero(ty == "key_down")
    if len(down) == 0:
        return np.zeros(len(ty), np.int64)
    pt = t[down]
    gap = np.diff(pt, prepend=pt[0])
    enter = key[down] == "Enter"
    seg_of_down = np.cumsum((gap > SEGMENT_PAUSE_MS) | np.r_[False, enter[:-1]])
    owner = np.maximum(np.searchsorted(down, np.arange(len(ty)), side="right") - 1, 0)
    return seg_of_down[owner]


def typed_segments(log: Keystrokes, tasks: list | None = None) -> tuple[list[Keystrokes], list[Segment]]:
    """The log cut into texts as `simulator.readers.hcisim` cuts them (``tasks``: the session's ``type`` actions),
    as records to fit on and as measured segments in session time."""
    recs, rows_of = typed_texts(log, tasks)
    enter_at = set(np.flatnonzero(log.key == "Enter").tolist())
    out = []
    for r, rows in zip(recs, rows_of):
        text = recorded_text(r.key)
        rel = log.release_ms[rows]
        end = float(np.nanmax(np.r_[log.press_ms[rows], rel]))
        out.append(Segment(len(text), TextMix.of(text), int(rows[-1]) + 1 in enter_at,
                           float(log.press_ms[rows[0]]), end))
    return recs, out


# -- a whole dataset ------------------------------------------------------------------------------

@dataclass
class DatasetTasks:
    sessions: list[SessionTasks]
    movements_logs: list[PointerLog]       # the recorded pointer logs (user = person)
    typing_records: list[Keystrokes]       # what the typing fit reads (user = person)

    @cached_property
    def movements(self) -> Movements:
        """The logs' pointing movements by the benchmark's cut rule: what the mouse fit, the privacy
        guard and the identity quota all read (cut once)."""
        return cut_movements(self.movements_logs)


def extract(ds: Dataset) -> DatasetTasks:
    """Every session's tasks, in manifest order; sessions with no task are left out."""
    people = people_of(ds)
    ev = ds.events
    logs = pointer_logs(ev, people)
    keys = keystroke_logs(ev, people)
    sizes = _target_sizes(ds)
    tasks = typing_tasks(ds)
    mouse = np.flatnonzero(ev.column("device").to_numpy(zero_copy_only=False) == "mouse")
    mouse_aid = np.asarray(ev.column("action_id").to_pylist(), dtype=object)[mouse]
    mouse_rows = session_rows(ev.column("session_id").to_numpy(zero_copy_only=False)[mouse].astype(str))
    sessions, records = [], []
    for sid in ds.sessions:
        st = SessionTasks(sid, people[sid])
        if sid in logs:
            log = logs[sid]
            st.pointing = _pointing(log, mouse_aid[mouse_rows[sid]], sizes)  # the rows pointer_logs read
            ok = log.kind == MOVE
            if ok.any():
                st.bounds = (float(log.x[ok].min()), float(log.y[ok].min()), float(log.x[ok].max()),
                             float(log.y[ok].max()))
        if sid in keys and len(keys[sid]):
            recs, st.segments = typed_segments(keys[sid], tasks.get(sid))
            records.extend(recs)
        items = [(p.t_start, "mouse", i) for i, p in enumerate(st.pointing)]
        items += [(s.t_start, "typing", i) for i, s in enumerate(st.segments)]
        items.sort()
        st.order = [(k, i) for _, k, i in items]
        if st.order:
            st.t_first = float(items[0][0])
            sessions.append(st)
    return DatasetTasks(sessions, list(logs.values()), records)
