"""Does the ground truth agree with what the app saw?

For live runs: every intended click must have been received (a ``down``) by
the intended element or one inside it, and every typed text must be what the
field holds afterwards. Misses are allowed only when labelled.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

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


def check(actions: pa.Table, received: pa.Table | None) -> Agreement:
    out = Agreement()
    if received is None or received.num_rows == 0:
        return out
    rt = received.column("t_ms").to_numpy()
    rtype = np.asarray(received.column("type").to_pylist(), dtype=object)
    rtarget = np.asarray(received.column("target").to_pylist(), dtype=object)
    for a in actions.to_pylist():
        if a["kind"] in CLICK_KINDS:
            sel = _selector(a)
            if sel is None:
                continue
            out.clicks += 1
            win = (rtype == "down") & (rt >= a["t_start_ms"] - 1.0) & (rt <= a["t_end_ms"] + 1.0)
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
