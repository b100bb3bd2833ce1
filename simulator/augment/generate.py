"""``hcisim augment``: N times as many sessions as a dataset, with its task structure, from fitted people.

For each recorded session, ``factor`` new sessions are generated with the same sequence of tasks
(pointing movements and typed segments, in the recorded order). Each task is a recorded task of that
session resampled with seeded jitter -- distance, direction and target size of a pointing task;
length and character mix of a typed segment (new faker text, never the recorded words) -- and the
pauses, dwell and hold times are drawn from the recorded ones. Motion comes from
`simulator.mouse.synth_moves`, keystrokes from `simulator.typing.synth_typing`, both with profiles
fitted on the dataset itself whose users are the dataset's people:

- ``people="same"``: session as the recorded session's person (their motor and typing parameters,
  their pauses);
- ``people="new"``: each session by a new person drawn from the population fitted to them, with
  pauses drawn from everyone's (so nobody's personal timing leaks into a "new" person) and a tilt
  of the realism critic of their own, drawn as the fitted people's tilts vary
  (`simulator.critic.draw_tilt`).

Privacy guard (`simulator.augment.guard`): a generated movement or typed segment that lies closer
to a recorded one than recordings of other sessions usually do is redrawn -- same task, fresh
randomness -- and after `guard.ROUNDS` tries left out with its task, so no output item is a near
copy by the fidelity judge's standard.

Identity quota (`simulator.augment.identity`, ``--people new``): a new person whose session an
identification model trained on the recorded people would attribute to someone already named for their
share of the new sessions is redrawn, so no recorded person seems to stand behind more of the output than
the others.

Randomness: session ``k`` of the output uses `session_seed(seed, k)` and one component stream each
for the person, tasks, pauses, mouse, typing and text content (redraws: one per modality and round),
so the same seed gives the same bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TypeVar

import numpy as np
import pyarrow as pa

from simulator.atomic import refuse_overlap
from simulator.augment.fit import (TYPING_FIT_STEPS, FitFailed, fit_mouse, fit_side_by_side, fit_typing, mouse_people,
                                   typing_texts)
from simulator.augment import identity
from simulator.augment.guard import (ROUNDS, GuardCount, Guards, as_movements, movements_too_close, round_rng,
                                     segment_records, segments_too_close)
from simulator.augment.tasks import DatasetTasks, SessionTasks, extract
from simulator.augment.texts import matched_text, new_faker
from simulator.chunks import chunks_in_order
from simulator.critic import Critic, draw_tilt
from simulator.dataset import DatasetWriter, Manifest, read_dataset
from simulator.dataset.schema import ACTIONS, EVENTS
from simulator.errors import HcisimError
from simulator.threads import one_thread
from simulator.fidelity.privacy import GUARD_QUANTILE
from simulator.mouse.fit import FIT_STEPS
from simulator.progress import Progress, Steps
from simulator.readers.hcisim import session_of
from simulator.readers.pynput_log import SEGMENT_PAUSE_MS
from simulator.rng import component_rng, component_seed, session_seed
from simulator.terms import dataset_terms

PEOPLE = ("same", "new")
P = TypeVar("P")
MODALITIES = ("all", "mouse", "typing")
DIST_JITTER = 0.15      # log-sd of a resampled pointing distance
ANGLE_JITTER = 0.20     # sd (rad) of its direction
SIZE_JITTER = 0.10      # log-sd of its target size
FIT_TRIES = 20          # fresh draws tried for a task that fits when none of a session's waiting ones does
TIME_JITTER = 0.10      # log-sd of a resampled pause, dwell or hold
DEFAULTS = {"gap:mouse": 600.0, "gap:enter": 1500.0, "gap:pause": 8000.0, "dwell": 60.0, "hold": 100.0}
"""Used only when a dataset has none of these (e.g. no releases recorded)."""

POOLS = ("gap:mouse", "gap:enter", "gap:pause", "dwell", "hold", "first")


@dataclass
class Pools:
    """Recorded pauses between tasks, dwell before presses and hold times, per person and for everyone."""

    by_person: dict[str, dict[str, np.ndarray]]
    everyone: dict[str, np.ndarray]

    @staticmethod
    def of(sessions: list[SessionTasks]) -> "Pools":
        by: dict[str, dict[str, list]] = {}
        for st in sessions:
            d = by.setdefault(st.person, {k: [] for k in POOLS})
            for after, g in st.gaps().items():
                d[f"gap:{after}"].extend(g.tolist())
            d["dwell"].extend(p.dwell_ms for p in st.pointing)
            d["hold"].extend(p.hold_ms for p in st.pointing if np.isfinite(p.hold_ms) and p.hold_ms >= 0)
            d["first"].append(st.t_first)
        arr = {p: {k: np.asarray(v, float) for k, v in d.items()} for p, d in by.items()}
        everyone = {k: np.concatenate([d[k] for d in arr.values()]) for k in POOLS}
        return Pools(arr, everyone)

    def draw(self, person: str | None, what: str, rng: np.random.Generator, n: int = 1) -> np.ndarray:
        pool = self.everyone[what] if person is None else self.by_person[person][what]
        if len(pool) == 0:
            pool = self.everyone[what]
        if len(pool) == 0:
            return np.full(n, DEFAULTS.get(what, 0.0))
        return pool[rng.integers(len(pool), size=n)] * np.exp(rng.normal(0, TIME_JITTER, n))


@dataclass
class Models:
    mouse: object | None       # MouseProfile
    typing: object | None      # TypingProfile
    faker: object
    guards: Guards | None = None  # None: no privacy guard
    quotas: Quotas | None = None  # --people new: the identity quota (None: off)


@dataclass
class Quotas:
    """The identity quota of each generated modality (`simulator.augment.identity`)."""

    mouse: identity.IdentityQuota | None = None
    typing: identity.IdentityQuota | None = None
    layout: object = None  # the keyboard the recorded text was typed on: the typing quota reads with it

    def stats(self) -> dict:
        """``manifest.stats["identity_quota"]``."""
        return {k: q.stats() for k in ("mouse", "typing") if (q := getattr(self, k)) is not None}


@dataclass
class Moves:
    """A session's generated movements, one entry per pointing task (redraws replace entries)."""

    t: list[np.ndarray]
    x: list[np.ndarray]
    y: list[np.ndarray]
    press_x: np.ndarray
    press_y: np.ndarray
    missed: np.ndarray
    bounds: tuple[float, float, float, float]
    """The area the person's pointer covered, standing for their screen: paths and presses stop at its edges."""

    @staticmethod
    def of(batch, bounds: tuple[float, float, float, float]) -> "Moves":
        x0, y0, x1, y1 = bounds
        parts = [batch.one(i) for i in range(len(batch))]
        return Moves([p[0] for p in parts], [np.clip(p[1], x0, x1) for p in parts],
                     [np.clip(p[2], y0, y1) for p in parts], np.clip(np.asarray(batch.press_x, float), x0, x1),
                     np.clip(np.asarray(batch.press_y, float), y0, y1), np.asarray(batch.missed, bool).copy(), bounds)

    def replace(self, idx: np.ndarray, batch) -> None:
        new = Moves.of(batch, self.bounds)
        for j, i in enumerate(idx):
            self.t[i], self.x[i], self.y[i] = new.t[j], new.x[j], new.y[j]
        self.press_x[idx], self.press_y[idx], self.missed[idx] = new.press_x, new.press_y, new.missed


