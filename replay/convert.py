"""Turn a recording journal (capture.js records) into an hcisim dataset.

Input events become the ``events`` table (``action_id`` null: nobody told us
what the person intended). The person's actions are then *derived* -- click,
double/right click, drag, type, key, select, scroll, navigate -- each with the
target's descriptor, so replay can find the element again on another build.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, quote_plus, urlsplit, urlunsplit
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulator.dataset import DatasetWriter, Manifest
from simulator.drivers.browser import received_row
from simulator.errors import HcisimError
from replay.locate.descriptor import html_id_of, normalize, testid_of
from replay.journal import read_journal

_EVENT_TYPES = {"mousemove": ("mouse", "move"), "mousedown": ("mouse", "down"), "mouseup": ("mouse", "up"),
                "wheel": ("wheel", "wheel"), "keydown": ("keyboard", "key_down"), "keyup": ("keyboard", "key_up")}
_BUTTONS = {0: "left", 1: "middle", 2: "right"}
DRAG_PX = 12.0
SCROLL_GAP_MS = 400.0
_PLAIN_KEYS = {"Enter", "Tab", "Escape", "ArrowDown", "ArrowUp", "ArrowLeft", "ArrowRight", "PageDown", "PageUp",
               "Home", "End", "Delete"}


def _is_text_target(desc: dict | None) -> bool:
    if not desc:
        return False
    if desc.get("tag") == "textarea" or desc.get("role") in ("textbox", "searchbox"):
        return desc.get("tag") != "select"
    kind = desc.get("type") or (desc.get("attrs") or {}).get("type") or "text"
    return desc.get("tag") == "input" and kind not in ("checkbox", "radio", "button", "submit")


@dataclass
class _Derivation:
    sid: str
    t0: float
    actions: list[dict[str, Any]] = field(default_factory=list)
    typing: dict[str, Any] | None = None
    down: dict[str, Any] | None = None
    scroll: dict[str, Any] | None = None

    def t(self, r: dict) -> float:
        return float(r["t"]) - self.t0

    def add(self, kind: str, t_start: float, t_end: float, desc: dict | None, **extra: Any) -> dict[str, Any]:
        params = extra.pop("params", {})
        row = dict(session_id=self.sid, action_id=len(self.actions), parent_id=None, kind=kind,
                   t_start_ms=t_start, t_end_ms=max(t_end, t_start), outcome="recorded", **extra)
        if desc:
            nd = normalize(desc)  # either descriptor form (recordings from older hcisim versions too)
            row.update(target_selector=nd["css"] or None, target_role=nd["role"] or None,
                       target_name=nd["name"] or None, target_text=nd["text"] or None,
                       target_label=nd["label"] or None, target_id=html_id_of(desc), target_testid=testid_of(desc))
            box, scroll = nd["box"], desc.get("scroll") or {}
            if box and box[2] > 0 and box[3] > 0:  # the actions table keeps viewport px: page box minus scroll
                row.update(box_x=box[0] - float(scroll.get("x", 0.0)), box_y=box[1] - float(scroll.get("y", 0.0)),
                           box_w=box[2], box_h=box[3])
            stored = {k: v for k, v in desc.items() if k not in ("scroll",)} if "page" in desc else \
                {k: desc.get(k) for k in ("tag", "type", "sensitive")}
            params = {**params, "descriptor": stored}
        row["step"] = f"{kind} {desc.get('name') or desc.get('css')}" if desc else kind
        row["params"] = json.dumps(params, sort_keys=True)
        self.actions.append(row)
        return row

    @staticmethod
    def placed(drag: dict[str, Any], r: dict[str, Any]) -> None:
        """Where the drag left what it dragged (capture.js ``placeOf``): its parent and the parent's children in
        order, so a replay can check that the card landed in the same place, not only in the same column."""
        params = json.loads(drag["params"])
        parent = r.get("parent")
        params["placed"] = {"parent": {k: v for k, v in parent.items() if k != "scroll"} if parent else None,
                            "order": r.get("order"), "index": r.get("index")}
        drag["params"] = json.dumps(params, sort_keys=True)

    def close_typing(self) -> None:
        ty = self.typing
        if ty is None:
            return
        self.typing = None
        if ty["value"] is None and not ty["sensitive"]:
            return  # keys pressed without changing a value: shortcuts, not typing
        params = {"length": ty["length"]}
        if ty["sensitive"]:
            params["sensitive"] = True
        self.add("type", ty["t_start"], ty["t_end"], ty["desc"], params=params,
                 text_typed=None if ty["sensitive"] else ty["value"],
                 text_intended=None if ty["sensitive"] else ty["value"])

    def close_scroll(self) -> None:
        sc = self.scroll
        if sc is not None:
            self.scroll = None
            self.add("scroll", sc["t_start"], sc["t_end"], None, params={"dy": sc["dy"], "dx": sc["dx"],
                                                                         "at": sc["at"]})


def derive_actions(records: list[dict[str, Any]], sid: str, t0: float) -> list[dict[str, Any]]:
    d = _Derivation(sid, t0)
    for r in records:
        typ, t = r["type"], d.t(r)
        if typ != "wheel" and typ != "mousemove":
            d.close_scroll()
        if typ == "mousedown":
            d.close_typing()
            d.down = r
        elif typ == "mouseup" and d.down is not None:
            down, d.down = d.down, None
            dist = ((r["x"] - down["x"]) ** 2 + (r["y"] - down["y"]) ** 2) ** 0.5
            if dist > DRAG_PX:
                d.add("drag", d.t(down), t, down.get("desc"),
                      params={"from": [down["x"], down["y"]], "to": [r["x"], r["y"]], "drop": r.get("desc")})
            else:
                kind = "right_click" if down.get("button") == 2 else "click"
                d.add(kind, d.t(down), t, down.get("desc"), params={"at": [down["x"], down["y"]]})
        elif typ == "placed" and d.actions and d.actions[-1]["kind"] == "drag":
            d.placed(d.actions[-1], r)
        elif typ == "dblclick":
            clicks = [a for a in d.actions[-2:] if a["kind"] == "click"]
            if len(clicks) == 2:
                d.actions.pop()
                clicks[0]["kind"] = "double_click"
                clicks[0]["t_end_ms"] = t
        elif typ == "keydown":
            desc = r.get("desc")
            if _is_text_target(desc) and r["key"] not in _PLAIN_KEYS:
                if d.typing is None or d.typing["css"] != desc.get("css"):
                    d.close_typing()
                    d.typing = {"css": desc.get("css"), "desc": desc, "t_start": t, "t_end": t, "value": None,
                                "length": 0, "sensitive": bool(desc.get("sensitive"))}
                d.typing["t_end"] = t
            elif r["key"] in _PLAIN_KEYS or r["key"] in ("Control", "Alt", "Meta"):
                d.close_typing()
                if r["key"] not in ("Control", "Alt", "Meta"):
                    d.add("key", t, t, desc, text_intended=r["key"], text_typed=r["key"])
        elif typ == "input":
            desc = r.get("desc") or {}
            if d.typing is not None and d.typing["css"] == desc.get("css"):
                d.typing.update(t_end=t, value=r.get("value"), length=r.get("value_len") or 0)
        elif typ == "change":
            desc = r.get("desc") or {}
            if desc.get("tag") == "select":
                d.close_typing()
                if desc.get("sensitive"):  # the choice is the secret (capture.js withholds it): never stored
                    d.add("select", t, t, desc, text_typed=None, text_intended=None, params={"sensitive": True})
                    continue
                # the option's label, as a person reads it and replay picks it (its value may be a code: "no")
                label = desc.get("visible_text") or r.get("value")
                d.add("select", t, t, desc, text_typed=label, text_intended=label, params={"value": r.get("value")})
            elif d.typing is not None and d.typing["css"] == desc.get("css"):
                d.typing.update(value=r.get("value"), length=r.get("value_len") or 0)
        elif typ == "wheel":
            d.close_typing()
            sc = d.scroll
            if sc is None or t - sc["t_end"] > SCROLL_GAP_MS:
                d.close_scroll()
                d.scroll = sc = {"t_start": t, "t_end": t, "dy": 0.0, "dx": 0.0, "at": [r["x"], r["y"]]}
            sc.update(t_end=t, dy=sc["dy"] + (r.get("dy") or 0.0), dx=sc["dx"] + (r.get("dx") or 0.0))
        elif typ == "navigate":
            d.close_typing()
            d.add("navigate", t, t, None, params={"url": r["url"]})
    d.close_typing()
    d.close_scroll()
    return d.actions


CAUSED_WITHIN_MS = 3000.0
"""A recorded navigation this soon after the step before it was caused by that step (a link, a submit)."""


def navigation_was_caused(action: dict[str, Any], prev_end_ms: float) -> bool:
    """Did the step before this navigate action cause it? Then a replay (or an exported test) waits for the
    build to navigate by itself instead of sending the browser there; an explicit ``goto`` never is."""
    return (action["kind"] == "navigate" and not (action.get("step") or "").startswith("goto ")
            and action["t_start_ms"] - prev_end_ms <= CAUSED_WITHIN_MS)


def drop_offset(params: dict[str, Any]) -> tuple[float, float, float, float] | None:
    """Where a recorded drag was let go within its drop element: (x, y) from the element's top-left corner and the
    element's (w, h), in px as recorded; None without a recorded drop box (a generated session's drag). Replay and
    the Playwright export let go at the same place on another build."""
    drop, to = params.get("drop") or {}, params.get("to")
    box = normalize(drop)["box"] if drop else None
    if not to or not box or box[2] <= 0 or box[3] <= 0:
        return None
    scroll = drop.get("scroll") or {}  # the box is in page px, ``to`` in the viewport's
    x0, y0 = box[0] - float(scroll.get("x", 0.0)), box[1] - float(scroll.get("y", 0.0))
    return to[0] - x0, to[1] - y0, box[2], box[3]


URL_ATTRS = ("href", "src", "action", "formaction", "cite", "poster")
"""Attributes of a target's descriptor that hold a URL: a result link carries the query that found it."""


