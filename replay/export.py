"""Export a session to other tools: a readable Playwright script, or rrweb events."""

from __future__ import annotations

import json
import keyword
import re
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import numpy as np
import pyarrow.compute as pc

from simulator.atomic import check_file_out, starts_with, write_atomic
from simulator.dataset import read_dataset
from simulator.errors import HcisimError
from simulator.locate import parse
from replay.convert import drop_offset, navigation_was_caused
from replay.locate import LATE_ELEMENT_MS, descriptor_of_action, patience_ms
from replay.urls import app_folder, navigate_url, recorded_start, refuse_screen_sessions, relative_ref

FORMATS = ("playwright", "rrweb")


def _locators(desc: dict[str, Any]) -> list[str]:
    """Every Playwright locator expression the recorded descriptor supports, most change-robust first."""
    out = []
    if desc.get("testid"):
        out.append(f"page.get_by_test_id({desc['testid']!r})")
    if desc.get("role") and desc.get("name"):
        out.append(f"page.get_by_role({desc['role']!r}, name={desc['name']!r})")
    if desc.get("label"):
        out.append(f"page.get_by_label({desc['label']!r}, exact=True)")  # the whole label: 'Letter' is in 'newsletter'
    if desc.get("text"):
        out.append(f"page.get_by_text({desc['text']!r}, exact=True)")
    if desc.get("id"):
        out.append(f"page.locator({'#' + desc['id']!r})")
    if desc.get("css"):
        out.append(f"page.locator({desc['css']!r})")
    return out


def chosen_match(action: dict[str, Any]) -> str | None:
    """The step's own locator as Playwright code when the script chose one of several matches (``.nth(i)``,
    ``.first``), else None. The recorded element's role and name (or label, text) then find all of them, and the
    exported script stopped on a strict-mode error; the script's locator and its index find the one it acted on."""
    part = (action.get("target_selector") or "").partition(" | css=")[0]
    if " >> nth=" not in part:
        return None
    loc = parse(part)
    if loc.index is None or loc.within is not None:  # an option of a list: `_pick` finds it in its list
        return None
    exact = ", exact=True" if loc.exact and loc.by not in ("testid", "css") else ""
    if loc.by == "role":
        call = f"get_by_role({loc.value!r}" + (f", name={loc.name!r}" if loc.name is not None else "") + f"{exact})"
    elif loc.by == "testid":
        call = f"get_by_test_id({loc.value!r})"
    elif loc.by == "css":
        call = f"locator({loc.value!r})"
    else:  # text, label, placeholder
        call = f"get_by_{loc.by}({loc.value!r}{exact})"
    return f"page.{call}.nth({loc.index})"


def best_locator(desc: dict[str, Any]) -> str:
    """The recorded element's locator for a script run on other builds: ``one(test id, role and name)`` (the
    first of the two that finds exactly one element: see ``ONE``), else the best one there is. Why both: a new
    build renames some test ids and some names (the demo app's v2: ``login-submit`` becomes ``signin-submit``,
    "Full name" becomes "Your name"), and a script holding only the test id failed on the first such element;
    rarely are both changed at once. Why not Playwright's ``or_``: it finds *both*, so a role and name that
    several elements share (a row's "Edit" button) made every use of a uniquely test-id'd element a strict-mode
    error, on the very build it was recorded on."""
    found = _locators(desc)
    if not found:
        raise HcisimError("an action has no usable target descriptor")
    if found[0].startswith("page.get_by_test_id(") and len(found) > 1 and not found[1].startswith("page.locator("):
        return f"one({found[0]}, {found[1]})"
    return found[0]