def written_paths(moves: Moves, keep: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray] | None]:
    """Each kept movement as it is written: pulled, fading out along the way, to start exactly where the
    last press was (the aim scatter moved it off the planned start), inside the bounds; None for a movement
    left out. After a left-out movement the next one starts at its own planned start (the pointer jumps there)."""
    x0, y0, x1, y1 = moves.bounds
    out: list = []
    prev = None
    for i in range(len(moves.t)):
        if not keep[i]:
            out.append(None)
            prev = None
            continue
        tm, xm, ym = moves.t[i], moves.x[i].copy(), moves.y[i].copy()
        if prev is not None and len(tm) > 1:
            fade = 1 - (tm - tm[0]) / max(tm[-1] - tm[0], 1e-9)
            xm += np.rint((prev[0] - xm[0]) * fade)
            ym += np.rint((prev[1] - ym[0]) * fade)
        out.append((tm, np.clip(xm, x0, x1), np.clip(ym, y0, y1)))
        prev = (float(moves.press_x[i]), float(moves.press_y[i]))
    return out


def _guard_moves(moves: Moves, plan: tuple, models: Models, user, ss: np.random.SeedSequence,
                 count: GuardCount) -> tuple[list, np.ndarray]:
    """Redraw movements the guard finds too close (all judged as written); returns paths and kept mask."""
    from simulator import mouse as mouse_model

    n = len(moves.t)
    keep = np.ones(n, bool)
    guard = models.guards.mouse if models.guards else None
    paths = written_paths(moves, keep)
    if guard is None:
        return paths, keep
    count.checked += n
    ever = np.zeros(n, bool)
    close = movements_too_close(guard, paths, moves.press_x, moves.press_y)
    r = 0
    while True:
        bad = keep & close
        if not bad.any():
            break
        if r < ROUNDS:
            idx = np.flatnonzero(bad)
            sx, sy, ex, ey, w, h = (v[idx] for v in plan)
            moves.replace(idx, mouse_model.synth_moves(sx, sy, ex, ey, w, h, profile=models.mouse,
                                                       rng=round_rng(ss, "mouse", r), user=user))
            ever |= bad
            count.redraws += len(idx)
            r += 1
        else:
            keep &= ~bad
        # a redrawn movement presses elsewhere and a left-out one no longer leads into the next: the
        # movement after each changed one starts differently, so it is judged again too
        changed = bad.copy()
        nxt = np.flatnonzero(bad) + 1
        changed[nxt[nxt < n]] = True
        paths = written_paths(moves, keep)
        redo = [p if c else None for p, c in zip(paths, changed)]
        close[changed] = movements_too_close(guard, redo, moves.press_x, moves.press_y)[changed]
    count.redrawn += int(ever.sum())
    count.dropped += int((~keep).sum())
    return paths, keep


