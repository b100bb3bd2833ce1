"""Replay a recorded (or generated) session against a build of an app.

Each recorded top-level action is re-executed: its target is found again by
descriptor (`replay.locate`), the pointer follows the recorded trajectory
transformed onto the new start and target (or the mouse model's, or a fast
straight path), text is typed with the recorded key rhythm, and checkpoints
are checked after each step. The result is a replay dataset plus per-step
statuses: ``ok``, ``retargeted`` (found, but not by its test id/id), or
``failed``. A failing step does not stop the replay: QA wants every
divergence, the first one named.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from playwright.sync_api import Error as PlaywrightError

from simulator import locate as L
from simulator import plan as P
from simulator.atomic import refuse_overlap
from simulator.dataset import DatasetWriter, Manifest, check_out, read_dataset
from simulator.drivers.browser import BrowserDriver, refuse_unreachable
from simulator.errors import HcisimError, NotServed
from simulator.runner import timing_stats
from simulator.scenario import Recorded
from simulator.sessions import events_table
from simulator.typing.layout import code_for, infer_layout
from replay.convert import drop_offset, navigation_was_caused
from replay.urls import app_folder, navigate_url, rebase, recorded_start, refuse_screen_sessions
from replay.locate import (CANDIDATES_JS, THRESHOLD, Match, best_match, descriptor_of_action, patience_ms,
                           normalize)

TIMINGS = ("original", "model", "fast")
STABLE_STRATEGIES = ("testid", "id")
_POINTER_KINDS = ("click", "double_click", "right_click", "hover")
FAST_KEY_MS = 4.0
"""``--timing fast``: key events go out this far apart (a CDP key event's round trip is ~2 ms)."""
BUILD_WAIT_MS = 5000.0
"""How long replay waits for the build to do what the recording shows: navigate, offer an option."""
CHECKPOINT_FIELDS = {"url": ("path",), "text_present": ("text",), "element_visible": ("locator",),
                     "field_value": ("locator", "value")}


def _same_handle(desc: dict[str, Any], cand: dict[str, Any], strategy: str) -> bool:
    """Is the test id (or HTML id) that found the element spelled exactly as recorded? The matcher also
    equates naming styles (search-submit, searchSubmit): found, but renamed."""
    attr = "data-testid" if strategy == "testid" else "id"
    return ((desc.get("attrs") or {}).get(attr) or None) == ((cand.get("attrs") or {}).get(attr) or None)


def _as_recorded(desc: dict[str, Any], match: Match) -> bool:
    """Was the element found by the very handle it was recorded with (test id or id)?"""
    return match.found and match.strategy in STABLE_STRATEGIES and _same_handle(desc, match.candidate, match.strategy)


class AppUnreachable(HcisimError):
    """The build's first page did not load: no step can be replayed."""


def check_checkpoints(checkpoints: Any, n_steps: int) -> list[dict[str, Any]]:
    """A checkpoints file's list, checked before the browser starts: known kinds with their fields, and
    ``after_step`` one of the replay's steps (1..n) or ``"end"``; a checkpoint that can never run is an error,
    not a silent pass."""
    if not isinstance(checkpoints, list):
        raise HcisimError("checkpoints: expected a JSON list of objects")
    for n, c in enumerate(checkpoints, 1):
        if not isinstance(c, dict):
            raise HcisimError(f"checkpoint {n}: expected an object, got {type(c).__name__}")
        kind = c.get("kind")
        if kind not in CHECKPOINT_FIELDS:
            raise HcisimError(f"checkpoint {n}: unknown kind {kind!r} (use one of {', '.join(CHECKPOINT_FIELDS)})")
        missing = [f for f in CHECKPOINT_FIELDS[kind] if not isinstance(c.get(f), str)]
        if missing:
            raise HcisimError(f"checkpoint {n} ({kind}): needs {', '.join(missing)} (text)")
        if "locator" in CHECKPOINT_FIELDS[kind]:  # a malformed locator is said now, not after the whole replay
            spec = c["locator"].strip()
            engine = re.match(r"([A-Za-z][\w-]*)=", spec)
            if not spec or (engine and engine.group(1) != "css" and L.parse(spec).by == "css"):
                raise HcisimError(f"checkpoint {n} ({kind}): locator {c['locator']!r} is not one of role=R[name=\"N\"], "
                                  f"text=\"T\", label=\"L\", testid=\"I\", placeholder=\"P\" or a CSS selector")
        if kind == "text_present" and not c["text"].strip():
            raise HcisimError(f"checkpoint {n} (text_present): an empty text is on every page; give the text")
        if kind == "url" and not (c["path"].startswith("/") and not set("?#") & set(c["path"])):
            raise HcisimError(f"checkpoint {n} (url): path {c['path']!r} must be a path such as \"/search\" "
                              f"(no origin, query or fragment: those are not compared)")
        after = c.get("after_step")
        if after not in (None, "end") and not (type(after) is int and 1 <= after <= n_steps):  # True is an int
            raise HcisimError(f"checkpoint {n}: after_step {after!r} is not a step of this replay (1-{n_steps} "
                              f"or \"end\")")
    return checkpoints


@dataclass
class Checkpoint:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class StepResult:
    index: int
    action_id: int
    kind: str
    step: str
    status: str = "ok"
    strategy: str | None = None
    score: float | None = None
    message: str = ""
    checkpoints: list[Checkpoint] = field(default_factory=list)
    before_frame: str | None = None
    after_frame: str | None = None
    recorded_frame: str | None = None
    t_start_ms: float | None = None
    t_end_ms: float | None = None
    box: tuple[float, float, float, float] | None = None
    """Where the step's element was on this build (the replay dataset's actions say this, not the recording's)."""

    @property
    def diverged(self) -> bool:
        """The step failed, or one of its checkpoints did (a `goto` that loads can land on the wrong URL)."""
        return self.status == "failed" or not all(c.ok for c in self.checkpoints)


@dataclass
class ReplayResult:
    out: Path
    steps: list[StepResult]
    timing: dict[str, float]
    final_values: list[Checkpoint]

    @property
    def passed(self) -> bool:
        return not any(s.diverged for s in self.steps) and all(c.ok for c in self.final_values)

    @property
    def first_divergence(self) -> StepResult | None:
        return next((s for s in self.steps if s.diverged), None)


FRAME_MS = 1000.0 / 60.0


def frame_thinning(t: np.ndarray) -> np.ndarray:
    """Indices of samples at least a frame apart (always the last): a browser shows one pointer position a
    frame, and each awaited move costs a frame, so denser samples (a sped-up replay) would only queue up."""
    keep, last = [], -np.inf
    for i, ti in enumerate(t):
        if ti - last >= FRAME_MS - 0.5:
            keep.append(i)
            last = ti
    if keep[-1] != len(t) - 1:
        keep[-1] = len(t) - 1
    return np.array(keep, dtype=int)


def similarity_transform(path: np.ndarray, new_start: np.ndarray, new_end: np.ndarray) -> np.ndarray:
    """Map a recorded path (n x 2) so that its ends land on ``new_start``/``new_end`` (rotate, scale, shift)."""
    p0, p1 = path[0], path[-1]
    v_old, v_new = p1 - p0, new_end - new_start
    if np.hypot(*v_old) < 1e-6:
        return path - p0 + new_start + np.linspace(0, 1, len(path))[:, None] * v_new
    zo, zn = complex(*v_old), complex(*v_new)
    k = zn / zo
    z = (path[:, 0] - p0[0]) + 1j * (path[:, 1] - p0[1])
    w = z * k
    return np.column_stack([w.real + new_start[0], w.imag + new_start[1]])


def drop_point(params: dict[str, Any], box: L.Box, start: np.ndarray, *,
               same_element: bool = False) -> tuple[float, float]:
    """Where to release a replayed drag: at the same place *within* the drop element as recorded (a card let go
    over the lower half of another lands below it), not at its centre. A recording without the drop's box (a
    generated session) is dropped at the centre; a drop onto the dragged element itself (an app whose element
    follows the pointer) keeps the recorded displacement."""
    to, frm = params.get("to"), params.get("from")
    if same_element and to and frm:
        return float(start[0] + to[0] - frm[0]), float(start[1] + to[1] - frm[1])
    offset = drop_offset(params)
    if offset is None:
        return box.cx, box.cy
    x, y, w, h = offset
    fx, fy = (min(max(f, 0.02), 0.98) for f in (x / w, y / h))
    return box.x + fx * box.w, box.y + fy * box.h


class Replayer:
    def __init__(self, source: Path, url: str, out: Path, *, timing: str = "original", speed: float = 1.0,
                 headless: bool = True, checkpoints: list[dict[str, Any]] | None = None,
                 models: Any = None, overwrite: bool = False, command: list[str] | None = None,
                 session: str | None = None) -> None:
        if timing not in TIMINGS:
            raise HcisimError(f"unknown --timing {timing!r}: use one of {', '.join(TIMINGS)}")
        if not 0 < speed < float("inf"):  # NaN too
            raise HcisimError("--speed must be a positive number")
        u = urlsplit(url)
        if u.scheme not in ("http", "https") or not u.netloc:
            raise HcisimError(f"--url {url!r} is not an http(s) address such as http://127.0.0.1:8001/")
        self.ds = read_dataset(source)
        refuse_screen_sessions(self.ds.manifest, source, "replay")
        if self.ds.actions.num_rows == 0:
            raise HcisimError(f"{source}: the recording has no actions to replay")
        out = Path(out)
        refuse_overlap(out, {"recording being replayed": source})
        check_out(out, overwrite)
        self.url, self.out, self.timing, self.speed = url, out, timing, speed
        self.command = command or ["hcisim", "replay", str(source), "--url", url, "--out", str(out)]
        self.models = models
        self.sid = self.ds.session(session)
        self.actions = [a for a in self.ds.actions.filter(pc.equal(self.ds.actions.column("session_id"), self.sid))
                        .to_pylist()]
        self.recorded_folder, self.folder = app_folder(recorded_start(self.actions)), app_folder(url)
        ev = self.ds.events.filter(pc.equal(self.ds.events.column("session_id"), self.sid))
        self.ev = {c: np.asarray(ev.column(c).to_numpy(zero_copy_only=False)) for c in ("t_ms", "x", "y")}
        self.ev["type"] = np.asarray(ev.column("type").to_pylist(), dtype=object)
        self.ev["key"] = np.asarray(ev.column("key").to_pylist(), dtype=object)
        self.ev["code"] = np.asarray(ev.column("code").to_pylist(), dtype=object)
        parent = {x["action_id"]: x["parent_id"] for x in self.actions}
        self.ev["step"] = np.array([-1 if i is None else parent.get(i) if parent.get(i) is not None else i
                                    for i in ev.column("action_id").to_pylist()], dtype=np.int64)
        # the keyboard the session was typed on, for keys whose code the recording does not name
        self.keyboard = infer_layout(self.ev["key"], self.ev["code"]) or "qwerty-us"
        self.top = [a for a in self.actions if a["parent_id"] is None]
        if not self.top:  # a replay of nothing "PASSED" with exit 0: a CI gate that tested nothing
            raise HcisimError(f"{source}: session {self.sid} has no actions to replay")
        self.user_checkpoints = check_checkpoints(checkpoints or [], len(self.top))
        self.headless = headless
        self.events: list[tuple[P.Plan, np.ndarray, int]] = []
        self.pngs: list[tuple[str, bytes]] = []
        self.frames: list[dict[str, Any]] = []
        self.rng = np.random.default_rng(0)

    # -- pieces -------------------------------------------------------------
    def _recorded_frame(self, action_id: int) -> str | None:
        fr = self.ds.frames
        if fr.num_rows == 0:
            return None
        rows = [r for r in fr.to_pylist() if r["session_id"] == self.sid and r["action_id"] == action_id]
        return str(self.ds.root / rows[-1]["path"]) if rows else None

    def _find(self, desc: dict[str, Any], cands: list[dict[str, Any]] | None = None) -> Match:
        cands = self.driver.page.evaluate(CANDIDATES_JS) if cands is None else cands
        if desc.get("page"):  # elements match within their page: the recorded page's path on this build
            desc = {**desc, "page": urlsplit(rebase(desc["page"], self.recorded_folder, self.folder)).path}
        return best_match(desc, cands)

    def _find_in_time(self, desc: dict[str, Any], patience: float) -> Match:
        """A step's element, given ``patience`` ms (`replay.locate.patience_ms`) to appear with the test id or
        id it was recorded with before another is taken for it: ``--timing fast`` went on 10 ms after a click,
        while the panel it opens was still coming, and clicked the page's own "Save" for the panel's."""
        attrs = desc.get("attrs") or {}
        handle = {k: attrs[k] for k in ("data-testid", "id") if attrs.get(k)}
        waited = 0.0
        while True:
            cands = self.driver.page.evaluate(CANDIDATES_JS)
            if waited >= patience or not handle or any(
                    handle.items() & normalize(c)["attrs"].items() for c in cands):
                return self._find(desc, cands)
            self.driver.page.wait_for_timeout(100)
            waited += 100

    def _shot(self, step: StepResult, kind: str) -> str | None:
        png = self.driver.screenshot()
        if png is None:
            return None
        rel = f"frames/{self.sid}/{len(self.frames):05d}.png"
        self.pngs.append((rel, png))
        self.frames.append(dict(session_id=self.sid, frame_id=len(self.frames), t_ms=self.driver.now_ms(),
                                action_id=step.action_id, kind=kind, path=rel, width=self.driver.viewport[0],
                                height=self.driver.viewport[1]))
        return rel

    def _send(self, plan: P.Plan, action_id: int) -> None:
        if len(plan):
            actual = self.driver.dispatch(plan)
            self.events.append((plan, actual, action_id))

    def _pointer_path(self, a: dict[str, Any], prev_end: float, target: tuple[float, float]) -> P.Plan:
        t, x, y, ty = self.ev["t_ms"], self.ev["x"], self.ev["y"], self.ev["type"]
        sel = (ty == "move") & (t > prev_end) & (t <= a["t_start_ms"] + 1e-6)
        start = np.array(self.pointer)
        now = self.driver.now_ms() + 5.0
        if self.timing == "model" and self.models is not None:
            box = L.Box(target[0] - 2, target[1] - 2, 4, 4)
            traj = self.models.pointing(self.pointer, box, self.person, self.rng, self.driver.device)
            return P.moves(traj.t_ms + now, traj.x, traj.y)
        if sel.sum() < 2 or self.timing == "fast":
            n = 8
            pts = start + np.linspace(0, 1, n)[:, None] * (np.array(target) - start)
            return P.moves(now + np.arange(n) * 16.7, pts[:, 0], pts[:, 1])
        path = np.column_stack([x[sel], y[sel]])
        mapped = similarity_transform(path, start, np.array(target))
        rel = (t[sel] - t[sel][0]) / self.speed
        keep = frame_thinning(rel)
        return P.moves(now + rel[keep], mapped[keep, 0], mapped[keep, 1])

    def _key_rows(self, a: dict[str, Any]) -> np.ndarray:
        """Rows of the action's recorded key presses and releases, in order (withheld keys left out).

        Keys labelled with another step are not this one's: an offline session's step starts the instant the
        one before it ends, and the last key release of the previous field, taken for this step's first key,
        hid the Tab that reaches this field (the replay clicked it, then tabbed out, and typed into the next)."""
        t, ty, key, step = self.ev["t_ms"], self.ev["type"], self.ev["key"], self.ev["step"]
        sel = np.isin(ty, ["key_down", "key_up"]) & (t >= a["t_start_ms"] - 1e-6) & (t <= a["t_end_ms"] + 1e-6)
        sel &= (step == -1) | (step == a["action_id"])  # -1: unlabelled (a recording)
        sel &= key != "Unidentified"  # a key a private field withheld (Shift, CapsLock): not pressed
        return np.flatnonzero(sel)

    def _reached_by_tab(self, a: dict[str, Any]) -> bool:
        """A type step whose first key press is Tab: the generator moved focus into the field that way, inside
        the step (`simulator.scenario.Session.type`, outcome ``tabbed``)."""
        rows = self._key_rows(a)[:2]
        return len(rows) == 2 and list(self.ev["key"][rows]) == ["Tab", "Tab"] and \
            list(self.ev["type"][rows]) == ["key_down", "key_up"]

    def _key_plan(self, a: dict[str, Any], part: slice = slice(None)) -> P.Plan:
        """The action's key events (``part`` of them), from now on, with their recorded rhythm."""
        t, ty, key = self.ev["t_ms"], self.ev["type"], self.ev["key"]
        sel = self._key_rows(a)[part]
        now = self.driver.now_ms() + 20.0
        keys, codes = list(key[sel]), list(self.ev["code"][sel])
        params = json.loads(a.get("params") or "{}")
        if params.get("sensitive") or any(k == "•" for k in keys):
            # The secret was never stored: type a stand-in of the same length with the recorded rhythm.
            codes = [None if k == "•" else c for k, c in zip(keys, codes)]
            keys = ["x" if k == "•" else k for k in keys]
        # each key pressed where it was recorded (its code), else where the session's keyboard has it
        codes = [c or code_for(k, self.keyboard) for k, c in zip(keys, codes)]
        if self.timing == "fast":  # the recorded order (Shift still around its letters), none of the rhythm
            rel = np.arange(len(sel)) * FAST_KEY_MS
        else:
            rel = (t[sel] - (t[sel][0] if len(sel) else 0.0)) / self.speed
        return P.keys(now + rel, ["down" if k == "key_down" else "up" for k in ty[sel]], keys, codes)

    def _scroll_into_view(self, loc: L.Locator, action_id: int, rounds: int = 6):
        """Wheel the page (or the element's scroll container, with the pointer over it) until it shows."""
        target = self.driver.locate(loc)
        for _ in range(rounds):
            if target.visible:
                break
            if target.scroll_at is not None:
                start = np.array(self.pointer)
                pts = start + np.linspace(0, 1, 6)[:, None] * (np.array(target.scroll_at) - start)
                self._send(P.moves(self.driver.now_ms() + 5 + np.arange(6) * 16.7, pts[:, 0], pts[:, 1]), action_id)
                self.pointer = tuple(target.scroll_at)
            n = 3
            self._send(P.wheel(self.driver.now_ms() + 10 + np.arange(n) * 40.0, *self.pointer, target.scroll_dy / n),
                       action_id)
            self.driver.page.wait_for_timeout(350)
            target = self.driver.locate(loc)
        return target

    def _click_at(self, a: dict[str, Any], prev_end: float, box: L.Box, action_id: int) -> None:
        target = (box.cx, box.cy)
        self._send(self._pointer_path(a, prev_end, target), action_id)
        self.pointer = target
        if a["kind"] == "hover":
            return
        now = self.driver.now_ms() + 30.0
        button = "right" if a["kind"] == "right_click" else "left"
        self._send(P.press_release(now, 90.0, *target, button), action_id)
        if a["kind"] == "double_click":
            self._send(P.press_release(self.driver.now_ms() + 80.0, 80.0, *target, button), action_id)

    # -- the loop ----------------------------------------------------------------
    def run(self, progress: Callable[[int, int], None] | None = None) -> ReplayResult:
        top = self.top
        refuse_unreachable(self.url)
        self.driver = BrowserDriver(headless=self.headless)
        self._opened = False
        steps: list[StepResult] = []
        final: list[Checkpoint] = []
        try:
            self.driver.start_session(self.sid)
            self.pointer = (self.driver.viewport[0] / 2, self.driver.viewport[1] / 2)
            self.person = self.models.draw_person(self.rng) if self.models is not None else None
            prev_end = -np.inf
            for i, a in enumerate(top):
                step = StepResult(i, a["action_id"], a["kind"], a["step"] or a["kind"])
                step.recorded_frame = self._recorded_frame(a["action_id"])
                step.t_start_ms = self.driver.now_ms()
                try:
                    self._do(a, step, prev_end)
                except AppUnreachable:
                    raise
                except HcisimError as exc:
                    step.status, step.message = "failed", str(exc)
                step.t_end_ms = max(self.driver.now_ms(), step.t_start_ms)
                self._user_checkpoints(i, step)
                step.after_frame = self._shot(step, "after")
                steps.append(step)
                prev_end = a["t_end_ms"]
                if progress:
                    progress(i + 1, len(top))
            final = self._final_values(top)
            for c in self._end_checkpoints():
                final.append(c)
            received = self.driver.end_session()
        finally:
            self.driver.close()
        result = ReplayResult(self.out, steps, {}, final)
        self._write(result, received)
        return result

    def _do(self, a: dict[str, Any], step: StepResult, prev_end: float) -> None:
        kind = a["kind"]
        params = json.loads(a.get("params") or "{}")
        if kind == "navigate":
            url = navigate_url(a)
            first = not self._opened  # (after a failed load the page is Chromium's error page, not about:blank)
            if url is None:
                return
            target = rebase(url, self.recorded_folder, self.folder)
            path = urlsplit(target).path
            if not first and navigation_was_caused(a, prev_end):
                # the click (or key) before it navigated: this build must do so too, not be sent there
                try:
                    self.driver.page.wait_for_url(lambda u: urlsplit(u).path == path, timeout=BUILD_WAIT_MS)
                except PlaywrightError:
                    pass  # the checkpoint below fails
            elif first:  # nothing to replay on an app that is not there: the whole replay stops, in one line
                try:
                    self.driver.goto(target)
                except HcisimError as exc:
                    hint = ("; an app under a sub-path needs --url to end with '/' (http://host/v2/)"
                            if isinstance(exc, NotServed) and exc.status == 404 and not self.url.endswith("/")
                            and urlsplit(self.url).path
                            else "")
                    raise AppUnreachable(f"{exc}{hint}") from None
                self._opened = True  # an app that goes away later fails the steps from there on, not the replay
            elif urlsplit(self.driver.page.url).path != path:
                self.driver.goto(target)
            step.checkpoints.append(Checkpoint("url", urlsplit(self.driver.page.url).path == path,
                                               self.driver.page.url))
            return
        if kind in ("wait", "read"):
            self.driver.page.wait_for_timeout(min(a["t_end_ms"] - a["t_start_ms"], 3000) / self.speed
                                              if self.timing != "fast" else 10)
            if kind == "read" and a.get("target_selector"):
                self._read(a, step)
            return
        if kind == "key":  # the recorded presses, with their codes, as typing is replayed
            self._send(self._key_plan(a), step.action_id)
            return
        if kind == "scroll":
            dy = params.get("dy")
            t, ty = self.ev["t_ms"], self.ev["type"]
            sel = (ty == "wheel") & (t >= a["t_start_ms"] - 1e-6) & (t <= a["t_end_ms"] + 1e-6)
            if dy is None:
                n = max(int(sel.sum()), 1)
                self._send(P.wheel(self.driver.now_ms() + 10 + np.arange(n) * 40.0, *self.pointer, 100.0), step.action_id)
            else:
                n = max(int(sel.sum()), 1)
                self._send(P.wheel(self.driver.now_ms() + 10 + np.arange(n) * 40.0, *self.pointer, dy / n),
                           step.action_id)
            self.driver.page.wait_for_timeout(300)
            return
        desc = descriptor_of_action(a)
        match = self._find_in_time(desc, patience_ms(a["t_start_ms"] - prev_end))
        if not match.found:
            raise HcisimError(f"element not found (best score {match.score:.2f}, needs {THRESHOLD:.2f})")
        step.strategy, step.score = match.strategy, round(match.score, 2)
        if not _as_recorded(desc, match):
            step.status = "retargeted"  # a test written against the old handle would not find it
        loc = L.css(match.candidate["css"])
        target = self._scroll_into_view(loc, step.action_id)
        step.before_frame = self._shot(step, "before")
        step.box = target.box.as_tuple()
        step.checkpoints.append(Checkpoint("element_visible", target.visible, match.candidate["css"]))
        if kind in _POINTER_KINDS:
            self._click_at(a, prev_end, target.box, step.action_id)
        elif kind == "type":
            rest = slice(None)
            if self._reached_by_tab(a):
                # Tab as recorded, then a click only if it did not land here: sent after a click, the Tab left
                # the field and the text went into the next one
                self._send(self._key_plan(a, slice(2)), step.action_id)
                target, rest = self.driver.locate(loc), slice(2, None)
            if not target.focused:
                self._click_at({**a, "kind": "click"}, prev_end, target.box, step.action_id)
            self._send(self._key_plan(a, rest), step.action_id)
            if a.get("text_typed") is not None and not params.get("sensitive"):
                value = self.driver.field_value(loc)
                step.checkpoints.append(Checkpoint("field_value", value == a["text_typed"],
                                                   f"{value!r} (recorded {a['text_typed']!r})"))
        elif kind == "select" and (params.get("sensitive") or not (a.get("text_intended") or a.get("text_typed"))):
            # the choice was never stored (a private select): a stand-in option, as typing types "x"
            self._click_at({**a, "kind": "click"}, prev_end, target.box, step.action_id)
            sel = self.driver.page.locator(match.candidate["css"])
            n = sel.evaluate("el => el.options ? el.options.length : 0")
            if n:
                sel.select_option(index=min(1, n - 1), timeout=BUILD_WAIT_MS)
            self.driver.page.keyboard.press("Escape")
        elif kind == "select":
            option = a.get("text_intended") or a.get("text_typed")
            if target.kind == "select":
                self._click_at({**a, "kind": "click"}, prev_end, target.box, step.action_id)
                try:
                    self.driver.page.locator(match.candidate["css"]).select_option(label=option,
                                                                                  timeout=BUILD_WAIT_MS)
                except PlaywrightError:
                    raise HcisimError(f"no option {option!r}") from None
                self.driver.page.keyboard.press("Escape")
            else:
                if not (target.role == "listbox" and target.kind != "select"):  # a listbox on the page is open;
                    self._click_at({**a, "kind": "click"}, prev_end, target.box, step.action_id)  # a click picks
                # the option may lie below the list's fold: clicking where it is hidden hit the page behind it
                opt = self._scroll_into_view(loc.option(option), step.action_id)  # of this list
                self._click_at({**a, "kind": "click"}, a["t_start_ms"], opt.box, step.action_id)
            shown = self.driver.field_value(loc) or self.driver.locate(loc).text or ""
            step.checkpoints.append(Checkpoint("selected", option in shown, repr(shown)))
        elif kind == "drag":
            drop = params.get("drop") or params.get("drop_target")
            if not drop:
                raise HcisimError("the recording has no drop target for the drag")
            dm = self._find({**drop, "css": drop.get("css") or drop.get("selector")})
            if not dm.found:
                raise HcisimError("drop target not found")
            self._click_at({**a, "kind": "hover"}, prev_end, target.box, step.action_id)
            now = self.driver.now_ms() + 20
            self._send(P.make(now, "down", x=self.pointer[0], y=self.pointer[1], button="left"), step.action_id)
            dest = self.driver.locate(L.css(dm.candidate["css"]))
            start = np.array(self.pointer)
            end = drop_point(params, dest.box, start, same_element=dm.candidate["css"] == match.candidate["css"])
            pts = start + np.linspace(0, 1, 15)[:, None] * (np.array(end) - start)
            now = self.driver.now_ms() + 100
            self._send(P.moves(now + np.arange(15) * 16.7, pts[:, 0], pts[:, 1]), step.action_id)
            self.pointer = end
            self._send(P.make(self.driver.now_ms() + 60, "up", x=self.pointer[0], y=self.pointer[1],
                              button="left"), step.action_id)
            if params.get("placed"):
                step.checkpoints.append(self._placed(params["placed"]))

    def _read(self, a: dict[str, Any], step: StepResult) -> None:
        """What a read step looked at must be on this build's page: a scenario's last read is often its proof of
        success (``s.read(text("Welcome aboard!"))``), and a build that never showed it passed. The scenario's
        own locator is waited for as the generator waited for it (the step before may have started a
        navigation); on a build where it no longer matches, the element is found by its descriptor as other
        steps' are. A read acts on nothing, so no test's locator breaks on it: found, it is ``ok``."""
        spec = a["target_selector"].partition(" | css=")[0]
        try:
            self.driver.locate(L.parse(spec))
            step.checkpoints.append(Checkpoint("element_visible", True, spec))
            return
        except (HcisimError, PlaywrightError):
            pass
        match = self._find(descriptor_of_action(a))
        if not match.found:
            raise HcisimError(f"element not found (best score {match.score:.2f}, needs {THRESHOLD:.2f})")
        step.strategy, step.score = match.strategy, round(match.score, 2)
        step.checkpoints.append(Checkpoint("element_visible", True, match.candidate["css"]))

    def _placed(self, placed: dict[str, Any]) -> Checkpoint:
        """The dragged element's container holds its children in the recorded order (a card dropped into the
        right column above the wrong card fails), read until the app has settled or a second has passed."""
        want = placed.get("order")
        m = self._find(placed["parent"]) if placed.get("parent") else None
        if m is None or not m.found:
            return Checkpoint("placed", False, "the container the drag left it in was not found")
        order = None
        for _ in range(10):
            order = self.driver.page.locator(m.candidate["css"]).first.evaluate(
                "el => window.__hcisim.orderOf(el)")
            if order == want:
                break
            self.driver.page.wait_for_timeout(100)
        return Checkpoint("placed", order == want, f"{order!r} (recorded {want!r})")

    def _final_values(self, top: list[dict[str, Any]]) -> list[Checkpoint]:
        """Every field the recording typed into that is on the final page ends with the recorded value.

        Fields left behind on earlier pages were checked right after their step.
        """
        last: dict[str, dict[str, Any]] = {}
        for a in top:
            params = json.loads(a.get("params") or "{}")
            if a["kind"] == "type" and a.get("text_typed") is not None and not params.get("sensitive"):
                last[descriptor_of_action(a)["css"] or a["step"]] = a
        out = []
        for a in last.values():
            m = self._find(descriptor_of_action(a))
            if not m.found:
                continue
            value = self.driver.field_value(L.css(m.candidate["css"]))
            out.append(Checkpoint(f"final value of {a['step']}", value == a["text_typed"], repr(value)))
        return out

    def _user_checkpoints(self, index: int, step: StepResult) -> None:
        for c in self.user_checkpoints:
            if c.get("after_step") == index + 1:
                step.checkpoints.append(self._check(c))

    def _end_checkpoints(self) -> list[Checkpoint]:
        return [self._check(c) for c in self.user_checkpoints if c.get("after_step") in (None, "end")]

    def _check(self, c: dict[str, Any]) -> Checkpoint:
        page = self.driver.page
        kind = c.get("kind")
        if kind == "url":
            path = urlsplit(rebase(c["path"], self.recorded_folder, self.folder)).path  # a path of the recorded app
            return Checkpoint(f"url {c['path']}", urlsplit(page.url).path == path, page.url)
        if kind == "text_present":  # on screen, as a person would check: hidden text does not count
            present = page.get_by_text(c["text"]).filter(visible=True).count() > 0
            return Checkpoint(f"text {c['text']!r}", present)
        if kind in ("element_visible", "field_value"):
            loc = L.parse(c["locator"])
            try:
                self.driver.locate(loc)  # raises unless the element is there and visible
            except HcisimError as exc:
                return Checkpoint(f"{kind} {c['locator']}", False, str(exc))
            except PlaywrightError as exc:  # CSS the page cannot parse
                return Checkpoint(f"{kind} {c['locator']}", False, str(exc).strip().splitlines()[0])
            if kind == "element_visible":
                return Checkpoint(f"visible {c['locator']}", True)
            value = self.driver.field_value(loc)
            return Checkpoint(f"value {c['locator']}", value == c["value"], repr(value))
        raise AssertionError(kind)  # check_checkpoints let it through

    def _write(self, result: ReplayResult, received) -> None:
        rec = Recorded(events=self.events)
        events, err = events_table(rec, self.sid, live=True)
        result.timing = timing_stats([err])
        actions = []
        by_id = {a["action_id"]: a for a in self.actions}
        for s in result.steps:
            row = dict(by_id[s.action_id])
            params = json.loads(row.get("params") or "{}")
            params["replay"] = {"status": s.status, "strategy": s.strategy, "score": s.score, "message": s.message,
                                "checkpoints": [asdict(c) for c in s.checkpoints]}
            row.update(parent_id=None, outcome=s.status, params=json.dumps(params, sort_keys=True),
                       t_start_ms=s.t_start_ms, t_end_ms=s.t_end_ms)
            bx = s.box or (None,) * 4  # this build's box; none where no element was acted on
            row.update(box_x=bx[0], box_y=bx[1], box_w=bx[2], box_h=bx[3])
            actions.append(row)
        ids = {s.action_id for s in result.steps}
        manifest = Manifest(driver="replay", coordinate_space="viewport_css_px", scenario=self.ds.manifest.scenario,
                            command=self.command,
                            seed=self.ds.manifest.seed, device={"name": "raf60"},
                            stats=result.timing | {"steps": len(result.steps),
                                                   "steps_failed": sum(s.status == "failed" for s in result.steps),
                                                   "passed": result.passed})
        with DatasetWriter(self.out, manifest, overwrite=True) as w:  # refused up front unless --overwrite
            w.add_session(self.sid, events=events.filter(pc.is_in(events.column("action_id"),
                                                                  value_set=pa.array(sorted(ids)))),
                          actions=actions, frames=self.frames, received=received)
            for rel, png in self.pngs:
                w.add_file(rel, png)
            w.add_file("replay.json", json.dumps({"passed": result.passed, "steps": [asdict(s) for s in result.steps],
                                                  "final_values": [asdict(c) for c in result.final_values],
                                                  "timing": result.timing}, indent=1, default=str).encode())