ONE = [f"def one(*ways, wait={LATE_ELEMENT_MS / 1000:g}):",
       '    """The element the first of ``ways`` finds alone, once any of them finds it (a new build may rename',
       "    a test id or a name; a name several elements share finds no one element). None alone: all of them,",
       '    so that using it is a strict-mode error naming what was found. The first way gets ``wait`` seconds',
       '    more (a second, plus the pause the person made before the step): an element that appears late may',
       '    share its name with one already there."""',
       "    anyway = ways[0]",
       "    for way in ways[1:]:",
       "        anyway = anyway.or_(way)",
       "    anyway.first.wait_for(state='attached')",
       "    for _ in range(round(wait * 10)):",
       "        if ways[0].count():",
       "            break",
       "        ways[0].page.wait_for_timeout(100)",
       "    return next((way for way in ways if way.count() == 1), anyway)", ""]
"""The exported script's helper for an element located two ways (``best_locator``)."""


RESERVED = {"page", "expect", "at", "secret", "one", "os", "sys", "urljoin", "urlsplit", "sync_playwright", "BASE_URL", "run",
            "url", "p", "browser"}
"""Names the exported script already uses."""


class _Elements:
    """Locators for the script, each element located two ways (``one(...)``) named once (``login_submit = ...``,
    the line added to ``body`` at its first use), so a step reads ``login_submit.click()``."""

    def __init__(self, body: list[str]) -> None:
        self.body = body
        self.names: dict[str, str] = {}

    def __call__(self, desc: dict[str, Any], wait_ms: float = LATE_ELEMENT_MS) -> str:
        """``wait_ms``: how long the element may take to appear under its test id, where it is first used."""
        expr = best_locator(desc)
        if not expr.startswith("one("):
            return expr
        if expr not in self.names:
            stem = re.sub(r"\W+", "_", desc["testid"]).strip("_").lower() or "element"
            stem = stem if stem.isidentifier() and not keyword.iskeyword(stem) and stem not in RESERVED \
                else f"el_{stem}"
            name, n = stem, 1
            while name in self.names.values():
                n += 1
                name = f"{stem}_{n}"
            self.names[expr] = name
            wait_s = round(wait_ms / 1000, 1)
            self.body.append(f"{name} = {expr}" if wait_s == LATE_ELEMENT_MS / 1000 else
                             f"{name} = {expr[:-1]}, wait={wait_s:g})")
        return self.names[expr]


def secret_name(desc: dict[str, Any], taken: set[str]) -> str:
    """An environment variable for a sensitive field's value, named after the field (``SECRET_PASSWORD``)."""
    label = next((desc[k] for k in ("label", "name", "id", "testid") if desc.get(k)), "") or "field"
    stem = "SECRET_" + (re.sub(r"[^A-Z0-9]+", "_", label.upper()).strip("_") or "FIELD")
    name, n = stem, 1
    while name in taken:
        n += 1
        name = f"{stem}_{n}"
    taken.add(name)
    return name


def _header(root: Path, sid: str, base: str | None, secrets: list[str], two_ways: bool) -> list[str]:
    default = (f"default {base}, where it was recorded" if base
               else "required: the session holds paths, not the address it ran at")
    lines = [f'"""Exported by hcisim from {root} (session {sid}).',
             "",
             "Run it on any build of the app:",
             "    " + " ".join(["BASE_URL=http://host/app/", *(f"{s}=..." for s in secrets), "python this_file.py"]),
             f"BASE_URL is the folder the app is served from ({default}).",
             '"""',
             "import os", "import sys", "from urllib.parse import urljoin, urlsplit", "",
             "from playwright.sync_api import expect, sync_playwright", "",
             f"BASE_URL = os.environ.get('BASE_URL', {base!r})", "", "",
             "def at(ref):",
             '    """A page of the app: ``ref`` relative to BASE_URL."""',
             "    if not BASE_URL:",
             "        sys.exit('set BASE_URL to the address of the app, e.g. http://127.0.0.1:8000/')",
             "    return urljoin(BASE_URL if BASE_URL.endswith('/') else BASE_URL + '/', ref)  # a folder", ""]
    if secrets:
        lines += ["", "def secret(name):",
                  '    """The value of a field hcisim never recorded (a password), from the environment."""',
                  "    if name not in os.environ:",
                  """        sys.exit(f"set {name}: the recording never stored this field's value")""",
                  "    return os.environ[name]", ""]
    if two_ways:
        lines += ["", *ONE]
    return lines + [""]