def _guard_typing(typed: list, texts: list[str], models: Models, typist, ss: np.random.SeedSequence,
                  count: GuardCount) -> np.ndarray:
    """Redraw typed segments the guard finds too close (same text and typist); returns the kept mask."""
    from simulator import typing as typing_model

    guard = models.guards.typing if models.guards else None
    if guard is None:
        return np.ones(len(typed), bool)
    count.checked += len(typed)
    bad = segments_too_close(guard, typed)
    ever = bad.copy()
    r = 0
    while bad.any() and r < ROUNDS:
        idx = np.flatnonzero(bad)
        redo = typing_model.synth_typing([texts[i] for i in idx], profile=models.typing,
                                         rng=round_rng(ss, "typing", r), users=[typist] * len(idx))
        for j, i in enumerate(idx):
            typed[i] = redo[j]
        count.redraws += len(idx)
        bad[idx] = segments_too_close(guard, redo)
        r += 1
    count.redrawn += int(ever.sum())
    count.dropped += int(bad.sum())
    return ~bad


def _mouse_person(models: Models, person: str | None, rng: np.random.Generator):
    """A recorded person's mouse parameters (``person``), or a new person's drawn as ``--people new`` draws them."""
    from simulator import mouse as mouse_model

    user = mouse_model.person(models.mouse, rng, person)
    return user if person is not None else as_new_person(user, models.mouse.critic, rng)


def _typist(models: Models, person: str | None, rng: np.random.Generator):
    """A recorded person's typist (``person``), or a new one drawn as ``--people new`` draws them."""
    from simulator import typing as typing_model

    typist = typing_model.person(models.typing, rng, person)
    return typist if person is not None else as_new_person(typist, models.typing.critic, rng)


def _redraw_rngs(ss: np.random.SeedSequence, modality: str, r: int) -> tuple[np.random.Generator, np.random.Generator]:
    """The person's and the draws' generators of the identity quota's redraw ``r`` of a session's modality."""
    return component_rng(ss, f"quota:{modality}:{r}:person"), component_rng(ss, f"quota:{modality}:{r}")


def _moves_items(moves: Moves) -> np.ndarray:
    """The judge's feature rows of a session's movements, as they will be written (no item left out)."""
    mv, _ = as_movements(written_paths(moves, np.ones(len(moves.t), bool)), moves.press_x, moves.press_y)
    return identity.movement_features(mv)


def _typed_items(typed: list, layout) -> np.ndarray:
    """The judge's feature rows of a session's typed segments."""
    return identity.segment_features([r for ke in typed for r in segment_records(ke)], layout)


def as_new_person(person: P, critic: Critic | None, rng: np.random.Generator) -> P:
    """A person drawn from the population (a `MouseUser` or `Typist`) as ``--people new`` makes them: with
    a tilt of the realism critic of their own, drawn as the fitted people's tilts vary. Without one every
    new person is pulled towards the population alike (see `simulator.critic.draw_tilt`)."""
    return replace(person, tilt=draw_tilt(critic, rng))


def _same_length(dx: float, dy: float):
    """The vector, its mirror images, then its rotations by growing angles either way (16 steps)."""
    yield from ((dx, dy), (-dx, dy), (dx, -dy), (-dx, -dy))
    r, a = float(np.hypot(dx, dy)), float(np.arctan2(dy, dx))
    for k in range(1, 9):
        for sign in (1, -1):
            yield r * np.cos(a + sign * k * np.pi / 8), r * np.sin(a + sign * k * np.pi / 8)


