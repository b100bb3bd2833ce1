"""Drive Debian's Chromium through Playwright with planned, timed input events.

Pointer events are sent one awaited ``mouse.move`` at a time: headless Chromium
answers each after one frame (~16.6 ms), so plans for this driver are sampled
at the browser's frame rate (device ``raf60``) and each event is sent at its
absolute deadline -- lateness never accumulates from per-event sleeps. What
the page actually received is captured in-page (capture.js) and returned as
the ``received`` table.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import numpy as np
import pyarrow as pa
from playwright.sync_api import Error as PlaywrightError

from simulator.children import share_niceness
from simulator.dataset.schema import RECEIVED
from simulator.drivers.base import (DOUBLE_CLICK_MS, DOUBLE_CLICK_PX, Target, no_gc_pauses, overtaken,
                                    sleep_until)
from simulator.errors import HcisimError, NotServed
from simulator.locate import Box, Locator, none_visible, not_one
from simulator.net import no_answer
from simulator.plan import Plan

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
HERE = Path(__file__).resolve().parent
CAPTURE_JS = (HERE / "capture.js").read_text(encoding="utf-8")
INSPECT_JS = (HERE / "inspect.js").read_text(encoding="utf-8")
LOCATE_TIMEOUT_MS = 5000
SHOT_TIMEOUTS_MS = (1000, 5000)
# What a person would read as the field's value: a select shows its option's label.
FIELD_VALUE_JS = """el => el.localName === 'select' ? (el.selectedIndex >= 0 ? el.options[el.selectedIndex].text : '')
  : el.getAttribute('role') === 'listbox'
    ? Array.from(el.querySelectorAll('[role=option][aria-selected=true]')).map(o => o.textContent.trim()).join(', ')
  : el.isContentEditable ? el.innerText
  : ['input', 'textarea'].includes(el.localName) ? el.value : el.textContent.trim()"""
# Every element a scenario could name, described as inspect.js does: a layout snapshot for offline runs. Hidden ones
# too (as Playwright sees them: an empty box or visibility hidden), marked so: Playwright's strictness counts them,
# and a locator that finds only those waits and fails.
INSPECT_ALL_JS = f"""() => {{
  const inspect = {INSPECT_JS};
  const SEL = "a, button, input, select, textarea, label, li, h1, h2, h3, [role], [data-testid], [contenteditable=true]";
  const scopes = new Map();
  const scopesOf = list => {{
    if (!scopes.has(list)) {{
      const id = list.id && CSS.escape(list.id);
      const openers = id ? Array.from(document.querySelectorAll(`[aria-controls~="${{id}}"], [aria-owns~="${{id}}"]`)) : [];
      scopes.set(list, [list, ...openers].map(inspect));
    }}
    return scopes.get(list);
  }};
  return Array.from(document.querySelectorAll(SEL)).map(el => {{
    const r = el.getBoundingClientRect();
    const hidden = !(r.width > 0 && r.height > 0) || getComputedStyle(el).visibility !== "visible";
    const info = Object.assign(inspect(el), {{hidden}});
    // a hidden element has no innerText; get_by_text finds it by its text content
    if (hidden && !info.text && !["input", "select", "textarea"].includes(el.localName))
      info.text = (el.textContent || "").trim().slice(0, 200) || null;
    // get_by_text finds the innermost element with the text: not a list item around a link that says it all
    info.textOfChild = !!info.text && Array.from(el.children).some(c =>
      ((hidden ? c.textContent : c.innerText) || "").trim().slice(0, 200) === info.text);
    // an option's list and what opens it, each a way a step names the list it picks from
    const list = info.role === "option" && !hidden ? el.closest("[role=listbox], select, datalist") : null;
    if (list) info.optionOf = scopesOf(list);
    return info;
  }});
}}"""
_BUTTONS = {0: "left", 1: "middle", 2: "right"}
_RECEIVED_TYPES = {"mousemove": "move", "mousedown": "down", "mouseup": "up", "keydown": "key_down",
                   "keyup": "key_up"}
# What Chromium reports as KeyboardEvent.keyCode (Windows virtual keys): named keys by name, printed keys by
# their letter (ASCII), digit-row position or physical key.
_VK_NAMED = {"Backspace": 8, "Tab": 9, "Enter": 13, "Shift": 16, "Control": 17, "Alt": 18, "CapsLock": 20,
             "Escape": 27, "PageUp": 33, "PageDown": 34, "End": 35, "Home": 36, "ArrowLeft": 37, "ArrowUp": 38,
             "ArrowRight": 39, "ArrowDown": 40, "Insert": 45, "Delete": 46, "Meta": 91, "AltGraph": 225}
_VK_CODE = {"Space": 32, "Semicolon": 186, "Equal": 187, "Comma": 188, "Minus": 189, "Period": 190, "Slash": 191,
            "Backquote": 192, "BracketLeft": 219, "Backslash": 220, "BracketRight": 221, "Quote": 222,
            "IntlBackslash": 226}
_MODIFIER_BITS = {"Alt": 1, "Control": 2, "Meta": 4, "Shift": 8}


def key_event(down: bool, key: str, code: str | None, held: set[str], repeat: bool = False) -> dict[str, Any]:
    """The CDP ``Input.dispatchKeyEvent`` a keyboard sends for one planned key event, with the planned
    ``code`` -- wherever the typist's layout puts the key (a German ``z`` is ``KeyY``), left or right Shift --
    which Playwright's keyboard cannot send (its keys are a US board's, its Shift always the left one).
    ``held``: modifiers down at that moment, this key included when it is one. Like a real keyboard, a
    character typed with Control, Alt or Meta held sends no text (a shortcut)."""
    if key in _VK_NAMED:
        vk = _VK_NAMED[key]
    elif len(key) == 1 and key.isascii() and key.isalpha():
        vk = ord(key.upper())
    elif (code or "").startswith("Digit"):
        vk = ord(code[-1])
    else:
        vk = _VK_CODE.get(code or "", 0)
    side = 0
    if key in _MODIFIER_BITS or key == "AltGraph":  # KeyboardEvent.location: which of the pair
        side = 2 if (code or "").endswith("Right") else 1
    ev: dict[str, Any] = {"type": "keyUp", "key": key, "code": code or "", "windowsVirtualKeyCode": vk,
                          "modifiers": sum(bit for name, bit in _MODIFIER_BITS.items() if name in held),
                          "location": side}
    if down:
        text = "\r" if key == "Enter" else key if len(key) == 1 else ""
        if held & {"Control", "Alt", "Meta"}:
            text = ""
        ev.update(type="keyDown" if text else "rawKeyDown", text=text, unmodifiedText=text, autoRepeat=repeat)
    return ev


def refuse_unreachable(url: str, timeout_s: float = 10.0) -> None:
    """One line when nothing answers at ``url``'s host and port at all (no server there, no such host), said
    before a browser is started for it: starting Chromium first made a mistyped --url take seconds (15 s on a
    loaded machine) to be said. Whatever answers passes, an error page included (the browser says what it got);
    a proxy the environment names is the browser's to use, so no check is made then."""
    parts = urlsplit(url)
    proxied = parts.scheme in getproxies() and not proxy_bypass(parts.hostname or "")
    if parts.scheme not in ("http", "https") or not parts.hostname or proxied:
        return
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:  # a port that is no number or out of range (a traceback)
        raise HcisimError(f"app not reachable at {url}: {str(exc)[:1].lower()}{str(exc)[1:]}") from None
    why = no_answer(parts.hostname, port, timeout_s)
    if why is not None:
        raise HcisimError(f"app not reachable at {url}: {why}")


