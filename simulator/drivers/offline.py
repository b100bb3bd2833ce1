"""Plans without an application: fast, deterministic fixture generation.

Targets come from a layout snapshot: the elements a scenario touched, with
their document positions and scroll containers, as the browser driver saw
them (``hcisim run S --driver browser --save-layout``). The driver simulates
only what the plan needs: page and container scrolling by wheel events,
which element has focus, and which page is showing.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import numpy as np

from simulator.drivers.base import Target
from simulator.errors import HcisimError
from simulator.jsonl import json_number
from simulator.locate import Ambiguous, Box, Locator, none_visible
from simulator.plan import Plan

LAYOUT_VERSION = 2
COMFORTABLE = 0.4


def element_keys(info: dict[str, Any]) -> list[str]:
    """The locators a scenario might name an element by, as Playwright's find it: a hidden element has no role key
    (``get_by_role`` leaves hidden elements out, the other locators count them), and an element whose text is all
    in one child (a list item around a link) no text key (``get_by_text`` finds the child)."""
    keys = []
    if info.get("role") and not info.get("hidden"):
        keys.append(Locator("role", info["role"]).describe())
    if info.get("role") and info.get("name") and not info.get("hidden"):
        keys.append(Locator("role", info["role"], info["name"]).describe())
    if info.get("label") and info.get("kind") not in ("other", "button", "link"):  # get_by_label finds controls
        keys.append(Locator("label", info["label"]).describe())
    if info.get("testid"):
        keys.append(Locator("testid", info["testid"], exact=True).describe())
    if info.get("id"):
        keys.append(Locator("css", "#" + info["id"], exact=True).describe())
    if info.get("text") and len(info["text"]) <= 80 and "\n" not in info["text"] and not info.get("textOfChild"):
        keys.append(Locator("text", info["text"]).describe())
    if info.get("role") == "option" and info.get("name") and not info.get("hidden"):
        # also under each way of naming its list (``label="Country" >> role=option[name="France"]``): a step
        # picks the option of the list it opened, and another list on the page may offer the same one
        own = Locator("role", "option", info["name"]).describe()
        keys += [f"{k} >> {own}" for scope in info.get("optionOf") or [] for k in element_keys(scope)]
    return keys


def snapshot_key(loc: Locator) -> str:
    """The key a layout snapshot keeps ``loc``'s element under: its describe() form without ``exact`` (a snapshot
    names an element by its whole name, so an exact locator and one of the same text find it alike, as they did
    before describe() wrote exact)."""
    return _plain(loc).describe()


def _plain(loc: Locator) -> Locator:
    return replace(loc, exact=False, within=None if loc.within is None else _plain(loc.within))


class LayoutRecorder:
    """Collects what the browser driver saw of each located element, for offline runs.

    Besides where each element was, an entry says what the offline driver needs to be as strict as the browser:
    ``matches``, how many elements of the page one sweep found under that locator when more than one (a step's
    own locator matched one: the live run was strict), and ``hidden`` when the element was never seen
    visible. Both are written only when so, and read as absent from snapshots made before them."""

    def __init__(self, viewport: tuple[int, int], base: str = "") -> None:
        self.viewport = viewport
        self.base = base
        """The path of the app's address the live run had (``--url http://host/app``: ``/app``), which the pages'
        paths begin with: an offline run opens ``START`` under it, as the live run did."""
        self.pages: dict[str, dict[str, dict[str, Any]]] = {}
        self._acted: set[tuple[str, str]] = set()

    def record(self, loc: Locator, info: dict[str, Any]) -> None:
        """Store what a step located, where it was when the step acted on it: it replaces the place a sweep of
        the page saw earlier (a link below a result shown late was clicked offline where the result now is)."""
        key = snapshot_key(loc)
        first = (info["path"], key) not in self._acted
        self._acted.add((info["path"], key))
        self._store(key, info, replace=first)

    def record_page(self, infos: list[dict[str, Any]]) -> None:
        """Store every element of one sweep of a page under every locator a scenario might name it by, with how
        many elements share each locator (not for a step's own: the step counted them at the moment it acted)."""
        counts = Counter(key for info in infos for key in element_keys(info))
        for info in infos:
            for key in element_keys(info):
                self._store(key, info)
                if counts[key] > 1 and (info["path"], key) not in self._acted:
                    entry = self.pages[info["path"]][key]
                    entry["matches"] = max(entry.get("matches", 1), counts[key])

    def _store(self, key: str, info: dict[str, Any], replace: bool = False) -> None:
        """The first place seen under ``key`` stays, unless ``replace`` or it was hidden and this one shows; a list
        of options seen either time stays."""
        x, y, w, h = info["box"]
        scroll_y = info["scrollY"]
        entry = {
            "path": info["path"], "doc_box": [x, y + scroll_y + info["containerScrollTop"], w, h],
            "container": info["containerSelector"], "kind": info["kind"], "role": info["role"],
            "name": info["name"], "text": info["text"], "selector": info["selector"], "label": info["label"],
            "id": info["id"], "testid": info["testid"],
            "options": info["options"], "selected_index": info["selectedIndex"], "checked": info["checked"],
            "words_on_screen": info["wordsOnScreen"], "tab_prev": info["tabPrev"],
            "page_max_scroll": info["pageMaxScroll"], "sensitive": bool(info.get("sensitive")),
        }
        if info.get("hidden"):
            entry["hidden"] = True
        if info["containerBox"]:
            cx, cy, cw, ch = info["containerBox"]
            entry["container_doc_box"] = [cx, cy + scroll_y, cw, ch]
            entry["container_max_scroll"] = info["containerMaxScroll"]
        page = self.pages.setdefault(info["path"], {})
        old = page.get(key)
        if old is None or replace or (old.get("hidden") and not entry.get("hidden")):
            if old is not None and old["options"] and not entry["options"]:
                entry["options"] = old["options"]
            if old is not None and "matches" in old and not replace:
                entry["matches"] = old["matches"]
            page[key] = entry
        elif entry["options"] and not old["options"]:
            old["options"] = entry["options"]

    def save(self, path: Path) -> None:
        data = {"version": LAYOUT_VERSION, "viewport": list(self.viewport),
                "pages": {p: dict(sorted(e.items())) for p, e in sorted(self.pages.items())}}
        if self.base:  # (written only when there is one: the snapshots of apps served at / read as before)
            data["base"] = self.base
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(path)


def load_layout(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise HcisimError(f"no layout snapshot at {path} (make one: hcisim run SCENARIO --driver browser "
                          f"--save-layout {path})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise HcisimError(f"{path}: not a valid layout file ({exc})") from None
    if not isinstance(data, dict) or data.get("version") != LAYOUT_VERSION or "pages" not in data:
        raise HcisimError(f"{path}: not a layout snapshot of version {LAYOUT_VERSION}")
    why = _layout_problem(data)
    if why is not None:  # (a KeyError traceback, or a shard retried as bad luck and failed on a ValueError)
        raise HcisimError(f"{path}: damaged layout snapshot: {why}")
    return data


ELEMENT_FIELDS = ("doc_box", "container", "kind", "role", "name", "text", "selector", "options", "selected_index",
                  "checked", "words_on_screen", "tab_prev", "page_max_scroll")
"""What the offline driver reads of every element of a snapshot (`LayoutRecorder` writes these and more)."""


def _finite_numbers(value: Any, count: int) -> bool:
    return (isinstance(value, list) and len(value) == count
            and all(json_number(v) and np.isfinite(v) for v in value))


def _layout_problem(data: dict[str, Any]) -> str | None:
    """The first thing a hand-edited or damaged snapshot lacks that the offline driver reads, None when whole."""
    if not _finite_numbers(data.get("viewport"), 2) or min(data["viewport"]) <= 0:
        return "viewport must be two positive sizes (WIDTH, HEIGHT)"
    if not isinstance(data["pages"], dict):
        return "pages must map page paths to their elements"
    if "base" in data and not (isinstance(data["base"], str) and data["base"].startswith("/")):
        return "base must be the path of the app's address, such as /app"
    for page, elements in data["pages"].items():
        if not isinstance(elements, dict) or not all(isinstance(e, dict) for e in elements.values()):
            return f"page {page} must map locators to elements"
        for key, e in elements.items():
            missing = [f for f in ELEMENT_FIELDS if f not in e]
            if missing:
                return f"element {key} of page {page} lacks {', '.join(missing)}"
            if not _finite_numbers(e["doc_box"], 4):
                return f"element {key} of page {page}: doc_box must be 4 finite numbers (x, y, width, height)"
            if "matches" in e and not (type(e["matches"]) is int and e["matches"] >= 1):
                return f"element {key} of page {page}: matches must be a count of elements (1 or more)"
    return None


NO_TEXT_KINDS = ("checkbox", "radio", "button", "link")
"""Element kinds (inspect.js) that take no typed text: a browser reads "" from them after keys go to them."""


class OfflineDriver:
    name = "offline"
    coordinate_space = "viewport_css_px"
    live = False

    def __init__(self, layout: dict[str, Any], *, device: str = "raf60") -> None:
        self.layout = layout
        self.viewport = tuple(layout["viewport"])
        self.device = device
        self._pages: dict[str, dict[str, dict[str, Any]]] = layout["pages"]
        self.start_session("")

    def start_session(self, session_id: str) -> None:
        self._page: str | None = None
        self._asked: str | None = None  # the page the scenario last went to
        self._scroll_y = 0.0
        self._container_scroll: dict[str, float] = {}
        self._focused: str | None = None  # selector of the focused element
        self._active_container: str | None = None
        self._state: dict[str, dict[str, Any]] = {}  # what input changed since the page loaded, by selector

    def end_session(self) -> None:
        return None

    def close(self) -> None:
        pass

    def now_ms(self) -> float:
        return float("nan")

    def goto(self, url: str) -> None:
        self._asked = urlsplit(url).path or "/"  # (said when nothing there is found)
        self._page = None  # the next located element names the page
        self._scroll_y = 0.0
        self._container_scroll.clear()
        self._state.clear()

    def screenshot(self) -> None:
        return None

    def field_value(self, loc: Locator) -> str | None:
        """None (what a field holds is not known offline: the step takes it as typed), but "" for what takes no
        text -- a checkbox, a button, a link --, as the browser reads them after keys are pressed on them."""
        return "" if self._entry(loc)["kind"] in NO_TEXT_KINDS else None

    def describe_at(self, x: float, y: float) -> None:
        return None

    # -- geometry -----------------------------------------------------------
    def _entry(self, loc: Locator) -> dict[str, Any]:
        """The element on the page showing now, else on the page the scenario must have moved to; strict as the
        browser is: a locator the live run saw match several elements, or only hidden ones, is refused."""
        key = snapshot_key(loc)
        if self._page is None or key not in self._pages.get(self._page, {}):
            # the page the scenario went to first: another page with the same field was taken for it
            asked = [self._asked] if self._page is None and self._asked in self._pages else []
            path = next((p for p in [*asked, *self._pages] if key in self._pages[p]), None)
            if path is None:
                self._missing(loc)
            self.goto(path)
            self._page = path
        e = self._pages[self._page][key]
        where = f"on {self._page} (layout snapshot)"
        if e.get("matches", 1) > 1 and loc.index is None:
            raise Ambiguous(loc, e["matches"], where)
        if e.get("hidden"):
            raise HcisimError(none_visible(loc, 1, where))
        return e

    def _missing(self, loc: Locator) -> NoReturn:
        pages = ", ".join(sorted(self._pages)) or "none"
        if self._asked not in (None, *self._pages):  # another app's snapshot: every element was said missing
            raise HcisimError(f"{loc} is not in the layout snapshot, which has no page {self._asked} (its pages: "
                              f"{pages}); was it saved from this app?")
        raise HcisimError(f"{loc} is not in the layout snapshot (its pages: {pages})")

    def _viewport_box(self, e: dict[str, Any]) -> Box:
        x, y, w, h = e["doc_box"]
        return Box(x, y - self._scroll_y - self._container_scroll.get(e["container"] or "", 0.0), w, h)

    def _container_box(self, e: dict[str, Any]) -> Box | None:
        if not e.get("container_doc_box"):
            return None
        x, y, w, h = e["container_doc_box"]
        return Box(x, y - self._scroll_y, w, h)

    def locate(self, loc: Locator) -> Target:
        e = self._entry(loc)
        self._active_container = e["container"]
        box = self._viewport_box(e)
        vw, vh = self.viewport
        visible = box.y >= 0 and box.y + box.h <= vh and box.x >= 0 and box.x + box.w <= vw
        scroll_dy, scroll_at = 0.0, None
        cbox = self._container_box(e)
        if cbox is not None:
            if cbox.y < 0 or cbox.y + cbox.h > vh:
                visible, scroll_dy = False, cbox.y + min(cbox.h, vh) / 2 - vh * 0.5
                scroll_at = (cbox.x - 40 if cbox.x > 60 else min(cbox.x + cbox.w + 40, vw - 5), vh / 2)
            elif box.y < cbox.y or box.y + box.h > cbox.y + cbox.h:
                visible = False
                scroll_dy = box.cy - (cbox.y + cbox.h * COMFORTABLE)
                scroll_at = (min(max(cbox.cx, 5), vw - 5), min(max(cbox.cy, 5), vh - 5))
        elif not visible:
            scroll_dy = box.cy - vh * COMFORTABLE
        return Target(
            box=box, visible=visible, scroll_dy=scroll_dy, scroll_at=scroll_at, kind=e["kind"], role=e["role"],
            name=e["name"], text=e["text"], selector=e["selector"], label=e.get("label"), id=e.get("id"),
            testid=e.get("testid"), words_on_screen=e["words_on_screen"],
            checked=self._now(e, "checked"), focused=self._focused is not None and self._focused == e["selector"],
            next_in_tab_order=self._focused is not None and e["tab_prev"] == self._focused,
            options=list(e["options"]), selected_index=self._now(e, "selected_index"),
            sensitive=bool(e.get("sensitive", e["kind"] == "password")),  # snapshots from before the field
        )

    # -- events ---------------------------------------------------------------
    def dispatch(self, plan: Plan) -> np.ndarray:
        for i in np.flatnonzero((plan.type == "wheel") | (plan.type == "down") | (plan.type == "key_down")):
            kind = plan.type[i]
            if kind == "wheel":
                self._wheel(float(plan.x[i]), float(plan.y[i]), float(plan.dy[i]))
            elif kind == "down":
                self._focus_at(float(plan.x[i]), float(plan.y[i]))
                e = self._focused_element()
                if e is not None and e["kind"] in ("checkbox", "radio"):  # a press toggles it (a radio: sets it)
                    self._state.setdefault(e["selector"], {})["checked"] = (
                        True if e["kind"] == "radio" else not self._now(e, "checked"))
            elif plan.key[i] in ("ArrowDown", "ArrowUp"):  # a focused native select moves its choice
                e = self._focused_element()
                if e is not None and e["kind"] == "select" and e["options"]:
                    step = 1 if plan.key[i] == "ArrowDown" else -1
                    self._state.setdefault(e["selector"], {})["selected_index"] = int(np.clip(
                        self._now(e, "selected_index") + step, 0, len(e["options"]) - 1))
            elif plan.key[i] == "Tab":
                nxt = [e for e in self._page_elements() if e["tab_prev"] == self._focused]
                self._focused = nxt[0]["selector"] if nxt else None
        return plan.t_ms.copy()

    def _now(self, e: dict[str, Any], what: str) -> Any:
        """A control's state now: the snapshot's, as the session's own input changed it since."""
        return self._state.get(e["selector"], {}).get(what, e[what])

    def _focused_element(self) -> dict[str, Any] | None:
        return next((e for e in self._page_elements() if e["selector"] == self._focused), None)

    def _page_elements(self) -> list[dict[str, Any]]:
        """The page's elements a press, a Tab or a wheel can reach: not those never seen visible."""
        return [e for e in self._pages.get(self._page, {}).values() if not e.get("hidden")]

    def _wheel(self, x: float, y: float, dy: float) -> None:
        # Only the container of the element being worked on can catch the wheel: the snapshot cannot
        # tell whether another one (a closed dropdown's list) is showing.
        for e in self._page_elements():
            cbox = self._container_box(e)
            if cbox is not None and e["container"] == self._active_container and cbox.contains(x, y):
                key = e["container"]
                self._container_scroll[key] = float(np.clip(self._container_scroll.get(key, 0.0) + dy, 0,
                                                            e["container_max_scroll"]))
                return
        page_max = max((e["page_max_scroll"] for e in self._page_elements()), default=0.0)
        self._scroll_y = float(np.clip(self._scroll_y + dy, 0, page_max))

    def _focus_at(self, x: float, y: float) -> None:
        hits = [e for e in self._page_elements() if self._viewport_box(e).contains(x, y)]
        if hits:
            smallest = min(hits, key=lambda e: e["doc_box"][2] * e["doc_box"][3])
            self._focused = smallest["selector"]
