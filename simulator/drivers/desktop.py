"""Drive a real X desktop app with pyautogui at planned deadlines.

Starts Xvfb when there is no usable ``DISPLAY``, starts the bundled Tk app (or
any command given by a scenario) and finds targets from the widget geometry
the app publishes in its state file. Events go out through pyautogui (XTest)
at absolute deadlines; screenshots come from mss (~1 ms each).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from simulator.children import dies_with_us
from simulator.drivers.base import Target, no_gc_pauses, overtaken, sleep_until
from simulator.dataset.schema import RECEIVED
from simulator.drivers.xdisplay import SCREEN, ensure_display
from simulator.drivers.xkeys import SpareKeys
from simulator.errors import HcisimError
from simulator.locate import Box, Locator, not_one
from simulator.plan import Plan
from simulator.typing.layout import composed

APP_START_TIMEOUT_S = 15.0
LOCATE_TIMEOUT_S = 5.0  # as the browser driver waits for an element
KEYS_TIMEOUT_S = 5.0
"""How long a field read waits for the app to handle the keys sent (it goes on with what it has after)."""
_PYAUTOGUI_KEYS = {
    "Shift": "shift", "Control": "ctrl", "Alt": "alt", "Meta": "win", "Enter": "enter", "Tab": "tab",
    "Backspace": "backspace", "Escape": "esc", "Delete": "delete", " ": "space", "ArrowDown": "down",
    "ArrowUp": "up", "ArrowLeft": "left", "ArrowRight": "right", "CapsLock": "capslock", "Home": "home",
    "End": "end", "PageDown": "pagedown", "PageUp": "pageup",
}
# US layout: the unshifted key of each shifted character, so a held Shift (sent as its own event, as the
# typing model plans it) produces the character -- pyautogui would otherwise wrap it in a Shift of its own.
_UNSHIFT = dict(zip('~!@#$%^&*()_+{}|:"<>?', "`1234567890-=[]\\;',./"))


def pyautogui_key(key: str, shift_held: bool) -> str:
    """pyautogui's name for a DOM key; with Shift already held, the unshifted key that produces it."""
    if key in _PYAUTOGUI_KEYS:
        return _PYAUTOGUI_KEYS[key]
    if not shift_held:
        return key  # pyautogui adds the Shift a shifted character needs
    if len(key) == 1 and key.isupper():
        return key.lower()
    return _UNSHIFT.get(key, key)


# What each widget of the bundled Tk app is, as a person would name it.
TK_WIDGETS = {
    "name_entry": ("textbox", "Name", "input"), "email_entry": ("textbox", "Email", "input"),
    "password_entry": ("textbox", "Password", "password"),
    "subscribe_check": ("checkbox", "Subscribe to the newsletter", "checkbox"),
    "submit_button": ("button", "Submit", "button"), "list": ("listbox", "Items", "other"),
    "about_ok": ("button", "OK", "button"),
}