def _without_private_queries(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The records with the values of private fields taken out of every URL: a form sent by GET puts each field in
    the next page's query (``/search?q=...`` of a search box marked --sensitive), and the recorder stores the URLs
    of the pages it went through and the links it clicked (``href="/detail?q=...&r=9"``). A query parameter named as
    a private field (its ``name``) is kept as ``•``."""
    names = {(r.get("desc") or {}).get("attrs", {}).get("name") for r in records
             if (r.get("desc") or {}).get("sensitive")} - {None, ""}
    if not names:
        return records

    def clean(url: str | None) -> str | None:
        if not url or "?" not in url:
            return url
        parts = urlsplit(url)
        query = "&".join(f"{quote_plus(k)}={'•' if k in names else quote_plus(v)}"
                         for k, v in parse_qsl(parts.query, keep_blank_values=True))
        return urlunsplit(parts._replace(query=query))

    out = []
    for r in records:
        if r["type"] == "navigate":
            r = {**r, "url": clean(r.get("url"))}
        elif r["type"] == "navigate_away":
            r = {**r, "target": clean(r.get("target"))}
        for key in ("desc", "parent"):  # a drag's "placed" record describes the parent of what it moved too
            attrs = (r.get(key) or {}).get("attrs") or {}
            if any(a in attrs for a in URL_ATTRS):
                r = {**r, key: {**r[key], "attrs": {k: clean(v) if k in URL_ATTRS else v for k, v in attrs.items()}}}
        out.append(r)
    return out


def journal_to_dataset(root: Path, out: Path) -> Path:
    records = read_journal(root)
    start = next((r for r in records if r["type"] == "session"), None)
    if start is None:
        raise HcisimError(f"{root}: the journal has no session header (not an hcisim recording)")
    sid, t0 = start["session_id"], float(start["t"])
    body = sorted((r for r in records if r["type"] not in ("session",)), key=lambda r: r["t"])
    body = _without_private_queries(body)
    events, received, frames = [], [], []
    for r in body:
        if r["type"] in _EVENT_TYPES:
            device, typ = _EVENT_TYPES[r["type"]]
            button = r.get("button")
            events.append(dict(session_id=sid, seq=len(events), t_ms=float(r["t"]) - t0, device=device, type=typ,
                               x=r.get("x"), y=r.get("y"),
                               button=_BUTTONS.get(button) if typ in ("down", "up") else None,
                               key=r.get("key"), code=r.get("code"), dx=r.get("dx"), dy=r.get("dy")))
        if r["type"] not in ("frame", "navigate", "placed"):
            received.append({**received_row(r, sid, t0), "seq": len(received)})  # as a generated run's
    actions = derive_actions(body, sid, t0)
    manifest = Manifest(driver="recorder", coordinate_space="viewport_css_px",
                        command=start.get("command") or ["hcisim", "record"],  # journals of older versions: none
                        viewport={"width": start["viewport"][0], "height": start["viewport"][1]},
                        device={"name": "chromium-events"}, sessions=[sid])
    with DatasetWriter(out, manifest) as w:
        w.add_session(sid, events=events, actions=actions, received=received)
        for r in body:
            if r["type"] == "frame":
                png = (root / "frames" / r["file"]).read_bytes()
                rel = w.add_file(f"frames/{sid}/{r['file']}", png)
                t = float(r["t"]) - t0
                # the click or change that asked for the screenshot, not the navigation it started a moment later
                before = [a["action_id"] for a in actions if a["t_start_ms"] <= t and a["kind"] != "navigate"]
                frames.append(dict(session_id=sid, frame_id=len(frames), t_ms=t,
                                   action_id=before[-1] if before else None, kind=r.get("kind", "after"),
                                   path=rel, width=start["viewport"][0], height=start["viewport"][1]))
        w.add("frames", frames)
    return out