def launch_chromium(playwright, *, headless: bool = True):
    if not Path(CHROMIUM).exists():
        raise HcisimError(f"no browser: {CHROMIUM} not found (install it: apt-get install chromium)")
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=headless, args=CHROMIUM_ARGS)
    except PlaywrightError as exc:  # launch problems
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise HcisimError(f"could not start Chromium: {first}") from None
    share_niceness()
    return browser


def playwright_locator(page, loc: Locator):
    """``loc`` as a Playwright locator, strict as Playwright's are: acting on one that matches several elements
    fails, unless ``loc`` chose one (``nth``). An option of a list (``within``) is looked up in that list only."""
    root = page if loc.within is None else _list_root(page, loc.within)
    if loc.by == "role":
        pl = root.get_by_role(loc.value, name=loc.name, exact=loc.exact or None)
    elif loc.by == "text":
        pl = root.get_by_text(loc.value, exact=loc.exact)
    elif loc.by == "label":
        pl = root.get_by_label(loc.value, exact=loc.exact)
    elif loc.by == "testid":
        pl = root.get_by_test_id(loc.value)
    elif loc.by == "placeholder":
        pl = root.get_by_placeholder(loc.value, exact=loc.exact)
    else:
        pl = root.locator(loc.value)
    return pl if loc.index is None else pl.nth(loc.index)