def _value_check(params: dict[str, Any], desc: dict[str, Any]) -> str:
    """The assertion on what a field holds after typing: a form field's value, an editor's text."""
    d = params.get("descriptor") or {}
    tag, kind = d.get("tag") or desc.get("tag"), d.get("kind")  # a recording's tag; a generated session's kind
    field = tag in ("input", "textarea") if tag else kind in (None, "input", "password", "textarea")
    return "to_have_value" if field else "to_have_text"


def _pick(loc: str, role: str | None, option: str) -> str:
    """A custom list's option picked by a click, named exactly and of this list: an always-open listbox's own
    options (another list on the page may offer the same), else the popup's, the one list open."""
    if role == "listbox":
        return f"{loc}.get_by_role('option', name={option!r}, exact=True).click()"
    return f"{loc}.click()\n    page.get_by_role('option', name={option!r}, exact=True).click()"


def _drag(loc: str, params: dict[str, Any], locate: Callable[[dict[str, Any]], str] = best_locator) -> list[str]:
    """A drag let go where it was within the drop element (its recorded box), and where it left what it moved:
    the container's children in the recorded order (`replay.convert`'s "placed")."""
    drop = params.get("drop") or params.get("drop_target") or {}
    at, offset = "", drop_offset(params)
    if offset is not None:
        x, y, w, h = offset
        at = f", target_position={{'x': {min(max(x, 1.0), w - 1.0):.0f}, 'y': {min(max(y, 1.0), h - 1.0):.0f}}}"
    lines = [f"{loc}.drag_to({locate({**drop, 'css': drop.get('css') or drop.get('selector')})}{at})"]
    placed = params.get("placed") or {}
    order, parent = placed.get("order"), placed.get("parent")
    if parent and order and None not in order:  # a private child's text was never recorded
        lines.append(f"expect({locate(parent)}.locator(':scope > *')).to_have_text({order!r})")
    return lines


