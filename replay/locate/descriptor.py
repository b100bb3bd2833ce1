"""The element descriptor: one JSON object per element (docs/format.md, "Element descriptor").

Every field but ``id`` and ``page`` may be missing or empty, so everything that
reads descriptors goes through :func:`normalize`, which returns one canonical
shape (strings never None, ``attrs`` a dict of strings, ``box`` a 4-tuple of
floats or None, ``neighbors`` a dict of the four sides). Descriptors written by
older hcisim recorders (HTML id in ``id``, ``testid`` on top, ``box`` as a
list in viewport px) are read by :func:`from_legacy`.
"""

from __future__ import annotations

import json
import math
from typing import Any, Mapping

SIDES = ("left", "right", "above", "below")
BUTTON_TYPES = ("button", "submit", "reset", "image")


def _s(v: Any) -> str:
    """A field as a string; missing, null and non-string junk become ''."""
    if v is None or isinstance(v, (dict, list)):
        return ""
    return str(v).strip()


def _box(v: Any) -> tuple[float, float, float, float] | None:
    try:
        if isinstance(v, Mapping):
            b = (float(v.get("x", 0.0)), float(v.get("y", 0.0)), float(v["w"]), float(v["h"]))
        elif isinstance(v, (list, tuple)) and len(v) == 4:
            b = tuple(float(x) for x in v)
        else:
            return None
    except (KeyError, TypeError, ValueError):
        return None
    return b if all(math.isfinite(x) for x in b) else None  # type: ignore[return-value]


def normalize(d: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical form of a descriptor in the documented schema (tolerant of anything missing)."""
    attrs_in = d.get("attrs")
    attrs = {str(k).lower(): _s(v) for k, v in attrs_in.items()} if isinstance(attrs_in, Mapping) else {}
    # hcisim's own recorder adds the test id and input type on top too; they are attributes.
    if _s(d.get("testid")) and "data-testid" not in attrs:
        attrs["data-testid"] = _s(d.get("testid"))
    if _s(d.get("type")) and "type" not in attrs:
        attrs["type"] = _s(d.get("type"))
    nb = d.get("neighbors")
    neighbors = {side: _s(nb.get(side)) for side in SIDES} if isinstance(nb, Mapping) else dict.fromkeys(SIDES, "")
    tag = _s(d.get("tag")).lower()
    is_button = d.get("is_button")
    if not isinstance(is_button, bool):
        is_button = None
        if tag:
            is_button = tag == "button" or (tag == "input" and attrs.get("type", "").lower() in BUTTON_TYPES) or \
                _s(d.get("role")) == "button" or attrs.get("role") == "button"
    return {
        "id": _s(d.get("id")), "page": _s(d.get("page")), "tag": tag, "attrs": attrs,
        "text": _s(d.get("text")), "visible_text": _s(d.get("visible_text")), "role": _s(d.get("role")),
        "name": _s(d.get("name")), "label": _s(d.get("label")), "xpath": _s(d.get("xpath")),
        "idxpath": _s(d.get("idxpath")), "css": _s(d.get("css")), "box": _box(d.get("box")),
        "neighbors": neighbors, "is_button": is_button,
    }


def is_legacy(d: Mapping[str, Any]) -> bool:
    """Written before the documented schema: no page key, no attrs, the HTML id in ``id``."""
    return "page" not in d and "attrs" not in d


def from_legacy(d: Mapping[str, Any]) -> dict[str, Any]:
    """A pre-schema descriptor (``id`` = HTML id, ``testid``/``type`` on top) in the documented form."""
    attrs = {}
    if _s(d.get("id")):
        attrs["id"] = _s(d.get("id"))
    out = {k: v for k, v in d.items() if k != "id"}
    out["attrs"] = attrs
    if not out.get("visible_text"):
        out["visible_text"] = d.get("text")
    return normalize(out)


def canonical(d: Mapping[str, Any]) -> dict[str, Any]:
    """Either form, canonical: what the matcher's Python API accepts."""
    return from_legacy(d) if is_legacy(d) else normalize(d)


def testid_of(d: Mapping[str, Any]) -> str | None:
    attrs = d.get("attrs") if isinstance(d.get("attrs"), Mapping) else {}
    return d.get("testid") or attrs.get("data-testid") or None


def html_id_of(d: Mapping[str, Any]) -> str | None:
    if is_legacy(d):
        return d.get("id") or None
    attrs = d.get("attrs") if isinstance(d.get("attrs"), Mapping) else {}
    return attrs.get("id") or None


def descriptor_of_action(row: Mapping[str, Any]) -> dict[str, Any]:
    """The recorded target of an ``actions`` row, in the documented descriptor form.

    Recordings made by hcisim's recorder carry the whole descriptor in ``params.descriptor``;
    generated datasets and older recordings only have the ``target_*`` and ``box_*`` columns.
    The result also carries ``testid`` on top, as hcisim's other readers (export, compare) expect.
    """
    params = json.loads(row.get("params") or "{}")
    stored = params.get("descriptor") or {}
    selector = row.get("target_selector") or ""
    locator_part, _, css = selector.partition(" | css=")
    if not css and selector and not selector.startswith(("role=", "text=", "label=", "testid=", "placeholder=")):
        css = selector if not selector.startswith("css=") else selector[4:]
    if "attrs" in stored:
        desc = normalize({**stored, "id": None})
    else:
        attrs = {k: v for k, v in (("id", row.get("target_id")), ("data-testid", row.get("target_testid")),
                                   ("type", stored.get("type"))) if v}
        box = {"x": row["box_x"], "y": row["box_y"], "w": row["box_w"], "h": row["box_h"]} \
            if row.get("box_w") else None
        desc = normalize({"tag": stored.get("tag"), "attrs": attrs, "role": row.get("target_role"),
                          "name": row.get("target_name"), "label": row.get("target_label"),
                          "text": row.get("target_text"), "visible_text": row.get("target_text"),
                          "css": css or None, "box": box})
        if not css and locator_part and not any((desc["name"], desc["label"], attrs)):
            # Never resolved (the step failed): what the locator asked for is still the intended element.
            from simulator.locate import parse

            loc = parse(locator_part)
            if loc.by == "role":
                desc.update(role=loc.value, name=loc.name or "")
            elif loc.by == "testid":
                desc["attrs"]["data-testid"] = loc.value
            elif loc.by in ("label", "text"):
                desc[loc.by] = loc.value
            elif loc.by == "placeholder":
                desc["attrs"]["placeholder"] = loc.value
            else:
                desc["css"] = loc.value
    if stored.get("sensitive"):
        desc["sensitive"] = True
    desc["testid"] = desc["attrs"].get("data-testid") or None
    return desc
