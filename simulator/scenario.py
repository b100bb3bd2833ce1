"""The API scenario scripts are written against, and the humanlike runner behind it.

A scenario is a Python file in ``scenarios/`` with a docstring (its
description), an ``APP`` (``"web"``, ``"desktop"`` or ``None`` for a user's
own app given with ``--url``), a ``START`` path, and ``run(s)`` that calls
the methods of `Actor`: ``s.goto`` / ``s.open``, ``s.click``, ``s.click_point``,
``s.hover``, ``s.type``, ``s.select``, ``s.check``, ``s.scroll``, ``s.drag``,
``s.hotkey``, ``s.press``, ``s.read``, ``s.wait`` (docs/scenarios.md).

Humanlike behaviour lives here, not in the scripts: think time before acting,
moving from wherever the pointer is, aiming inside the target with the fitted
mouse model (misses followed by corrections), wheel-scrolling targets into
view, typing with the fitted typing model, sometimes tabbing between fields.
How long it thinks, reads and holds, and which way it takes, is the models' pacing
(`simulator.pacing`): a person's, or automation's for ``--no-humanlike``. Every input
event is labelled with the intended action that produced it.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import numpy as np

from simulator import plan as P
from simulator.content import DEFAULT_LOCALE, session_faker
from simulator.drivers.base import Driver, Target, sleep_until
from simulator.errors import HcisimError
from simulator.locate import Box, Locator
from simulator.models import Models, SessionPerson
from simulator.plan import Plan
from simulator.rng import component_rng

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
APPS = (None, "web", "desktop")
"""What a scenario's ``APP`` may name: a user's own app (``--url``), the bundled web app, the bundled Tk app."""
MAX_SCROLL_ROUNDS = 8
MAX_PATH_DRAWS = 30
"""Paths drawn at most for a move that must stay inside an open menu (see ``Actor._move_to``)."""


class StepError(HcisimError):
    """A scenario step could not be carried out; names the step and locator."""


class ScriptCallError(StepError):
    """The script called a step with what it cannot take (a string for a locator, a number to type): said before
    the step begins, with the script's line, live as offline (live, a string locator ended in the browser
    driver's traceback, and a number to type in "text 0 is not a string but int" after the field was clicked)."""


LOCATOR = "a locator (label(...), role(...), text(...), css(...) from simulator.locate)"


def _want(call: str, value: Any, kind: type, what: str) -> None:
    if not isinstance(value, kind):
        raise ScriptCallError(f"s.{call} takes {what}, not the {type(value).__name__} {repr(value)[:60]}")


@dataclass
class Scenario:
    name: str
    description: str
    app: str | None
    start: str
    run: Callable[["Actor"], None]
    path: Path


def _load_module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"hcisim_scenario_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise HcisimError(f"{path}: cannot load as a Python scenario")
    module = importlib.util.module_from_spec(spec)
    # its own folder first on the import path while it loads, as `python script.py` has it: a helper module
    # beside the script (`from helpers import ...`) was "No module named 'helpers'"
    sys.path.insert(0, str(path.resolve().parent))
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # a user's script may fail in any way; report it in one line
        raise HcisimError(f"{path}: scenario failed to load ({type(exc).__name__}: {exc})") from None
    except SystemExit as exc:  # sys.exit(3) at import ended hcisim with code 3 and no word
        raise HcisimError(f"{path}: scenario called sys.exit({exc.code!r}) while loading") from None
    finally:
        sys.path.remove(str(path.resolve().parent))
    return module


def load_scenario(name_or_path: str) -> Scenario:
    """A bundled scenario by name, or a user's script by path."""
    path = Path(name_or_path)
    if path.suffix == ".py" and not path.is_file():
        raise HcisimError(f"{path}: no such scenario file" + (" (it is a folder)" if path.is_dir() else ""))
    if path.suffix != ".py":
        path = SCENARIO_DIR / f"{name_or_path}.py"
        if not path.is_file():
            known = ", ".join(s.name for s in list_scenarios())
            raise HcisimError(f"unknown scenario {name_or_path!r} (bundled: {known})")
    module = _load_module(path)
    run = getattr(module, "run", None)
    if not callable(run):
        raise HcisimError(f"{path}: a scenario must define run(s)")
    try:  # `def run():` failed in every session, tried three times, as "TypeError: run() takes 0 positional ..."
        inspect.signature(run).bind(None)
    except TypeError:
        raise HcisimError(f"{path}: run must take one argument, the person acting (def run(s):)") from None
    except ValueError:  # no signature to read (a builtin): its call will tell
        pass
    doc = (module.__doc__ or "").strip().splitlines()
    app = getattr(module, "APP", None)
    if app not in APPS:
        raise HcisimError(f"{path}: APP must be one of None (your own app, with --url), \"web\" or \"desktop\", "
                          f"not {app!r}")
    return Scenario(name=path.stem, description=doc[0] if doc else "", app=app,
                    start=getattr(module, "START", "/"), run=run, path=path)