def _pointing_plan(st: SessionTasks, n: int, rng: np.random.Generator):
    """``n`` pointing tasks resampled from the session's recorded ones, chained: each starts where the last ended.

    The ``n`` tasks are drawn first (recorded distances, directions and target sizes, jittered), then done in
    an order that lets each fit: the next one is the first still waiting that ends inside the area the
    person's pointer covered from where the pointer is now -- as it is, or mirrored across one or both axes,
    or turned to the nearest direction that fits. A long task waits until the pointer is near an edge it can
    leave, so the distances are the recorded ones (redrawing the tasks that did not fit from here favoured
    short ones: on SapiMouse the mean distance came out 9 % short, the 90th percentile 13 %). Only when no
    waiting task fits is one replaced by a fresh draw that does; only if none of `FIT_TRIES` draws does either
    is the task's end clipped to the area's edge.
    """
    x0b, y0b, x1b, y1b = st.bounds

    def draw(k: int):
        rec = [st.pointing[i] for i in rng.integers(len(st.pointing), size=k)]
        vx = np.array([p.press[0] - p.start[0] for p in rec])
        vy = np.array([p.press[1] - p.start[1] for p in rec])
        dist = np.hypot(vx, vy) * np.exp(rng.normal(0, DIST_JITTER, k))
        ang = np.arctan2(vy, vx) + rng.normal(0, ANGLE_JITTER, k)
        size = np.array([p.size for p in rec], float) * np.exp(rng.normal(0, SIZE_JITTER, (k, 1)))
        return dist * np.cos(ang), dist * np.sin(ang), size

    def fitting(dx: float, dy: float, cx: float, cy: float) -> tuple[float, float] | None:
        return next(((a, b) for a, b in _same_length(dx, dy) if x0b <= cx + a <= x1b and y0b <= cy + b <= y1b),
                    None)

    vx, vy, size = draw(n)
    first = st.pointing[int(rng.integers(len(st.pointing)))].start
    cx = float(np.clip(np.rint(first[0] + rng.normal(0, 0.02 * max(x1b - x0b, 1))), x0b, x1b))
    cy = float(np.clip(np.rint(first[1] + rng.normal(0, 0.02 * max(y1b - y0b, 1))), y0b, y1b))
    waiting = list(range(n))
    sx, sy, ex, ey, w, h = (np.empty(n) for _ in range(6))
    for i in range(n):
        pick = next(((q, v) for q, j in enumerate(waiting) if (v := fitting(vx[j], vy[j], cx, cy)) is not None),
                    None)
        if pick is not None:
            j = waiting.pop(pick[0])
            (dx, dy), (w[i], h[i]) = pick[1], size[j]
        else:  # nothing waiting fits from here: the head of the queue is replaced by a fresh draw that does
            j = waiting.pop(0)
            dx, dy, (w[i], h[i]) = vx[j], vy[j], size[j]
            for _ in range(FIT_TRIES):
                nx, ny, ns = draw(1)
                if (v := fitting(nx[0], ny[0], cx, cy)) is not None:
                    (dx, dy), (w[i], h[i]) = v, ns[0]
                    break
        sx[i], sy[i] = cx, cy
        ex[i] = float(np.clip(np.rint(cx + dx), x0b, x1b))
        ey[i] = float(np.clip(np.rint(cy + dy), y0b, y1b))
        cx, cy = ex[i], ey[i]
    return sx, sy, ex, ey, w, h


def _segment_plan(st: SessionTasks, n: int, models: Models, rng: np.random.Generator) -> tuple[list[str], list[bool]]:
    pick = rng.integers(len(st.segments), size=n)
    texts, enters = [], []
    for i in pick:
        s = st.segments[i]
        length = max(1, int(round(s.length * np.exp(rng.normal(0, DIST_JITTER)))))
        texts.append(matched_text(length, s.mix, models.faker, rng))
        enters.append(s.enter)
    return texts, enters


class _Rows:
    """Columns of one generated session's events and actions."""

    def __init__(self, sid: str) -> None:
        self.sid = sid
        self.ev: dict[str, list] = {k: [] for k in ("t_ms", "device", "type", "x", "y", "button", "key", "code",
                                                   "action_id")}
        self.actions: list[dict] = []

    def event(self, t, device, type_, x=None, y=None, button=None, key=None, code=None, action_id=None) -> None:
        for k, v in (("t_ms", t), ("device", device), ("type", type_), ("x", x), ("y", y), ("button", button),
                     ("key", key), ("code", code), ("action_id", action_id)):
            self.ev[k].append(v)

    def tables(self) -> tuple[pa.Table, pa.Table]:
        n = len(self.ev["t_ms"])
        t = np.asarray(self.ev["t_ms"], float)
        order = np.argsort(t, kind="stable")
        cols = {"session_id": pa.array([self.sid] * n, pa.string()), "seq": pa.array(np.arange(n, dtype=np.int64))}
        for name, values in self.ev.items():
            cols[name] = pa.array([values[i] for i in order], EVENTS.field(name).type)
        events = pa.table(cols).select([c for c in EVENTS.names if c in cols])
        actions = pa.Table.from_pylist(self.actions, schema=ACTIONS) if self.actions else ACTIONS.empty_table()
        return events, actions


