"""Find a recorded element again on a changed page, with a scored match.

A recorded descriptor holds several independent handles -- test id, id,
role + accessible name, label, visible text, CSS path, position. Each
candidate on the live page earns points for every handle it shares (fuzzy for
human-readable strings, so "E-mail" still finds "Email address"); the best
candidate wins if it clears a threshold. The strongest handle that matched is
reported as the strategy, so QA can see *how* an element was found.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz

# Points per handle: unique machine ids weigh most, then what a person reads.
WEIGHTS = {"testid": 6.0, "id": 4.0, "role_name": 4.0, "label": 3.0, "name": 3.0, "text": 2.0, "css": 2.0,
           "position": 1.5}
THRESHOLD = 4.0
FUZZY_MIN = 70.0

CANDIDATES_JS = """() => {
  const SEL = "a, button, input, select, textarea, [role], [data-testid], [contenteditable=true], label, li, "
            + "[draggable=true], [tabindex], h1, h2, h3";
  const out = [];
  for (const el of document.querySelectorAll(SEL)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    const st = getComputedStyle(el);
    if (st.visibility === "hidden" || st.display === "none") continue;
    out.push(window.__hcisim.describe(el));
  }
  return out;
}"""


@dataclass
class Match:
    candidate: dict[str, Any] | None
    score: float
    strategy: str
    scores: dict[str, float]

    @property
    def found(self) -> bool:
        return self.candidate is not None


def _normal(s: str) -> str:
    """Lower case, hyphens dropped ("E-mail" -> "email"), other punctuation as spaces."""
    s = re.sub(r"[-_]", "", s.lower())
    return " ".join(re.sub(r"[^\w]+", " ", s).split())


def _similar(a: str | None, b: str | None) -> float:
    if not a or not b:
        return 0.0
    a, b = _normal(a), _normal(b)
    if a == b:
        return 1.0
    s = max(fuzz.ratio(a, b), fuzz.token_set_ratio(a, b))
    return 0.0 if s < FUZZY_MIN else s / 100.0


def score(recorded: dict[str, Any], cand: dict[str, Any]) -> dict[str, float]:
    """Points this candidate earns for each handle it shares with the recorded descriptor."""
    s: dict[str, float] = {}
    if recorded.get("testid") and recorded["testid"] == cand.get("testid"):
        s["testid"] = WEIGHTS["testid"]
    if recorded.get("id") and recorded["id"] == cand.get("id"):
        s["id"] = WEIGHTS["id"]
    same_role = recorded.get("role") and recorded.get("role") == cand.get("role")
    name_sim = _similar(recorded.get("name"), cand.get("name"))
    if same_role and name_sim:
        s["role_name"] = WEIGHTS["role_name"] * name_sim
    elif name_sim:
        s["name"] = WEIGHTS["name"] * name_sim * 0.7
    label_sim = _similar(recorded.get("label"), cand.get("label"))
    if label_sim:
        s["label"] = WEIGHTS["label"] * label_sim
    text_sim = _similar(recorded.get("text"), cand.get("text"))
    if text_sim:
        s["text"] = WEIGHTS["text"] * text_sim
    if recorded.get("css") and recorded["css"] == cand.get("css"):
        s["css"] = WEIGHTS["css"]
    if recorded.get("box") and cand.get("box"):
        (x0, y0, w0, h0), (x1, y1, w1, h1) = recorded["box"], cand["box"]
        d = math.hypot(x0 + w0 / 2 - x1 - w1 / 2, y0 + h0 / 2 - y1 - h1 / 2)
        s["position"] = WEIGHTS["position"] * math.exp(-d / 150.0)
    if recorded.get("role") and cand.get("role") and not same_role:
        s["role_mismatch"] = -3.0
    if recorded.get("tag") and cand.get("tag") and recorded["tag"] != cand["tag"]:
        s["tag_mismatch"] = -1.5
    return s


def best_match(recorded: dict[str, Any], candidates: list[dict[str, Any]]) -> Match:
    best: Match = Match(None, 0.0, "none", {})
    for cand in candidates:
        s = score(recorded, cand)
        total = sum(s.values())
        if total > best.score:
            positive = {k: v for k, v in s.items() if v > 0}
            strategy = max(positive, key=positive.get) if positive else "none"
            best = Match(cand, total, strategy, s)
    if best.score < THRESHOLD:
        return Match(None, best.score, best.strategy, best.scores)
    return best


def descriptor_of_action(row: dict[str, Any]) -> dict[str, Any]:
    """The recorded descriptor of an ``actions`` row, in capture.js's field names."""
    import json

    params = json.loads(row.get("params") or "{}")
    extra = params.get("descriptor", {})
    box = [row["box_x"], row["box_y"], row["box_w"], row["box_h"]] if row.get("box_w") else None
    selector = row.get("target_selector") or ""
    locator_part, _, css = selector.partition(" | css=")
    desc = {"role": row.get("target_role"), "name": row.get("target_name"), "label": row.get("target_label"),
            "id": row.get("target_id"), "testid": row.get("target_testid"), "css": css or None,
            "text": row.get("target_text"), "box": box, "tag": extra.get("tag")}
    if not css and locator_part and not any(desc[k] for k in ("name", "label", "testid", "id")):
        # Never resolved (the step failed): what the locator asked for is still the intended element.
        from simulator.locate import parse

        loc = parse(locator_part)
        field = {"role": "name", "label": "label", "testid": "testid", "text": "text"}.get(loc.by)
        if loc.by == "role":
            desc.update(role=loc.value, name=loc.name)
        elif field:
            desc[field] = loc.value
        else:
            desc["css"] = loc.value
    return desc