def list_scenarios() -> list[Scenario]:
    return [load_scenario(str(p)) for p in sorted(SCENARIO_DIR.glob("*.py")) if not p.name.startswith("_")]


@dataclass
class Recorded:
    """What one session produced, in the dataset's column names."""

    events: list[tuple[Plan, np.ndarray | None, int]] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    frames: list[dict[str, Any]] = field(default_factory=list)
    pngs: list[tuple[str, bytes]] = field(default_factory=list)


class Actor:
    """A simulated person using an app through a driver, one session long."""

    def __init__(self, driver: Driver, models: Models, seed: np.random.SeedSequence, session_id: str,
                 *, base_url: str = "", screenshots: str = "actions", periodic_ms: float = 0.0,
                 tab_prob: float = 0.3, locale: str = DEFAULT_LOCALE) -> None:
        self.driver = driver
        self.models = models
        self.session_id = session_id
        self.base_url = base_url.rstrip("/")
        self.screenshots = screenshots
        self.periodic_ms = periodic_ms
        self.tab_prob = tab_prob
        self.pace = models.pacing  # a person's pauses and choices, or automation's
        self.rng = component_rng(seed, "behaviour")
        self.motion_rng = component_rng(seed, "mouse")
        self.typing_rng = component_rng(seed, "typing")
        self.person: SessionPerson = models.draw_person(component_rng(seed, "person"))
        self.fake = session_faker(seed, locale)
        w, h = driver.viewport
        # A pointer rests on a whole pixel: a fractional start would be a move that no logger can see.
        start = np.round(np.array([w, h]) * self.rng.uniform(0.3, 0.7, size=2))
        self.pointer = (float(start[0]), float(start[1]))
        self.t = 0.0
        self.rec = Recorded()
        self._next_action = 0
        self._last_frame_t = -np.inf
        self._last_kind = ""
        self._step = 0

    # -- the scenario API ---------------------------------------------------
    def goto(self, url: str) -> None:
        full = url if "://" in url else f"{self.base_url}/{url.lstrip('/')}"  # "checkout.html" is a page too
        a = self._begin("navigate", None, f"goto {url}")
        self.driver.goto(full)
        self._sync_clock()
        self._end(a, outcome="ok", extra={"url": url})

    def open(self, url: str) -> None:
        """Open the scenario's start page; scripts count their own steps from the next one."""
        self.goto(url)
        self._step = 0

    def click(self, loc: Locator, *, button: str = "left", double: bool = False) -> None:
        _want("click", loc, Locator, LOCATOR)
        kind = "double_click" if double else ("right_click" if button == "right" else "click")
        a = self._begin(kind, loc)
        target, missed = self._reach(loc, a)
        self._press(a, button, clicks=2 if double else 1)
        self._end(a, target=target, outcome="miss_corrected" if missed else "ok")

    def click_point(self, x: float, y: float, *, button: str = "left") -> None:
        """Click at a screen point (an agent's coordinate action); the target is whatever is there."""
        a = self._begin("click", None, f"click at ({x:.0f}, {y:.0f})")
        target = self.driver.describe_at(x, y)
        self._think(target)
        self._move_to(Box(x - 2, y - 2, 4, 4), a)
        self._press(a, button)
        self._end(a, target=target, outcome="ok")

    def note_failure(self, message: str) -> None:
        """Record a step that could not be carried out (an agent's bad action) without ending the session."""
        for row in self.rec.actions:
            if row.get("outcome") is None:  # begun by the step that failed, never ended
                row.update(outcome="failed", t_end_ms=max(self.t, row["t_start_ms"]))
        a = self._begin("wait", None, message)
        self._end(a, outcome="failed")

    def hover(self, loc: Locator) -> None:
        _want("hover", loc, Locator, LOCATOR)
        a = self._begin("hover", loc)
        target, missed = self._reach(loc, a)
        self._end(a, target=target, outcome="miss_corrected" if missed else "ok")

    def type(self, loc: Locator, text: str, *, clear: bool = False) -> None:
        """Focus a field (click, or Tab when it is next) and type ``text`` with the typing model."""
        _want("type", loc, Locator, LOCATOR)
        _want("type", text, str, "a text (a str)")
        a = self._begin("type", loc)
        target = self.driver.locate(loc)
        outcome = "ok"
        if not target.focused:
            if (self._last_kind == "type" and target.next_in_tab_order and target.visible
                    and self.pace.chance(self.rng, self.tab_prob)):
                self._key_combo(a, ["Tab"])
                target = self.driver.locate(loc)
                outcome = "tabbed"
            if not target.focused:
                focus = self._begin("click", loc, "focus field", parent=a)
                target, missed = self._reach(loc, focus)
                self._press(focus, "left")
                self._end(focus, target=target, outcome="miss_corrected" if missed else "ok")
        if clear:
            self._key_combo(a, ["Control", "a"])
            self._key_combo(a, ["Backspace"])
        before = "" if clear else (self.driver.field_value(loc) or "")
        self._think(target, scale=0.5)
        events = self.models.typing_events(text, self.person, self.typing_rng)
        self._sync_clock()
        self._dispatch(events.shifted(self.t), a)
        after = self.driver.field_value(loc)
        typed = None
        if after is not None:  # what this action added to the field
            typed = after[len(before):] if after.startswith(before) else after
            if typed != text:
                outcome = "text_mismatch"
        self._end(a, target=target, outcome=outcome, text_typed=typed if typed is not None else text,
                  text_intended=text, sensitive=target.sensitive)

    def check(self, loc: Locator, on: bool = True) -> None:
        _want("check", loc, Locator, LOCATOR)
        target = self.driver.locate(loc)
        if target.checked is not None and target.checked == on:
            return
        self.click(loc)

    def select(self, loc: Locator, option: str) -> None:
        """Pick ``option``: open the control, traverse options one by one (hover, wheel or arrow keys), pick."""
        _want("select", loc, Locator, LOCATOR)
        _want("select", option, str, "an option's text (a str)")
        a = self._begin("select", loc, f"select {option!r}")
        target, missed = self._reach(loc, a)
        if not target.options and target.kind not in ("select", "combobox") and target.role != "listbox":
            raise StepError(f"{loc} is a {target.kind}, not a list to pick {option!r} from")  # "has no option (options: )"
        if option not in target.options:
            raise StepError(f"{loc} has no option {option!r} "
                            f"(options: {', '.join(target.options[:8])}{'…' if len(target.options) > 8 else ''})")
        # a custom listbox shows its options on the page: a press to "open" it would pick one
        always_open = target.role == "listbox" and target.kind != "select"
        if not always_open:
            self._press(a, "left")
        goal = target.options.index(option)
        if target.kind == "select" or (not always_open and self.pace.chance(self.rng, 0.35)):
            self._select_by_keys(a, loc, target, goal)
        else:
            self._select_by_pointer(a, loc, option)
        shown = self.driver.field_value(loc)  # None where the driver cannot read it (offline): as planned
        outcome = "text_mismatch" if shown is not None and shown != option else "miss_corrected" if missed else "ok"
        self._end(a, target=target, outcome=outcome, text_intended=option,
                  text_typed=shown if shown is not None else option)

    def scroll(self, to: Locator | None = None, *, dy: float | None = None) -> None:
        if to is not None:
            _want("scroll", to, Locator, LOCATOR)
        a = self._begin("scroll", to, "scroll" if to is None else None)
        target = None
        if to is not None:
            target = self._scroll_into_view(to, a)
        elif dy is not None:
            self._wheel(a, float(dy), self.pointer)
        self._end(a, target=target, outcome="ok")

    def drag(self, src: Locator, dst: Locator) -> None:
        _want("drag", src, Locator, LOCATOR)
        _want("drag", dst, Locator, LOCATOR)
        a = self._begin("drag", src, f"drag {src} to {dst}")
        source, missed = self._reach(src, a)
        t_down = self.t
        self._dispatch(P.make(t_down, "down", x=self.pointer[0], y=self.pointer[1], button="left"), a)
        self.t = t_down + self.pace.pause_ms(self.rng, 180.0, 0.3)
        dest = self.driver.locate(dst)
        self._move_to(dest.box, a)
        self.t += self.pace.click_hold_ms(self.rng) * 0.8
        self._dispatch(P.make(self.t, "up", x=self.pointer[0], y=self.pointer[1], button="left"), a)
        self._end(a, target=source, outcome="miss_corrected" if missed else "ok",
                  extra={"drop_target": dest.descriptor(), "drop_box": list(dest.box.as_tuple())})

    def hotkey(self, *keys: str) -> None:
        a = self._begin("key", None, "+".join(keys))
        self._think(None, scale=0.6)
        self._key_combo(a, list(keys))
        self._end(a, outcome="ok", text_intended="+".join(keys))

    def press(self, key: str) -> None:
        self.hotkey(key)

    def read(self, loc: Locator | None = None, *, words: int | None = None) -> None:
        """Dwell while the eyes read ``loc`` (its word count) with the pointer resting or drifting."""
        if loc is not None:
            _want("read", loc, Locator, LOCATOR)
        a = self._begin("read", loc)
        target = self.driver.locate(loc) if loc is not None else None
        n = words if words is not None else len((target.text or "").split()) if target else 20
        self._idle(a, self.pace.reading_ms(self.rng, n))
        self._end(a, target=target, outcome="ok", extra={"words": n})

    def wait(self, ms: float) -> None:
        a = self._begin("wait", None, f"wait {ms:.0f} ms")
        self._idle(a, float(ms))
        self._end(a, outcome="ok")

    # -- how a person does it --------------------------------------------------
    def _reach(self, loc: Locator, a: int) -> tuple[Target, bool]:
        """Bring ``loc`` into view, think, and move the pointer onto it; True when the first aim missed."""
        target = self._scroll_into_view(loc, a)
        self._think(target)
        missed = self._move_to(target.box, a, within=target.keep_within)
        return target, missed

    def _scroll_into_view(self, loc: Locator, a: int) -> Target:
        target = self.driver.locate(loc)
        for _ in range(MAX_SCROLL_ROUNDS):
            if target.visible:
                return target
            where = target.scroll_at or self.pointer
            if not Box(0, 0, *self.driver.viewport).contains(*self.pointer) or target.scroll_at:
                self._move_to(Box(where[0] - 20, where[1] - 20, 40, 40), a)
            self._wheel(a, target.scroll_dy, self.pointer)
            target = self._settled(loc)
        if not target.visible:
            raise StepError(f"{loc} is still not visible after scrolling")
        return target

    def _settled(self, loc: Locator, tries: int = 10) -> Target:
        """Locate again until the target stops moving: a wheel's smooth scroll outlives its events."""
        target = self.driver.locate(loc)
        for _ in range(tries):
            again = self.driver.locate(loc)
            if again.box == target.box:
                return again
            target = again
        return target

    def _move_to(self, box: Box, a: int, *, within: tuple[Box, ...] = ()) -> bool:
        """Move onto ``box``; with ``within``, on a path that stays inside those boxes (an open menu).

        The motor model's paths come from recorded pointing, which includes wandering before the aim;
        on an open menu that wander would switch or close it. Paths are drawn again until one stays
        (a person who knows the menu is open keeps to it); after MAX_PATH_DRAWS the last slides along
        the edges.
        """
        self._sync_clock()  # locating took real time: plan from now, not from before it
        keep = within if within and P.inside_boxes([self.pointer[0]], [self.pointer[1]], within)[0] else ()
        for _ in range(MAX_PATH_DRAWS if keep else 1):
            traj = self.models.pointing(self.pointer, box, self.person, self.motion_rng, self.driver.device)
            x, y = self._on_screen(traj.x, traj.y)
            if not keep or P.inside_boxes(x, y, keep).all():
                break
        else:
            x, y = P.clamp_into(x, y, keep)
        self._dispatch(P.moves(traj.t_ms + self.t, x, y), a)
        self.pointer = (float(x[-1]), float(y[-1]))
        return bool(traj.missed)

    def _on_screen(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """A pointer stops at the screen's edge: an overshoot past it slides along the edge (as X clamps it)."""
        w, h = self.driver.viewport
        return np.clip(x, 0.0, w - 1.0), np.clip(y, 0.0, h - 1.0)

    def _press(self, a: int, button: str, clicks: int = 1) -> None:
        x, y = self.pointer
        self._sync_clock()
        self.t += self.pace.pause_ms(self.rng, 60.0, 0.4)  # settle before pressing
        for i in range(clicks):
            hold = self.pace.click_hold_ms(self.rng) * (0.7 if clicks > 1 else 1.0)
            self._dispatch(P.press_release(self.t, hold, x, y, button), a)
            self.t += hold + (self.pace.pause_ms(self.rng, 90.0, 0.3) if i + 1 < clicks else 0.0)

    def _wheel(self, a: int, total_dy: float, at: tuple[float, float]) -> None:
        self._sync_clock()
        t, dy = self.models.scroll(total_dy, self.person, self.motion_rng)
        if len(t):
            self._dispatch(P.wheel(t + self.t, at[0], at[1], dy), a)
        self._sync_clock(settle_ms=self.pace.pause_ms(self.rng, 250.0, 0.3))

    def _key_combo(self, a: int, keys: list[str]) -> None:
        """Press keys in order and release them in reverse, with modifier lead as people do."""
        self._sync_clock()
        gaps = self.pace.pause_ms(self.rng, 70.0, 0.35, size=2 * len(keys))
        t = self.t + np.cumsum(gaps)
        names = keys + keys[::-1]
        types = ["down"] * len(keys) + ["up"] * len(keys)
        codes = [self.models.code_for(k) for k in names]
        self._dispatch(P.keys(t, types, names, codes), a)

    def _select_by_keys(self, a: int, loc: Locator, target: Target, goal: int) -> None:
        cur = max(target.selected_index, 0) if target.kind == "select" else -1
        self._arrows(a, loc, goal - cur)
        if self.driver.live and target.kind != "select":
            # Widgets differ in where the keys start (the chosen option, or none): a person watches the
            # highlight and goes on until it is on the option. A page that does not say (no
            # aria-activedescendant) is trusted as counted.
            for _ in range(3):
                now = self.driver.locate(loc).active_index
                if now < 0 or now == goal:
                    break
                self._arrows(a, loc, goal - now)
        step = self._begin("key", loc, "Enter", parent=a)
        self.t += self.pace.pause_ms(self.rng, 300.0, 0.3)
        self._key_combo(step, ["Enter"])
        self._end(step, outcome="ok", text_intended="Enter")

    def _arrows(self, a: int, loc: Locator, steps: int) -> None:
        key = "ArrowDown" if steps >= 0 else "ArrowUp"
        for _ in range(abs(steps)):
            step = self._begin("key", loc, key, parent=a)
            self.t += self.pace.pause_ms(self.rng, 230.0, 0.35)  # read the highlighted option
            self._key_combo(step, [key])
            self._end(step, outcome="ok", text_intended=key)

    def _select_by_pointer(self, a: int, loc: Locator, option: str) -> None:
        opened = self.driver.locate(loc)
        for label in opened.options[: opened.options.index(option)]:
            opt = loc.option(label)  # in this list: another on the page may offer the same
            h = self._begin("hover", opt, f"pass over {label!r}", parent=a)
            target = self._scroll_into_view(opt, h)
            self.t += self.pace.pause_ms(self.rng, 120.0, 0.4)
            self._move_to(target.box, h)
            self._end(h, target=target, outcome="ok")
        pick = loc.option(option)
        c = self._begin("click", pick, f"pick {option!r}", parent=a)
        target, missed = self._reach(pick, c)
        self._press(c, "left")
        self._end(c, target=target, outcome="miss_corrected" if missed else "ok")

    def _think(self, target: Target | None, scale: float = 1.0) -> None:
        words = target.words_on_screen if target is not None else 0
        self._idle(None, self.pace.think_ms(self.rng, words) * scale)

    def _idle(self, a: int | None, ms: float) -> None:
        """Let ``ms`` pass; the hand rests with small drift, as people's do while looking.

        With ``periodic_ms`` a live run also takes a screenshot every ``periodic_ms`` through the idle time,
        as a capture stack's timer would; the drift moves go out in the pieces between the frames. Not while
        the pointer travels or keys go down: a Chromium screenshot takes tens of ms and would delay them."""
        start, end = self.t, self.t + ms
        t, x, y = self.models.idle(self.pointer, ms, self.person, self.motion_rng, self.driver.device)
        t = t + start
        if len(t) and a is not None:
            x, y = self._on_screen(x, y)
            self.pointer = (float(x[-1]), float(y[-1]))
        else:
            t, x, y = t[:0], x[:0], y[:0]
        if self.periodic_ms > 0 and self.screenshots != "none" and self.driver.live:
            due = max(self._last_frame_t + self.periodic_ms, start)
            while due < end:
                now = t < due
                self._dispatch(P.moves(t[now], x[now], y[now]), a)
                t, x, y = t[~now], x[~now], y[~now]
                wait_ms = due - self.driver.now_ms()
                if wait_ms > 0:
                    sleep_until(time.perf_counter() + wait_ms / 1000.0)
                self.t = max(self.t, due)
                self._frame(a, "periodic")
                due += self.periodic_ms  # a timer's rhythm: a slow screenshot does not push the next one
        self._dispatch(P.moves(t, x, y), a)
        self.t = max(self.t, end)

    # -- bookkeeping -------------------------------------------------------------
    def _begin(self, kind: str, loc: Locator | None, step: str | None = None, *, parent: int | None = None) -> int:
        self._sync_clock()
        a = self._next_action
        self._next_action += 1
        if parent is None:
            self._step += 1
        self.rec.actions.append(dict(
            session_id=self.session_id, action_id=a, parent_id=parent, kind=kind, t_start_ms=self.t,
            t_end_ms=self.t, step=step or (f"{kind} {loc}" if loc is not None else kind),
            target_selector=str(loc) if loc is not None else None,
        ))
        if parent is None:
            self._frame(a, "before")
        return a

    def _end(self, a: int, *, target: Target | None = None, outcome: str = "ok", text_typed: str | None = None,
             text_intended: str | None = None, sensitive: bool = False, extra: dict | None = None) -> None:
        self._sync_clock()
        row = self.rec.actions[a]
        row["t_end_ms"] = max(self.t, row["t_start_ms"])
        row["outcome"] = outcome
        if target is not None:
            row.update(target_role=target.role, target_name=target.name, target_text=target.text,
                       target_label=target.label, target_id=target.id, target_testid=target.testid, box_x=target.box.x, box_y=target.box.y, box_w=target.box.w, box_h=target.box.h)
            if target.selector:
                row["target_selector"] = f"{row['target_selector']} | css={target.selector}"
        row["text_typed"], row["text_intended"] = text_typed, text_intended
        params = {"mouse_person": self.person.mouse_id, "typing_person": self.person.typing_id}
        if target is not None:
            params["descriptor"] = {"kind": target.kind}
        if sensitive:
            params["sensitive"] = True
        if extra:
            params.update(extra)
        row["params"] = json.dumps(params, sort_keys=True)
        if row["parent_id"] is None:
            self._frame(a, "after")
        self._last_kind = row["kind"] if row["parent_id"] is None else self._last_kind

    def _dispatch(self, plan: Plan, a: int) -> None:
        if not len(plan):
            return
        actual = self.driver.dispatch(plan)
        self.rec.events.append((plan, actual if self.driver.live else None, a))
        self.t = max(self.t, plan.end_ms)
        self._sync_clock()

    def _sync_clock(self, settle_ms: float = 0.0) -> None:
        """Live drivers: real time (page loads, screenshots) pushes the plan's clock forward."""
        now = self.driver.now_ms()
        if not np.isnan(now):
            self.t = max(self.t, now)
        self.t += settle_ms

    def _frame(self, a: int | None, kind: str) -> None:
        if self.screenshots == "none" or (self.screenshots == "periodic" and kind != "periodic"):
            return
        png = self.driver.screenshot()
        if png is None:
            return
        fid = len(self.rec.frames)
        rel = f"frames/{self.session_id}/{fid:05d}.png"
        self._sync_clock()
        self.rec.frames.append(dict(session_id=self.session_id, frame_id=fid, t_ms=self.t, action_id=a,
                                    kind=kind, path=rel, width=self.driver.viewport[0],
                                    height=self.driver.viewport[1]))
        self.rec.pngs.append((rel, png))
        self._last_frame_t = self.t