def to_playwright(root: Path, session: str | None = None) -> str:
    ds = read_dataset(root)
    refuse_screen_sessions(ds.manifest, root, "a Playwright export")
    sid = ds.session(session)
    actions = [a for a in ds.actions.filter(pc.equal(ds.actions.column("session_id"), sid)).to_pylist()
               if a["parent_id"] is None]
    if not actions:
        raise HcisimError(f"{root}: session {sid} has no actions to export")
    start = recorded_start(actions)
    folder = app_folder(start)
    body: list[str] = []
    locate = _Elements(body)
    secrets: list[str] = []
    secret_of: dict[str, str] = {}  # a private field's locator: its variable
    in_editor: dict[str, str] = {}  # what each rich-text editor holds after the steps so far
    prev_end = -np.inf
    for a in actions:
        params = json.loads(a.get("params") or "{}")
        kind = a["kind"]
        after, prev_end = prev_end, a["t_end_ms"]
        if kind == "navigate":
            url = navigate_url(a)
            if url and navigation_was_caused(a, after):  # the click before it must do it
                # the path alone: a glob on it missed the same page with a query (/search?q=chess)
                ref = relative_ref(urlsplit(url).path, folder)
                body.append(f"page.wait_for_url(lambda url: urlsplit(url).path == urlsplit(at({ref!r})).path)")
            elif url:
                body.append(f"page.goto(at({relative_ref(url, folder)!r}))")
            continue
        if kind in ("wait", "read"):
            body.append(f"page.wait_for_timeout({max(a['t_end_ms'] - a['t_start_ms'], 0):.0f})")
            if kind == "read" and a.get("target_selector"):  # what was read shows: often the task's proof
                body.append(f"expect({chosen_match(a) or locate(descriptor_of_action(a)) + '.first'})"
                            ".to_be_visible()")
            continue
        if kind == "key":
            body.append(f"page.keyboard.press({a['text_intended']!r})")
            continue
        if kind == "scroll":
            body.append(f"page.mouse.wheel(0, {params.get('dy', 300)!r})")
            continue
        desc = descriptor_of_action(a)
        loc = chosen_match(a) or locate(desc, patience_ms(a["t_start_ms"] - after))
        if kind in ("click", "double_click", "right_click"):
            call = {"click": ".click()", "double_click": ".dblclick()", "right_click": '.click(button="right")'}[kind]
            body.append(f"{loc}{call}")
        elif kind == "hover":
            body.append(f"{loc}.hover()")
        elif kind in ("type", "select") and (params.get("sensitive") or
                                             a.get("text_typed" if kind == "type" else "text_intended") is None):
            if loc not in secret_of:  # a private field's value, from the environment: one variable per field
                secret_of[loc] = secret_name(desc, set(secrets))  # (typed into twice, it needed two, the last won)
                secrets.append(secret_of[loc])
            value = f"secret({secret_of[loc]!r})"
            body.append(f"{loc}.fill({value})  # never recorded" if kind == "type" else
                        f"{loc}.select_option(label={value})  # never recorded")
        elif kind == "type":
            text, check = a["text_typed"], _value_check(params, desc)
            if check == "to_have_value":
                body.append(f"{loc}.fill({text!r})")
            else:  # an editor: typed at the caret as the person did (fill replaced it, and with it a Bold toggled
                before = in_editor.get(loc, "")  # just before); what it already held is not typed again
                body.append(f"{loc}.press_sequentially({text[len(before):]!r})" if text.startswith(before)
                            else f"{loc}.fill({text!r})")
                in_editor[loc] = text
            body.append(f"expect({loc}).{check}({text!r})")
        elif kind == "select":
            body.append(f"{loc}.select_option(label={a['text_intended']!r})"
                        if "select" in ((params.get("descriptor") or {}).get("tag"),
                                        (params.get("descriptor") or {}).get("kind"))
                        else _pick(loc, (params.get("descriptor") or {}).get("role") or a.get("target_role"),
                                   a["text_intended"]))
        elif kind == "drag":
            body += _drag(loc, params, locate)
    base = folder if urlsplit(folder).scheme else None  # a generated session holds paths: no origin to default to
    lines = _header(root, sid, base, secrets, bool(locate.names)) + ["def run(page):"]
    lines += [f"    {b}" for b in body] or ["    pass"]
    lines += ["", "", "if __name__ == '__main__':",
              "    with sync_playwright() as p:",
              "        browser = p.chromium.launch(executable_path='/usr/bin/chromium', args=['--no-sandbox'])",
              "        run(browser.new_page())",
              "        browser.close()", ""]
    return "\n".join(lines)


# rrweb enums (rrweb/packages/types): EventType and IncrementalSource / MouseInteractions.
_META, _FULL, _INCR = 4, 2, 3
_MOUSE_MOVE, _MOUSE_INTERACTION, _SCROLL, _INPUT = 1, 2, 3, 5
_INTERACTION = {"down": 1, "up": 0}