def generate_session(st: SessionTasks, sid: str, index: int, seed: int, people: str, pools: Pools,
                     models: Models, counts: dict[str, GuardCount] | None = None) -> tuple[str, pa.Table, pa.Table]:
    """One new session shaped like ``st``; returns (person id, events, actions).

    ``counts`` (per modality) collects what the privacy guard did, when ``models.guards`` is set."""
    from simulator import mouse as mouse_model
    from simulator import typing as typing_model

    ss = session_seed(seed, index)
    r_person, r_tasks, r_pause = (component_rng(ss, c) for c in ("person", "tasks", "pauses"))
    same = people == "same"
    who = st.person if same else f"new{index:05d}"
    pool_key = st.person if same else None
    rows = _Rows(sid)
    order = [(k, i) for k, i in st.order if (models.mouse if k == "mouse" else models.typing) is not None]
    n_mouse = sum(k == "mouse" for k, _ in order)
    n_typing = len(order) - n_mouse
    quotas = models.quotas if not same else None
    counts = counts if counts is not None else {}
    texts = None
    keep_m = keep_t = np.zeros(0, bool)
    # the people are drawn from r_person in this order (mouse, then typing) whatever the quota redraws
    first_mouse = _mouse_person(models, st.person if same else None, r_person) if n_mouse else None
    first_typist = _typist(models, st.person if same else None, r_person) if n_typing else None
    if n_mouse:
        plan = _pointing_plan(st, n_mouse, r_tasks)
        sx, sy, ex, ey, w, h = plan

        def draw_moves(user, rng: np.random.Generator):
            return user, Moves.of(mouse_model.synth_moves(sx, sy, ex, ey, w, h, profile=models.mouse, rng=rng,
                                                          user=user), st.bounds)

        def redraw_moves(r: int):
            rp, rm = _redraw_rngs(ss, "mouse", r)
            return draw_moves(_mouse_person(models, None, rp), rm)

        drawn = draw_moves(first_mouse, component_rng(ss, "mouse"))
        if quotas is not None and quotas.mouse is not None:
            drawn = quotas.mouse.admit(drawn, redraw_moves, lambda d: _moves_items(d[1]))
        mouse_user, moves = drawn
        paths, keep_m = _guard_moves(moves, plan, models, mouse_user, ss, counts.setdefault("mouse", GuardCount()))
        dwell = pools.draw(pool_key, "dwell", r_pause, n_mouse)
        hold = pools.draw(pool_key, "hold", r_pause, n_mouse)
    if n_typing:
        texts, enters = _segment_plan(st, n_typing, models, component_rng(ss, "content"))

        def draw_typing(typist, rng: np.random.Generator):
            return typist, typing_model.synth_typing(texts, profile=models.typing, rng=rng, users=[typist] * n_typing)

        def redraw_typing(r: int):
            rp, rt = _redraw_rngs(ss, "typing", r)
            return draw_typing(_typist(models, None, rp), rt)

        drawn_t = draw_typing(first_typist, component_rng(ss, "typing"))
        if quotas is not None and quotas.typing is not None:
            drawn_t = quotas.typing.admit(drawn_t, redraw_typing, lambda d: _typed_items(d[1], quotas.layout))
        typist, typed = drawn_t
        keep_t = _guard_typing(typed, texts, models, typist, ss, counts.setdefault("typing", GuardCount()))
    params = json.dumps({"person": who, "people": people, "source_session": st.session_id}, sort_keys=True)
    t = float(pools.draw(pool_key, "first", r_pause)[0]) if st.t_first > 0 else 0.0
    after = None        # what ended the last task: mouse, enter or pause (see SessionTasks.gaps)
    last_key = -np.inf  # the last key press so far
    cut_by_pause = False  # the last typed segment ended without Enter: the next one must start > 5 s later
    mi = ti = 0
    for kind, _ in order:
        if kind == "mouse" and not keep_m[mi]:  # left out by the privacy guard: the task is skipped
            mi += 1
            continue
        if kind == "typing" and not keep_t[ti]:
            ti += 1
            continue
        aid = len(rows.actions)
        if after is not None:
            t += float(pools.draw(pool_key, f"gap:{after}", r_pause)[0])
        if kind == "typing" and cut_by_pause:  # keep the segments apart as the recording had them
            t = max(t, last_key + SEGMENT_PAUSE_MS + 1.0)
        if kind == "mouse":
            tm, xm, ym = paths[mi]  # starts exactly where the last press was (see written_paths)
            px, py = float(moves.press_x[mi]), float(moves.press_y[mi])
            t_press = t + float(tm[-1]) + float(dwell[mi])
            t_up = t_press + float(hold[mi])
            for a, b, c in zip(tm, xm, ym):
                rows.event(t + float(a), "mouse", "move", float(b), float(c), action_id=aid)
            rows.event(t_press, "mouse", "down", px, py, "left", action_id=aid)
            rows.event(t_up, "mouse", "up", px, py, "left", action_id=aid)
            box = {}
            if np.isfinite(w[mi]) and np.isfinite(h[mi]):
                box = {"box_x": ex[mi] - w[mi] / 2, "box_y": ey[mi] - h[mi] / 2, "box_w": float(w[mi]),
                       "box_h": float(h[mi])}
            rows.actions.append({"session_id": sid, "action_id": aid, "kind": "click", "t_start_ms": t,
                                 "t_end_ms": t_up, "step": f"point and click at ({ex[mi]:.0f}, {ey[mi]:.0f})",
                                 "outcome": "miss_corrected" if moves.missed[mi] else "ok", "params": params, **box})
            t = t_up
            after = "mouse"
            mi += 1
        else:
            ke = typed[ti]
            tk = t + ke.t_ms
            for a, ty, k, c in zip(tk, ke.type, ke.key, ke.code):
                rows.event(float(a), "keyboard", "key_down" if ty == "down" else "key_up", key=k, code=c,
                           action_id=aid)
            end = float(tk.max()) if len(tk) else t
            if enters[ti]:  # Enter ends the segment as it did in the recording: one more keystroke, same rhythm
                downs = np.sort(tk[ke.type == "down"])
                iki = float(np.median(np.diff(downs))) if len(downs) > 1 else 200.0
                t_enter = float(downs[-1] if len(downs) else t) + iki * float(np.exp(r_pause.normal(0, TIME_JITTER)))
                t_enter = max(t_enter, end - 50.0)
                rows.event(t_enter, "keyboard", "key_down", key="Enter", code="Enter", action_id=aid)
                rows.event(t_enter + 90.0 * float(np.exp(r_pause.normal(0, TIME_JITTER))), "keyboard", "key_up",
                           key="Enter", code="Enter", action_id=aid)
                end = max(end, rows.ev["t_ms"][-1])
            rows.actions.append({"session_id": sid, "action_id": aid, "kind": "type", "t_start_ms": t,
                                 "t_end_ms": end, "step": "type a segment of text", "text_intended": texts[ti],
                                 "text_typed": ke.text, "outcome": "ok" if ke.text == texts[ti] else "text_mismatch",
                                 "params": params})
            last_key = float(np.max(tk[ke.type == "down"])) if (ke.type == "down").any() else t
            if enters[ti]:
                last_key = max(last_key, t_enter)
            after = "enter" if enters[ti] else "pause"
            cut_by_pause = not enters[ti]
            t = end
            ti += 1
    events, actions = rows.tables()
    return who, events, actions