def _list_root(page, scope: Locator):
    """The list ``scope`` names or opens: the one it controls or owns (a combobox's popup, a button's listbox),
    else the element itself (a listbox, a select)."""
    el = playwright_locator(page, scope)
    try:
        ids = el.evaluate("el => (el.getAttribute('aria-controls') || el.getAttribute('aria-owns') || '').trim()",
                          timeout=LOCATE_TIMEOUT_MS)
    except PlaywrightError:  # not there, or several: the option's own lookup fails and says so
        return el
    return page.locator(f'[id="{_css_string(ids.split()[0])}"]') if ids else el


def _css_string(value: str) -> str:
    """``value`` inside a CSS double-quoted string (Playwright's ``id="x"`` matches nothing)."""
    return value.replace("\\", "\\\\").replace('"', '\\"')


class BrowserDriver:
    name = "browser"
    coordinate_space = "viewport_css_px"
    device = "raf60"
    live = True

    def __init__(self, *, headless: bool = True, viewport: tuple[int, int] = (1280, 800),
                 sensitive_selectors: list[str] | None = None, layout_recorder: Any = None) -> None:
        from playwright.sync_api import sync_playwright

        if not headless and not os.environ.get("DISPLAY"):
            raise HcisimError("no display for a headed browser: set DISPLAY, or run it headless")
        self.viewport = viewport
        self._pw = sync_playwright().start()
        try:
            self._browser = launch_chromium(self._pw, headless=headless)
        except BaseException:
            self._pw.stop()
            raise
        self._sensitive = sensitive_selectors or []
        self._layout = layout_recorder
        self._context = None
        self.page = None
        self._cdp = None
        self._t0 = 0.0
        self._epoch0_ms = 0.0
        self._received: list[dict] = []
        self._session = ""

    # -- session lifecycle -------------------------------------------------
    def start_session(self, session_id: str) -> None:
        self._session = session_id
        self._context = self._browser.new_context(viewport={"width": self.viewport[0], "height": self.viewport[1]})
        self._context.add_init_script(f"window.__hcisimSensitive = {json.dumps(self._sensitive)};\n{CAPTURE_JS}")
        self.page = self._context.new_page()
        self._cdp = self._context.new_cdp_session(self.page)
        self._modifiers: set[str] = set()
        self._keys_down: set[str] = set()
        self._last_press: tuple[float, float, float, str, int] | None = None  # t_s, x, y, button, click count
        self._clicks = 1
        self._received = []
        self._t0 = time.perf_counter()
        self._epoch0_ms = time.time() * 1000.0

    def end_session(self) -> pa.Table:
        self._drain()
        self._context.close()
        self._context = self.page = None
        return self._received_table()

    def _received_table(self) -> pa.Table:
        rows = self._received
        rows.sort(key=lambda r: r["t_ms"])
        for i, r in enumerate(rows):
            r["seq"] = i
        return pa.Table.from_pylist(rows, schema=RECEIVED) if rows else RECEIVED.empty_table()

    def close(self) -> None:
        try:
            self._browser.close()
        finally:
            self._pw.stop()

    # -- acting -----------------------------------------------------------
    def now_ms(self) -> float:
        return (time.perf_counter() - self._t0) * 1000.0

    @property
    def epoch0_ms(self) -> float:
        """Wall-clock time (ms since the epoch) of the session's t = 0, for auditing other clocks."""
        return self._epoch0_ms

    def goto(self, url: str) -> None:
        self._drain()
        try:
            response = self.page.goto(url, wait_until="load", timeout=15000)
        except PlaywrightError as exc:
            first = str(exc).strip().splitlines()[0]
            raise HcisimError(f"app not reachable at {url}: {first}") from None
        if response is not None and response.status >= 400:  # a server's "not found" page is not the app
            raise NotServed(url, response.status)

    def locate(self, loc: Locator) -> Target:
        try:
            pl = playwright_locator(self.page, loc)
            # A page still loading answers input a frame late or worse: act on loaded pages, as people do.
            self.page.wait_for_load_state("load", timeout=LOCATE_TIMEOUT_MS)
            pl.wait_for(state="visible", timeout=LOCATE_TIMEOUT_MS)  # strict: several matches fail at once
        except PlaywrightError:
            raise self._not_located(loc) from None
        info = pl.evaluate(INSPECT_JS)
        if self._layout is not None:
            self._layout.record(loc, info)
            self._layout.record_page(self.page.evaluate(INSPECT_ALL_JS))
        return target_from_info(info)

    def _not_located(self, loc: Locator) -> HcisimError:
        """Why ``loc`` was not found: it matches several elements (and chose none), nothing, or nothing visible."""
        where = f"on {self.page.url}{self._error_page()}"
        try:
            n = playwright_locator(self.page, loc.every).count()
        except PlaywrightError as exc:  # CSS the page cannot parse, a page gone
            return HcisimError(f"{loc}: {str(exc).strip().splitlines()[0]}")
        return not_one(loc, n, where, f"matches nothing {where}") or HcisimError(
            none_visible(loc, n if loc.index is None else 1, where))

    def _error_page(self) -> str:
        """What to add when the page showing is a server's error answer (a link followed to a page that failed
        was only "matches nothing on .../page", as if the locator were wrong)."""
        try:
            status = self.page.evaluate("() => performance.getEntriesByType('navigation')[0]?.responseStatus ?? 0")
        except PlaywrightError:  # the page is going away: nothing more to say
            return ""
        return f" (the server answered HTTP {status})" if isinstance(status, int) and status >= 400 else ""

    def describe_at(self, x: float, y: float) -> Target | None:
        handle = self.page.evaluate_handle("([x, y]) => document.elementFromPoint(x, y)", [x, y])
        element = handle.as_element()
        return target_from_info(element.evaluate(INSPECT_JS)) if element is not None else None

    @no_gc_pauses()
    def dispatch(self, plan: Plan) -> np.ndarray:
        """Send each event at its deadline; returns actual send times (NaN: a move coalesced away)."""
        actual = np.empty(len(plan))
        mouse = self.page.mouse
        n = len(plan)
        for i in range(n):
            deadline = self._t0 + plan.t_ms[i] / 1000.0
            sleep_until(deadline)
            if overtaken(plan, i, self._t0):
                actual[i] = np.nan
                continue
            kind = plan.type[i]
            actual[i] = (time.perf_counter() - self._t0) * 1000.0
            if kind == "move":
                mouse.move(float(plan.x[i]), float(plan.y[i]))
            elif kind == "down":
                button = plan.button[i] or "left"
                self._clicks = self._click_count(button, float(plan.x[i]), float(plan.y[i]))
                mouse.down(button=button, click_count=self._clicks)
            elif kind == "up":
                mouse.up(button=plan.button[i] or "left", click_count=self._clicks)
            elif kind == "wheel":
                mouse.wheel(float(np.nan_to_num(plan.dx[i])), float(plan.dy[i]))
            elif kind in ("key_down", "key_up"):
                code = plan.code[i]
                self._key(kind == "key_down", plan.key[i], code if isinstance(code, str) else None)
        return actual

    def _click_count(self, button: str, x: float, y: float) -> int:
        """The click count of a press now at (x, y): one more than the last press's when it was of the same
        button, within DOUBLE_CLICK_MS and DOUBLE_CLICK_PX of it; else 1."""
        now, last = time.perf_counter(), self._last_press
        n = 1
        if (last is not None and last[3] == button and (now - last[0]) * 1000.0 <= DOUBLE_CLICK_MS
                and ((x - last[1]) ** 2 + (y - last[2]) ** 2) ** 0.5 <= DOUBLE_CLICK_PX):
            n = last[4] + 1
        self._last_press = (now, x, y, button, n)
        return n

    def _key(self, down: bool, key: str, code: str | None) -> None:
        """One planned key event. A character no key makes (planned without a code: é on a US board, an
        emoji) arrives as text input, as a dead key or input method delivers it; every other key is sent
        with its planned key and code (`key_event`)."""
        if len(key) == 1 and not code:
            if down:
                self.page.keyboard.insert_text(key)
            return
        held = code or key  # one physical key, whatever character it makes at release
        repeat = down and held in self._keys_down
        (self._keys_down.add if down else self._keys_down.discard)(held)
        if key in _MODIFIER_BITS:
            (self._modifiers.add if down else self._modifiers.discard)(key)
        self._cdp.send("Input.dispatchKeyEvent", key_event(down, key, code, self._modifiers, repeat))

    def screenshot(self) -> bytes | None:
        """The page as shown, or None (the frame is skipped) when Chromium gives none. A screenshot asked for
        as a click's navigation commits can stall until Playwright's 30 s timeout (measured: 4 of 30 tries
        right after a form was sent), and a second one asked for then comes at once: a short first try."""
        for timeout in SHOT_TIMEOUTS_MS:
            try:
                return self.page.screenshot(type="png", timeout=timeout)
            except PlaywrightError:
                continue
        return None

    def field_value(self, loc: Locator) -> str | None:
        pl = playwright_locator(self.page, loc)
        try:
            return pl.evaluate(FIELD_VALUE_JS)
        except PlaywrightError:
            return None

    def app_state(self) -> Any:
        """The demo app's own view of its state (``window.__app.state()``), if it exposes one."""
        try:
            self.page.wait_for_load_state("load", timeout=10000)
            return self.page.evaluate("() => window.__app ? window.__app.state() : null")
        except PlaywrightError:  # a page still navigating away has no state to give
            self.page.wait_for_timeout(500)
            return self.page.evaluate("() => window.__app ? window.__app.state() : null")

    # -- what the page saw ------------------------------------------------
    def _drain(self) -> None:
        if self.page is None:
            return
        try:
            batch = self.page.evaluate("() => window.__hcisim ? window.__hcisim.drain() : []")
        except PlaywrightError:
            return  # navigating: capture.js keeps the events in sessionStorage for the next page
        for rec in batch:
            if rec["type"] != "placed":  # where a drag left its element: for the recorder, not an event received
                self._received.append(received_row(rec, self._session, self._epoch0_ms))


