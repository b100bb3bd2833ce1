"""Does the ground truth agree with what the app saw?

For live runs: every intended click must have been received (a ``down``) by
the intended element or one inside it, and every typed text must be what the
field holds afterwards. Misses are allowed only when labelled.

Which received press belongs to which action: the last one the app logged from the action's start until just
before the driver sent the next action's first press. Not the action's planned end: an app under load logs a
press late (the Tk app under CI's load logged a menu press 130 ms after it was sent, 22 ms past the action's
end), but never before it was sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

CLICK_KINDS = ("click", "double_click", "right_click", "drag")  # a drag starts with a press on its source


@dataclass
class Agreement:
    clicks: int = 0
    clicks_on_target: int = 0
    texts: int = 0
    texts_exact: int = 0
    problems: list[str] = field(default_factory=list)

    def stats(self) -> dict[str, float | int]:
        return {"clicks_checked": self.clicks, "clicks_on_target": self.clicks_on_target,
                "texts_checked": self.texts, "texts_exact": self.texts_exact}


def _selector(action: dict) -> str | None:
    sel = action.get("target_selector") or ""
    return sel.split(" | css=", 1)[1] if " | css=" in sel else None


def press_window_ends(events: pa.Table) -> dict[int, float]:
    """For each action that pressed a button: 1 ms before the next press the driver sent for another action (a
    receipt's clock may read a millisecond early), or infinity for the session's last."""
    down = events.filter(pc.and_(pc.equal(events.column("type"), "down"), pc.is_valid(events.column("action_id"))))
    t = down.column("t_ms").to_numpy()
    aid = down.column("action_id").to_numpy()
    ends = {}
    for a in np.unique(aid):
        later = t[(t > t[aid == a].max()) & (aid != a)]
        ends[int(a)] = float(later.min()) - 1.0 if len(later) else np.inf
    return ends


def check(actions: pa.Table, received: pa.Table | None, events: pa.Table | None = None) -> Agreement:
    """``events``: what the driver sent (with each event's action); without them each action's presses are
    looked for within its planned span."""
    out = Agreement()
    if received is None or received.num_rows == 0:
        return out
    ends = press_window_ends(events) if events is not None else {}
    rt = received.column("t_ms").to_numpy()
    rtype = np.asarray(received.column("type").to_pylist(), dtype=object)
    rtarget = np.asarray(received.column("target").to_pylist(), dtype=object)
    for a in actions.to_pylist():
        if a["kind"] in CLICK_KINDS:
            sel = _selector(a)
            if sel is None:
                continue
            out.clicks += 1
            end = ends.get(a["action_id"], a["t_end_ms"] + 1.0)
            win = (rtype == "down") & (rt >= a["t_start_ms"] - 1.0) & (rt <= end)
            targets = [t for t in rtarget[win] if t]
            if targets and (targets[-1] == sel or targets[-1].startswith(sel + " >")):
                out.clicks_on_target += 1
            else:
                out.problems.append(f"{a['session_id']}/{a['action_id']} {a['step']}: press received by "
                                    f"{targets[-1] if targets else 'nothing'}, intended {sel}")
        elif a["kind"] == "type" and a["text_intended"] is not None:
            out.texts += 1
            if a["text_typed"] == a["text_intended"]:
                out.texts_exact += 1
            else:
                out.problems.append(f"{a['session_id']}/{a['action_id']} {a['step']}: field holds "
                                    f"{a['text_typed']!r}, intended {a['text_intended']!r}")
    return out