def check_options(factor: int, people: str, modality: str = "all", workers: int = 1) -> None:
    if workers < 1:
        raise HcisimError(f"--workers must be at least 1, not {workers}")
    if factor < 1:
        raise HcisimError(f"--factor must be a whole number >= 1, not {factor}")
    if people not in PEOPLE:
        raise HcisimError(f"--people must be one of {', '.join(PEOPLE)}, not {people!r}")
    if modality not in MODALITIES:
        raise HcisimError(f"--modality must be one of {', '.join(MODALITIES)}, not {modality!r}")


def _refuse_population_of_one(dataset: Path, tasks: DatasetTasks, modality: str) -> None:
    """``--people new`` where a modality's profile would keep one person: its population is that person, so the
    "new" people would be them, as with a dataset of one person. The whole dataset's people are not enough to
    ask about: a person with too few pointing movements gets no mouse parameters, and one who never typed no
    typing ones (two people of whom one moved the mouse made every new pointer theirs); the fits' own rules
    (`mouse_people`, `typing_texts`) say who is fitted."""
    fitted: dict[str, list[str]] = {}
    if modality in ("all", "mouse") and len(tasks.movements):
        fitted["mouse"] = mouse_people(tasks.movements)[0]
    if modality in ("all", "typing"):
        fitted["typing"] = sorted({r.user for r in typing_texts(tasks.typing_records)})
    for kind, who in fitted.items():
        if len(who) == 1:
            other = [k for k, w in fitted.items() if k != kind and len(w) > 1]
            raise HcisimError(f"{dataset}: --people new draws new people from a population fitted to the dataset's "
                              f"people, and only one of them ({who[0]}) has enough {kind} data to fit; use --people "
                              f"same{f', --modality {other[0]}' if other else ''}, or add other people's sessions")


def _pseudonymous(tasks: DatasetTasks) -> DatasetTasks:
    """The recorded people and sessions under neutral names (``p000``, ``s00000``, in sorted / manifest order)
    before anything is fitted or written, for ``--people new``: its output is by nobody recorded, yet the
    profiles stored in it held each person's fitted parameters under their name, and its session ids and
    ``source_session`` carried their file names (``own-alice_smith-x000``)."""
    names = sorted({st.person for st in tasks.sessions} | {g.user for g in tasks.movements_logs}
                   | {r.user for r in tasks.typing_records})
    person = {p: f"p{i:03d}" for i, p in enumerate(names)}
    sids = list(dict.fromkeys([st.session_id for st in tasks.sessions] + [g.session for g in tasks.movements_logs]
                              + [session_of(r) for r in tasks.typing_records]))
    session = {s: f"s{j:05d}" for j, s in enumerate(sids)}
    return DatasetTasks(
        [replace(st, session_id=session[st.session_id], person=person[st.person]) for st in tasks.sessions],
        [replace(g, user=person[g.user], session=session[g.session]) for g in tasks.movements_logs],
        [replace(r, user=person[r.user], text_id=session[session_of(r)] + "#" + r.text_id.rsplit("#", 1)[1])
         for r in tasks.typing_records])