def to_rrweb(root: Path, session: str | None = None, epoch_ms: float = 0.0) -> list[dict[str, Any]]:
    """rrweb events for the session's input: meta, a minimal snapshot, pointer, clicks, wheel, inputs.

    hcisim does not capture the DOM, so the full snapshot is an empty page of the
    right size: enough for rrweb's player to show the pointer and interactions.
    """
    ds = read_dataset(root)
    sid = ds.session(session)
    vp = ds.manifest.viewport or {"width": 1280, "height": 800}
    ev = ds.events.filter(pc.equal(ds.events.column("session_id"), sid)).to_pylist()
    t0 = epoch_ms
    actions = ds.actions.filter(pc.equal(ds.actions.column("session_id"), sid)).to_pylist()
    out: list[dict[str, Any]] = [
        {"type": _META, "data": {"href": recorded_start(actions, default="about:blank"), "width": vp["width"],
                                 "height": vp["height"]},
         "timestamp": t0},
        {"type": _FULL, "timestamp": t0, "data": {"initialOffset": {"top": 0, "left": 0}, "node": {
            "type": 0, "id": 1, "childNodes": [{"type": 2, "id": 2, "tagName": "html", "attributes": {},
                                                 "childNodes": [{"type": 2, "id": 3, "tagName": "body",
                                                                 "attributes": {}, "childNodes": []}]}]}}},
    ]
    moves: list[dict[str, Any]] = []
    scroll_y = 0.0

    def flush_moves(now: float) -> None:
        if moves:
            out.append({"type": _INCR, "timestamp": now,
                        "data": {"source": _MOUSE_MOVE, "positions": [
                            {**m, "timeOffset": round(m["timeOffset"] - now, 3)} for m in moves]}})
            moves.clear()

    for e in ev:
        t = t0 + e["t_ms"]
        if e["type"] == "move":
            moves.append({"x": e["x"], "y": e["y"], "id": 3, "timeOffset": t})
            if len(moves) >= 10:
                flush_moves(t)
        elif e["type"] in _INTERACTION:
            flush_moves(t)
            out.append({"type": _INCR, "timestamp": t, "data": {"source": _MOUSE_INTERACTION,
                                                                "type": _INTERACTION[e["type"]], "id": 3,
                                                                "x": e["x"], "y": e["y"]}})
            if e["type"] == "up":
                out.append({"type": _INCR, "timestamp": t, "data": {"source": _MOUSE_INTERACTION, "type": 2,
                                                                    "id": 3, "x": e["x"], "y": e["y"]}})
        elif e["type"] == "wheel":
            flush_moves(t)
            scroll_y = max(0.0, scroll_y + float(np.nan_to_num(e["dy"])))
            out.append({"type": _INCR, "timestamp": t, "data": {"source": _SCROLL, "id": 1, "x": 0, "y": scroll_y}})
    for a in actions:
        if a["kind"] == "type" and a.get("text_typed") is not None:
            text = a["text_typed"]
            if json.loads(a.get("params") or "{}").get("sensitive"):  # a generated password: masked as rrweb masks
                text = "*" * len(text)                                  # inputs (the Playwright export omits it)
            out.append({"type": _INCR, "timestamp": t0 + a["t_end_ms"],
                        "data": {"source": _INPUT, "id": 3, "text": text, "isChecked": False}})
    if ev:
        flush_moves(t0 + ev[-1]["t_ms"])
    out.sort(key=lambda r: r["timestamp"])
    return out


EARLIER = {"playwright": ("a script hcisim exported", starts_with(b'"""Exported by hcisim')),
           "rrweb": ("rrweb events hcisim exported", starts_with(b'[{"type": '))}
"""What an existing output must be for ``--overwrite`` to replace it (``check_file_out``'s ``replaces``)."""


def export(root: Path, to: str, out: Path, session: str | None = None, overwrite: bool = False) -> Path:
    if to not in FORMATS:
        raise HcisimError(f"unknown export format {to!r}: use one of {', '.join(FORMATS)}")
    check_file_out(out, {"dataset being exported": root})  # --overwrite never replaces what it is made from
    if Path(out).exists() and not overwrite:  # a script someone may have edited since
        raise HcisimError(f"{out} already exists; choose another --out or pass --overwrite")
    # and --overwrite only an earlier export: `export my_app` beside the scenario script my_app.py replaced it
    check_file_out(out, replaces=EARLIER[to])
    if to == "playwright":
        text = to_playwright(root, session)
    else:
        try:
            text = json.dumps(to_rrweb(root, session), allow_nan=False)  # NaN is not JSON: rrweb's player stops
        except ValueError:
            raise HcisimError(f"{root}: a pointer event has no finite position (NaN or infinite x, y or dy); "
                              f"rrweb JSON cannot hold it") from None
    return write_atomic(out, text)