def tk_widgets(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The Tk app's state file as a flat list of named widgets with boxes (screen px)."""
    out = []
    fields = state.get("fields", {})
    for name, b in state.get("widgets", {}).items():
        role, label, kind = TK_WIDGETS.get(name, (None, name, "other"))
        w = {"name": name, "role": role, "label": label, "text": label if kind in ("button", "checkbox") else None,
             "kind": kind, "box": [b["x"], b["y"], b["w"], b["h"]]}
        key = name.removesuffix("_entry")
        if kind == "input" and key in fields:
            w["value"] = fields[key]
        out.append(w)
    lst, lbox = state.get("list", {}), state.get("widgets", {}).get("list")
    if lst.get("row_height") and lbox:
        for k, item in enumerate(lst.get("items", [])):
            y = lst["rows_y"] + (k - lst["first_visible"]) * lst["row_height"]
            if lbox["y"] <= y and y + lst["row_height"] <= lbox["y"] + lbox["h"]:
                out.append({"name": f"item-{k}", "role": "option", "label": item, "text": item, "kind": "option",
                            "box": [lst["rows_x"], y, lbox["w"] - 8, lst["row_height"]]})
    for title, menu in state.get("menus", {}).get("entries", {}).items():
        out.append({"name": f"menu-{title}", "role": "menuitem", "label": title, "text": title, "kind": "button",
                    "box": [menu["x"], menu["y"], menu["w"], menu["h"]]})
        items = [b for label, b in menu.get("items", {}).items() if label]
        if items:
            top = min(menu["y"] + menu["h"], *(b["y"] for b in items))  # from the bar down: no gap to cross
            bottom = max(b["y"] + b["h"] for b in items)
            dropdown = [min(b["x"] for b in items), top, max(b["w"] for b in items), bottom - top]
        for label, b in menu.get("items", {}).items():
            if label:
                out.append({"name": f"menu-{title}-{label}", "role": "menuitem", "label": label, "text": label,
                            "kind": "button", "box": [b["x"], b["y"], b["w"], b["h"]],
                            "keep_within": [[menu["x"], menu["y"], menu["w"], menu["h"]], dropdown]})
    return out


def _matches(loc: Locator, w: dict[str, Any]) -> bool:
    def same(a: str | None, b: str | None) -> bool:
        if a is None or b is None:
            return False
        # Playwright's rule: exact names match whole, others as a case-insensitive substring.
        return a == b if loc.exact else b.strip().lower() in a.strip().lower()

    if loc.by == "testid":
        return w.get("name") == loc.value
    if loc.by == "label":
        return same(w.get("label"), loc.value)
    if loc.by == "text":
        return same(w.get("text"), loc.value) or same(w.get("label"), loc.value)
    if loc.by == "role":
        return w.get("role") == loc.value and (loc.name is None or same(w.get("label") or w.get("text"), loc.name))
    if loc.by == "css":
        return w.get("name") == loc.value.lstrip("#")
    return False


def _found(loc: Locator, widgets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The widgets ``loc`` matches; an option of a list (``within``) only among that list's items, which the
    app's one list holds (named ``item-k``)."""
    if loc.within is None:
        return [w for w in widgets if _matches(loc, w)]
    lists = _found(loc.within, widgets)
    if not lists or _one(loc.within, lists)["name"] != "list":
        return []
    return [w for w in widgets if w["name"].startswith("item-") and _matches(replace(loc, within=None), w)]


def _one(loc: Locator, found: list[dict[str, Any]]) -> dict[str, Any]:
    """The widget ``loc`` means among those it matches: the only one, or the one its ``nth`` chose."""
    failed = not_one(loc, len(found), "in the desktop app", "matches no widget of the desktop app")
    if failed is not None:
        raise failed
    return found[loc.index or 0]


TASK_KEYS = ("app", "title", "fields", "submissions", "menu_actions", "about_open", "status")
LIST_TASK_KEYS = ("selected_index", "selected_item", "count")


def task_state(state: dict[str, Any]) -> dict[str, Any]:
    """The Tk app's state without what differs between two runs of the same task: press times and positions,
    widget and menu geometry, write counters. Why: `compare` judges a task by the final states being equal, and
    two desktop runs of one scenario always differed (a press a pixel over, a window a pixel lower)."""
    out = {k: state[k] for k in TASK_KEYS if k in state}
    if isinstance(state.get("list"), dict):
        out["list"] = {k: state["list"][k] for k in LIST_TASK_KEYS if k in state["list"]}
    return out


class DesktopDriver:
    name = "desktop"
    coordinate_space = "screen_px"
    device = "usb125"
    live = True

    def __init__(self, scenario, stack: contextlib.ExitStack, *, app_cmd: list[str] | None = None) -> None:
        self.display = ensure_display(stack)
        import pyautogui  # reads DISPLAY at import, so only now

        pyautogui.FAILSAFE = False
        pyautogui.PAUSE = 0
        self.gui = pyautogui
        self.viewport = SCREEN
        self.app_cmd = app_cmd or [sys.executable, "-m", "scenarios.apps.desktop.tk_app"]
        self._tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hcisim-desktop-")))
        self._proc: subprocess.Popen | None = None
        self._shift = False
        self._spare = SpareKeys(self.display)  # characters no US key makes, on keycodes of their own
        stack.callback(self._spare.close)
        self._state_file = self._tmp / "state.json"
        self._t0 = time.perf_counter()
        self._epoch0_ms = time.time() * 1000.0
        import mss

        self._mss = mss.MSS()
        stack.callback(self._mss.close)
        stack.callback(self._stop_app)

    # -- app lifecycle ---------------------------------------------------------
    def start_session(self, session_id: str) -> None:
        self._session = session_id
        self._keys_sent = 0  # key releases sent to the app, which counts those it has handled
        self._stop_app()
        self._state_file.unlink(missing_ok=True)
        env = {**os.environ, "DISPLAY": self.display}
        self._proc = subprocess.Popen([*self.app_cmd, "--state-file", str(self._state_file)], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                      preexec_fn=dies_with_us())  # not left running by a run killed with SIGKILL
        deadline = time.monotonic() + APP_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise HcisimError(f"the desktop app exited at start: {(self._proc.stderr.read() or '').strip()[:200]}")
            state = self._state()
            if state and state.get("widgets") and state.get("menus"):
                break
            time.sleep(0.05)
        else:
            raise HcisimError(f"the desktop app published no widgets within {APP_START_TIMEOUT_S:.0f} s")
        time.sleep(0.2)  # let the window manager-less X server settle the mapped window
        self._t0 = time.perf_counter()
        self._epoch0_ms = time.time() * 1000.0

    def _state(self) -> dict[str, Any] | None:
        try:
            return json.loads(self._state_file.read_text())
        except (OSError, json.JSONDecodeError):
            return None

    def _stop_app(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()  # reaped, not a zombie until the run ends
        self._proc = None

    def _settled_state(self, wait_s: float = 0.0) -> dict[str, Any]:
        """The app's state once it has caught up: after ``wait_s``, read until two reads 30 ms apart agree (the
        app rewrites its state after every press and key, once Tk has handled it)."""
        time.sleep(wait_s)
        state = self._state() or {}
        for _ in range(10):
            time.sleep(0.03)
            again = self._state() or {}
            if again.get("writes") == state.get("writes"):
                break
            state = again
        return state

    def end_session(self) -> pa.Table:
        """Stop the app; what it received: every press with the widget, row or menu entry it landed on."""
        self._final = self._settled_state(wait_s=0.1)
        self._stop_app()
        rows = [{"session_id": self._session, "seq": i, "t_ms": p["t"] - self._epoch0_ms, "type": "down",
                 "x": float(p["x"]), "y": float(p["y"]), "button": p["button"], "target": p["target"]}
                for i, p in enumerate(self._final.get("presses", []))]
        return pa.Table.from_pylist(rows, schema=RECEIVED) if rows else RECEIVED.empty_table()

    def close(self) -> None:
        self._stop_app()

    def app_state(self) -> Any:
        """What the person did to the app (the dataset's ``final_state.json``): `task_state` of its state file."""
        state = self._state()
        return task_state(state) if state else state

    # -- acting ---------------------------------------------------------------
    @property
    def epoch0_ms(self) -> float:
        return self._epoch0_ms

    def now_ms(self) -> float:
        return (time.perf_counter() - self._t0) * 1000.0

    def goto(self, url: str) -> None:
        pass  # one window; scenarios start where the app opens

    def _widgets(self) -> list[dict[str, Any]]:
        return tk_widgets(self._state() or {})

    def locate(self, loc: Locator) -> Target:
        """The widget ``loc`` matches, waiting for it as Playwright's locators do (a dialog the last press opened
        appears in the app's state only once Tk has drawn it), and strict as they are: several matches are an
        error unless ``loc`` chose one (``nth``)."""
        deadline = time.monotonic() + LOCATE_TIMEOUT_S
        widgets = self._widgets()
        found = _found(loc, widgets)
        while len(found) <= (loc.index or 0) and time.monotonic() < deadline:
            widgets = tk_widgets(self._settled_state(wait_s=0.05))
            found = _found(loc, widgets)
        w = _one(loc, found)
        box = Box(*map(float, w["box"]))
        return Target(box=box, visible=True, kind=w.get("kind", "other"), role=w.get("role"),
                      name=w.get("label") or w.get("text"), text=w.get("text"), selector=w.get("name"),
                      label=w.get("label"), id=w.get("name"), words_on_screen=len(widgets),
                      options=list(w.get("options", [])), selected_index=int(w.get("selected_index", -1)),
                      sensitive=w.get("kind") == "password",
                      keep_within=tuple(Box(*map(float, b)) for b in w.get("keep_within", ())))

    def describe_at(self, x: float, y: float) -> Target | None:
        for w in self._widgets():
            if Box(*map(float, w["box"])).contains(x, y):
                return self.locate(Locator("testid", w["name"], exact=True))
        return None

    @no_gc_pauses()
    def dispatch(self, plan: Plan) -> np.ndarray:
        """Send each event at its deadline; returns actual send times (NaN: a move coalesced away)."""
        gui = self.gui
        actual = np.empty(len(plan))
        spare = {int(i) for i in np.flatnonzero(np.isin(plan.type, ("key_down", "key_up"))) if composed(plan.key[i])}
        if spare:  # bound before the first key event, so the app has the mapping when it reads the key
            self._spare.bind(plan.key[i] for i in sorted(spare))
        for i in range(len(plan)):
            deadline = self._t0 + plan.t_ms[i] / 1000.0
            sleep_until(deadline)
            if overtaken(plan, i, self._t0):
                actual[i] = np.nan
                continue
            actual[i] = (time.perf_counter() - self._t0) * 1000.0
            kind = plan.type[i]
            if kind == "move":
                gui.moveTo(int(round(plan.x[i])), int(round(plan.y[i])), _pause=False)
            elif kind == "down":
                gui.mouseDown(button=plan.button[i] or "left", _pause=False)
            elif kind == "up":
                gui.mouseUp(button=plan.button[i] or "left", _pause=False)
            elif kind == "wheel":
                gui.scroll(-int(np.sign(plan.dy[i])) or -1, _pause=False)
            elif kind in ("key_down", "key_up"):
                key = plan.key[i]
                if i in spare:  # a character no US key makes, on a keycode bound to it for the run
                    self._spare.press(key, kind == "key_down")
                else:
                    if key == "Shift":
                        self._shift = kind == "key_down"
                    name = pyautogui_key(key, self._shift and key != "Shift")
                    (gui.keyDown if kind == "key_down" else gui.keyUp)(name, _pause=False)
                self._keys_sent += kind == "key_up"
        return actual

    def screenshot(self) -> bytes | None:
        import mss.tools

        shot = self._mss.grab(self._mss.monitors[1])
        return mss.tools.to_png(shot.rgb, shot.size)

    def field_value(self, loc: Locator) -> str | None:
        """What the app's field holds now, from its state once it has handled every key sent (a Tk app short of
        CPU had not yet: "Erica Smi" was labelled for "Erica Smith", which it then held). None for the password
        (the app publishes only its length) and for what is not a field."""
        deadline = time.monotonic() + KEYS_TIMEOUT_S
        state = self._settled_state()
        while state.get("key_releases", self._keys_sent) < self._keys_sent and time.monotonic() < deadline:
            state = self._settled_state(wait_s=0.02)
        found = _found(loc, tk_widgets(state))
        return _one(loc, found).get("value") if found else None
