"""Readable per-handle points between two descriptors (compare.py's "same element?" question).

Unlike the page matcher this looks at one pair in isolation and says which handles they share:
unique machine ids weigh most, then what a person reads. ``replay.compare`` sums the points
(without position) and calls two steps the same element at 4 or more.
"""

from __future__ import annotations

import math
import re
from typing import Any

from rapidfuzz import fuzz

from replay.locate.descriptor import canonical

POINTS = {"testid": 6.0, "id": 4.0, "role_name": 4.0, "label": 3.0, "name": 3.0, "text": 2.0, "css": 2.0,
          "position": 1.5}
FUZZY_MIN = 70.0


def _normal(s: str) -> str:
    s = re.sub(r"[-_]", "", s.lower())
    return " ".join(re.sub(r"[^\w]+", " ", s).split())


def _similar(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    a, b = _normal(a), _normal(b)
    if a == b:
        return 1.0
    s = max(fuzz.ratio(a, b), fuzz.token_set_ratio(a, b))
    return 0.0 if s < FUZZY_MIN else s / 100.0


def score(recorded: dict[str, Any], cand: dict[str, Any]) -> dict[str, float]:
    """Points ``cand`` earns for each handle it shares with ``recorded`` (either descriptor form)."""
    r, c = canonical(recorded), canonical(cand)
    s: dict[str, float] = {}
    rt, ct = r["attrs"].get("data-testid"), c["attrs"].get("data-testid")
    if rt and rt == ct:
        s["testid"] = POINTS["testid"]
    if r["attrs"].get("id") and r["attrs"].get("id") == c["attrs"].get("id"):
        s["id"] = POINTS["id"]
    same_role = bool(r["role"]) and r["role"] == c["role"]
    name_sim = _similar(r["name"], c["name"])
    if same_role and name_sim:
        s["role_name"] = POINTS["role_name"] * name_sim
    elif name_sim:
        s["name"] = POINTS["name"] * name_sim * 0.7
    label_sim = _similar(r["label"], c["label"])
    if label_sim:
        s["label"] = POINTS["label"] * label_sim
    text_sim = _similar(r["text"], c["text"])
    if text_sim:
        s["text"] = POINTS["text"] * text_sim
    if r["css"] and r["css"] == c["css"]:
        s["css"] = POINTS["css"]
    if r["box"] is not None and c["box"] is not None:
        (x0, y0, w0, h0), (x1, y1, w1, h1) = r["box"], c["box"]
        d = math.hypot(x0 + w0 / 2 - x1 - w1 / 2, y0 + h0 / 2 - y1 - h1 / 2)
        s["position"] = POINTS["position"] * math.exp(-d / 150.0)
    if r["role"] and c["role"] and not same_role:
        s["role_mismatch"] = -3.0
    if r["tag"] and c["tag"] and r["tag"] != c["tag"]:
        s["tag_mismatch"] = -1.5
    return s