def received_row(rec: dict, session_id: str, epoch0_ms: float) -> dict:
    """One capture.js record as a ``received`` row (session time in ms)."""
    button = rec.get("button")
    return dict(
        session_id=session_id, seq=0, t_ms=float(rec["t"]) - epoch0_ms,
        type=_RECEIVED_TYPES.get(rec["type"], rec["type"]), x=rec.get("x"), y=rec.get("y"),
        button=_BUTTONS.get(button) if isinstance(button, int) else None,
        key=rec.get("key"), code=rec.get("code"), target=rec.get("target"), value_len=rec.get("value_len"),
    )


def target_from_info(info: dict) -> Target:
    return Target(
        box=Box(*info["box"]), visible=bool(info["visible"]), scroll_dy=float(info["scrollDy"]),
        scroll_at=tuple(info["scrollAt"]) if info.get("scrollAt") else None, kind=info["kind"],
        role=info.get("role"), name=info.get("name"), text=info.get("text"), selector=info.get("selector"),
        label=info.get("label"), id=info.get("id"), testid=info.get("testid"),
        words_on_screen=int(info.get("wordsOnScreen") or 0), checked=info.get("checked"),
        focused=bool(info.get("focused")), next_in_tab_order=bool(info.get("nextInTabOrder")),
        options=list(info.get("options") or []), selected_index=int(info.get("selectedIndex", -1)),
        active_index=int(info.get("activeIndex", -1)),
        sensitive=bool(info.get("sensitive", info["kind"] == "password")),
    )