def augment_dataset(dataset: Path, out: Path, *, factor: int, people: str = "same", seed: int = 0,
                    modality: str = "all", progress: Progress = None, command: list[str] | None = None,
                    overwrite: bool = False, guard_quantile: float | None = GUARD_QUANTILE,
                    identity_quota: bool = True, workers: int = 1) -> Manifest:
    """Fit the dataset's people and write ``factor`` x as many sessions to ``out`` (atomically).

    ``guard_quantile``: the privacy guard's threshold quantile (`simulator.fidelity.privacy.RecordGuard`);
    None turns the guard off. ``identity_quota``: with ``people="new"``, the identity quota
    (`simulator.augment.identity`); False turns it off. Both switches are for measuring what a guard
    changes, never for data to share. ``workers``: processes; the mouse and typing profiles are fitted side
    by side (`fit_side_by_side`) and the sessions made in chunks (one after the other with ``--people new``'s
    identity quota); the bytes are the same."""
    from simulator.mouse.profile import load_profile as load_mouse
    from simulator.typing.profile import load_profile as load_typing

    check_options(factor, people, modality, workers)
    ds = read_dataset(dataset)  # first: "not a dataset" says more than where the output would go
    refuse_overlap(out, {"dataset being augmented": dataset})
    if not ds.sessions or ds.events.num_rows == 0:
        raise HcisimError(f"{dataset}: the dataset is empty (no sessions with events)")
    tasks = extract(ds)
    has_mouse = any(st.pointing for st in tasks.sessions)
    has_typing = any(st.segments for st in tasks.sessions)
    if modality == "mouse" and not has_mouse:
        raise HcisimError(f"{dataset}: no mouse data to augment (no pointing movements: moves ending in a left press)")
    if modality == "typing" and not has_typing:
        raise HcisimError(f"{dataset}: no typing data to augment (no key_down/key_up events)")
    if not (has_mouse or has_typing):
        raise HcisimError(f"{dataset}: nothing to augment (no pointing movements and no typing)")
    _check_room(ds, factor, Path(out))
    people_in = sorted({st.person for st in tasks.sessions})
    if people == "new" and len(people_in) < 2:  # a population of one is that person: "new" people would be them
        raise HcisimError(f"{dataset}: --people new draws new people from a population fitted to the dataset's "
                          f"people, and it has one ({people_in[0]}); use --people same, or add other people's sessions")
    if people == "new":
        _refuse_population_of_one(dataset, tasks, modality)
        tasks = _pseudonymous(tasks)
    src_sha = ds.manifest.content_sha256()
    src_name = Path(os.path.abspath(dataset)).name  # "augment ." names the folder, not ''
    m = ds.manifest
    terms = dataset_terms(m.source, m.profiles)  # the recorded data's licence travels on (a profile's too)
    manifest = Manifest(driver="augment", coordinate_space=m.coordinate_space, seed=seed, scenario=m.scenario,
                        command=command or list(sys.argv), screen=m.screen, viewport=m.viewport,
                        source={"dataset": src_name, "dataset_sha256": src_sha,
                                "format": m.source.get("format", m.driver), "factor": factor, "people": people,
                                "modality": modality, **terms})
    fit_mouse_too = has_mouse and modality in ("all", "mouse")
    fit_typing_too = has_typing and modality in ("all", "typing")
    # fitting is most of the time on a small factor (74 of 77 s for nine SapiMouse people, factor 1)
    fit_steps = FIT_STEPS * fit_mouse_too + TYPING_FIT_STEPS * fit_typing_too + 1
    step = Steps(fit_steps + factor * len(tasks.sessions), progress)
    with one_thread(), DatasetWriter(Path(out), manifest, overwrite=overwrite) as w:
        meta = {"source_format": "hcisim", "source": src_name, "source_sha256": src_sha, **terms}
        jobs = {"mouse": partial(fit_mouse, tasks.movements, "augment-mouse", meta, seed=seed),
                "typing": partial(fit_typing, tasks.typing_records, "augment-typing", meta)}
        wanted = [kind for kind, yes in (("mouse", fit_mouse_too), ("typing", fit_typing_too)) if yes]
        parts = step.parts(*(FIT_STEPS if kind == "mouse" else TYPING_FIT_STEPS for kind in wanted))
        try:
            fitted = fit_side_by_side({kind: jobs[kind] for kind in wanted}, dict(zip(wanted, parts)), workers)
        except FitFailed as e:  # both wanted (--modality all): say that the other can be augmented alone
            if len(wanted) < 2:
                raise e.error from None
            other = "typing" if e.kind == "mouse" else "mouse"
            raise HcisimError(f"{dataset}: {e}; --modality {other} augments its {other} alone") from None
        loaded = {}
        for kind, f in fitted.items():  # generate with exactly the stored profile (rounded as in the file)
            rel = w.add_file(f"profiles/{kind}.json", f.data)
            loaded[kind] = (load_mouse if kind == "mouse" else load_typing)(str(w.tmp / rel))
            manifest.profiles[kind] = {"id": f.profile.id, "sha256": f.sha256, "path": rel}
        guards = None
        if guard_quantile is not None:
            guards = Guards.fit(tasks.movements if "mouse" in loaded else None,
                                tasks.typing_records if "typing" in loaded else None, quantile=guard_quantile)
        models = Models(loaded.get("mouse"), loaded.get("typing"), new_faker(), guards)
        pools = Pools.of(tasks.sessions)
        usable, skipped, idle = _usable(tasks, models, people)
        if not usable:
            raise HcisimError(f"{dataset}: no session has a person with enough data to fit "
                              f"(left out: {', '.join(sorted(set(skipped.values())))})")
        if people == "new" and identity_quota:  # each modality's cap is its share of its own new sessions
            per_kind = {kind: factor * sum(any(k == kind for k, _ in st.order) for st in usable)
                        for kind in ("mouse", "typing")}
            models.quotas = _quotas(tasks, models, per_kind, seed)
        step.total = fit_steps + factor * len(usable)
        step.at(fit_steps)
        job = _SessionChunks([(st, f"{st.session_id}-x{c:03d}") for st in usable for c in range(factor)],
                             seed, people, pools, models)  # (--people new: s00003-x000, see _pseudonymous)
        # the identity quota admits each new person against its counts so far: one after the other
        parallel = workers if models.quotas is None else 1
        for _, (made, counts) in chunks_in_order(job, len(job.sessions), SESSION_CHUNK, parallel):
            for sid, who, events, actions in made:
                w.add_session(sid, events=events, actions=actions)
                manifest.people[sid] = who
                step()
            if guards is not None:
                for kind, c in counts.items():
                    guards.counts.setdefault(kind, GuardCount()).add(c)
        manifest.stats = {"sessions_in": len(ds.sessions), "sessions_out": len(job.sessions),
                          "sessions_left_out": dict(sorted(skipped.items()))}
        if idle:  # else sessions_in x factor and sessions_out disagreed with nothing left out
            manifest.stats["sessions_without_tasks"] = idle
        if guards is not None:
            manifest.stats["privacy_guard"] = guards.stats()
        if models.quotas is not None:
            manifest.stats["identity_quota"] = models.quotas.stats()
    return manifest


SESSION_CHUNK = 20
"""Sessions a worker makes at a time (`--workers`); session k's numbers depend on (seed, k) alone."""


@dataclass
class _SessionChunks:
    """The new sessions ``sessions[part]`` (each (recorded session's tasks, new id)), made as a worker's chunk:
    ``(sid, person, events, actions)`` each, and what the privacy guard did while making them."""

    sessions: list[tuple[SessionTasks, str]]
    seed: int
    people: str
    pools: Pools
    models: Models

    def __call__(self, k: int, part: slice) -> tuple[list[tuple[str, str, pa.Table, pa.Table]], dict[str, GuardCount]]:
        counts: dict[str, GuardCount] = {}
        made = []
        for i in range(part.start, part.stop):
            st, sid = self.sessions[i]
            who, events, actions = generate_session(st, sid, i, self.seed, self.people, self.pools, self.models,
                                                    counts)
            made.append((sid, who, events, actions))
        return made, counts


def _quotas(tasks: DatasetTasks, models: Models, sessions: dict[str, int], seed: int) -> Quotas:
    """The identity quota of each modality generated (None where its recorded items name one person);
    ``sessions``: per modality, how many new sessions will have its tasks (a session of mouse tasks only is
    no typing session, so it cannot widen the typing cap)."""
    id_seed = int(component_seed(np.random.SeedSequence(seed), "identity-quota").generate_state(1)[0])
    q = Quotas()
    if models.mouse is not None:
        q.mouse = identity.fit_mouse(tasks.movements, sessions["mouse"], id_seed)
    if models.typing is not None:
        q.typing, q.layout = identity.fit_typing(tasks.typing_records, sessions["typing"], id_seed)
    return q


def _check_room(ds, factor: int, out: Path) -> None:
    """Refuse a --factor whose output cannot fit on the disk (hours of generation, then "no space left")."""
    tables = [e.bytes for rel, e in ds.manifest.files.items() if Path(rel).parts[0].split(".")[0] in ("events", "actions")]
    need = factor * sum(tables)
    where = next(p for p in (out.resolve(), *out.resolve().parents) if p.exists())
    free = shutil.disk_usage(where).free
    if need > free:
        raise HcisimError(f"--factor {factor} would write about {need / 1e9:,.1f} GB (the dataset's tables times "
                          f"{factor}) and {where} has {free / 1e9:,.1f} GB free")


def _usable(tasks: DatasetTasks, models: Models,
            people: str) -> tuple[list[SessionTasks], dict[str, str], list[str]]:
    """Sessions that can be generated: with --people same, their person must be in the fitted profiles; the
    sessions left out (session -> person), and the sessions with no task of a modality generated (idle)."""
    usable, skipped, idle = [], {}, []
    for st in tasks.sessions:
        kinds = {k for k, _ in st.order if (models.mouse if k == "mouse" else models.typing) is not None}
        if not kinds:
            idle.append(st.session_id)
            continue
        if people == "same":
            if "mouse" in kinds and st.person not in models.mouse.alpha:
                skipped[st.session_id] = st.person
                continue
            if "typing" in kinds and st.person not in models.typing.user_params:
                skipped[st.session_id] = st.person
                continue
        usable.append(st)
    return usable, skipped, idle
