"""Compare a candidate session (an agent's run, a replay) with a reference session.

Steps are the sessions' top-level actions. They are aligned with a global
alignment (Needleman-Wunsch) whose match score rewards the same kind of
action on the same element, so one missing or extra step does not shift every
later comparison. On the aligned pairs we report what agent benchmarks use
(Mind2Web: element accuracy, operation F1, step success rate) plus extra and
missing steps, typed-text F1, pointer-path DTW distance and the duration
ratio; task success comes from final-state checkpoints when both sessions
stored the app's final state.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.compute as pc

from simulator.dataset import read_dataset
from replay.locate import descriptor_of_action, score

GAP = -1.0
SAME_ELEMENT_MIN = 4.0
_IGNORED = ("wait", "read", "navigate", "scroll")


@dataclass
class Step:
    action_id: int
    kind: str
    desc: dict[str, Any]
    text: str | None
    t_start: float
    t_end: float
    label: str
    withheld: bool = False
    """A private field's text the dataset never stored (a recording's password): no text to compare."""


TEXT_KINDS = ("type", "select")
"""Steps whose text is what the person meant to enter (typed-text F1 is over the reference's)."""


@dataclass
class Pair:
    ref: Step | None
    cand: Step | None
    same_kind: bool = False
    same_element: bool = False
    text_f1: float | None = None

    @property
    def success(self) -> bool:
        return self.ref is not None and self.cand is not None and self.same_kind and self.same_element and (
            self.text_f1 is None or self.text_f1 == 1.0)

    @property
    def withheld(self) -> bool:
        """A side's text was never stored (a secret): the pair's text is neither right nor wrong."""
        return any(s is not None and s.withheld for s in (self.ref, self.cand))


@dataclass
class Comparison:
    task_success: bool | None
    steps_reference: int
    steps_candidate: int
    action_type_accuracy: float
    element_accuracy: float
    typed_text_f1: float | None
    step_success_rate: float
    missing_steps: list[str] = field(default_factory=list)
    extra_steps: list[str] = field(default_factory=list)
    wrong_element: list[str] = field(default_factory=list)
    wrong_text: list[str] = field(default_factory=list)
    trajectory_dtw_px: float | None = None
    duration_ratio: float | None = None
    first_divergence: str | None = None
    final_state_diff: dict[str, Any] = field(default_factory=dict)
    task_success_note: str | None = None
    """Why ``task_success`` is None: which side has no final app state to compare."""

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True)


def steps_of(ds, session: str | None = None) -> list[Step]:
    sid = ds.session(session)
    rows = ds.actions.filter(pc.equal(ds.actions.column("session_id"), sid)).to_pylist()
    out = []
    for a in rows:
        if a["parent_id"] is not None or a["kind"] in _IGNORED:
            continue
        kind = "click" if a["kind"] in ("click", "double_click") else a["kind"]
        text = a.get("text_typed") or a.get("text_intended")
        withheld = text is None and bool(json.loads(a.get("params") or "{}").get("sensitive"))
        out.append(Step(a["action_id"], kind, descriptor_of_action(a), text, a["t_start_ms"], a["t_end_ms"],
                        a.get("step") or kind, withheld))
    return out


def token_f1(a: str | None, b: str | None) -> float:
    """Character-bigram F1 of two typed texts: 1.0 only for the same text, graded for typos."""
    if a is None and b is None:
        return 1.0
    a, b = a or "", b or ""
    if a == b:
        return 1.0
    ga = [a[i:i + 2] for i in range(max(len(a) - 1, 1))]
    gb = [b[i:i + 2] for i in range(max(len(b) - 1, 1))]
    common = sum(min(ga.count(g), gb.count(g)) for g in set(ga))
    if not common:
        return 0.0
    p, r = common / len(gb), common / len(ga)
    return 2 * p * r / (p + r)


def _has_target(desc: dict[str, Any]) -> bool:
    return any(desc.get(k) for k in ("css", "name", "label", "testid", "id", "text"))


def same_element(a: Step, b: Step) -> bool:
    if not _has_target(a.desc) and not _has_target(b.desc):
        return True  # a key press: nothing to aim at; the keys themselves are compared as text
    s = score(a.desc, b.desc)
    s.pop("position", None)  # an element may move between builds; position alone proves nothing
    return sum(s.values()) >= SAME_ELEMENT_MIN


def align(ref: list[Step], cand: list[Step]) -> list[Pair]:
    n, m = len(ref), len(cand)
    sim = np.zeros((n, m))
    for i, r in enumerate(ref):
        for j, c in enumerate(cand):
            sim[i, j] = (1.0 if r.kind == c.kind else -0.5) + (1.5 if same_element(r, c) else -0.5)
    dp = np.zeros((n + 1, m + 1))
    dp[1:, 0] = GAP * np.arange(1, n + 1)
    dp[0, 1:] = GAP * np.arange(1, m + 1)
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            dp[i, j] = max(dp[i - 1, j - 1] + sim[i - 1, j - 1], dp[i - 1, j] + GAP, dp[i, j - 1] + GAP)
    pairs: list[Pair] = []
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and np.isclose(dp[i, j], dp[i - 1, j - 1] + sim[i - 1, j - 1]):
            r, c = ref[i - 1], cand[j - 1]
            p = Pair(r, c, r.kind == c.kind, same_element(r, c))
            if (r.kind in ("type", "select", "key") or c.kind in ("type", "select", "key")) and not p.withheld:
                p.text_f1 = token_f1(r.text, c.text)
            pairs.append(p)
            i, j = i - 1, j - 1
        elif i > 0 and np.isclose(dp[i, j], dp[i - 1, j] + GAP):
            pairs.append(Pair(ref[i - 1], None))
            i -= 1
        else:
            pairs.append(Pair(None, cand[j - 1]))
            j -= 1
    return pairs[::-1]


def _pointer(ds, session: str | None) -> np.ndarray:
    sid = ds.session(session)
    ev = ds.events.filter(pc.and_(pc.equal(ds.events.column("session_id"), sid),
                                  pc.equal(ds.events.column("type"), "move")))
    return np.column_stack([ev.column("x").to_numpy(), ev.column("y").to_numpy()]) if ev.num_rows else np.zeros((0, 2))


def dtw_distance(a: np.ndarray, b: np.ndarray, max_points: int = 300) -> float | None:
    """Mean per-step distance (px) of the DTW alignment of two pointer paths (downsampled)."""
    if len(a) == 0 or len(b) == 0:
        return None
    a = a[np.linspace(0, len(a) - 1, min(len(a), max_points)).astype(int)]
    b = b[np.linspace(0, len(b) - 1, min(len(b), max_points)).astype(int)]
    cost = np.hypot(a[:, None, 0] - b[None, :, 0], a[:, None, 1] - b[None, :, 1]).tolist()
    n, m = len(a), len(b)
    inf = float("inf")
    acc = [[inf] * (m + 1) for _ in range(n + 1)]
    steps = [[0] * (m + 1) for _ in range(n + 1)]
    acc[0][0] = 0.0
    for i in range(1, n + 1):
        row, prev, c = acc[i], acc[i - 1], cost[i - 1]
        srow, sprev = steps[i], steps[i - 1]
        for j in range(1, m + 1):
            d, u, left = prev[j - 1], prev[j], row[j - 1]
            if d <= u and d <= left:
                row[j], srow[j] = c[j - 1] + d, sprev[j - 1] + 1
            elif u <= left:
                row[j], srow[j] = c[j - 1] + u, sprev[j] + 1
            else:
                row[j], srow[j] = c[j - 1] + left, srow[j - 1] + 1
    return float(acc[n][m] / steps[n][m])


def _final_state(ds, session: str | None) -> Any:
    """The app's own state at the end of the session (``final_state.json``, keyed by session id)."""
    path = ds.root / "final_state.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text()).get(ds.session(session))


def _diff(ref: Any, cand: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(ref, dict) and isinstance(cand, dict):
        out: dict[str, Any] = {}
        for k in ref:
            out |= _diff(ref[k], cand.get(k), f"{prefix}{k}.")
        return out
    return {} if ref == cand else {prefix.rstrip("."): {"reference": ref, "candidate": cand}}


def compare(reference: Path, candidate: Path, *, ref_session: str | None = None,
            cand_session: str | None = None) -> Comparison:
    rds, cds = read_dataset(reference), read_dataset(candidate)
    ref, cand = steps_of(rds, ref_session), steps_of(cds, cand_session)
    pairs = align(ref, cand)
    matched = [p for p in pairs if p.ref is not None and p.cand is not None]
    n_ref = max(len(ref), 1)
    # over what the reference typed or picked: a text the candidate never entered scores 0; keys are not text
    texts = [(p.text_f1 or 0.0) if p.cand is not None else 0.0 for p in pairs
             if p.ref is not None and p.ref.kind in TEXT_KINDS and not p.withheld]
    missing = [p.ref.label for p in pairs if p.cand is None]
    extra = [p.cand.label for p in pairs if p.ref is None]
    wrong_el = [f"{p.ref.label} -> {p.cand.label}" for p in matched if not p.same_element]
    wrong_tx = [f"{p.ref.label}: {p.ref.text!r} -> {p.cand.text!r}" for p in matched
                if p.text_f1 is not None and p.text_f1 < 1.0]
    first = next((p for p in pairs if not p.success), None)
    first_div = None
    if first is not None:
        first_div = (f"missing: {first.ref.label}" if first.cand is None else
                     f"extra: {first.cand.label}" if first.ref is None else
                     f"{first.ref.label}: {first.ref.text!r} vs {first.cand.text!r}"
                     if first.same_kind and first.same_element else
                     f"{first.ref.label} vs {first.cand.label}")
    rs, cs = _final_state(rds, ref_session), _final_state(cds, cand_session)
    diff = _diff(rs, cs) if rs is not None and cs is not None else {}
    lacking = [what for what, state in (("reference", rs), ("candidate", cs)) if state is None]
    note = None if not lacking else (
        f"task_success unknown: the {' and the '.join(lacking)} {'has' if len(lacking) == 1 else 'have'} no final app "
        f"state (final_state.json, written by live runs of the bundled apps; recordings and replays have none)")
    dur_r = (ref[-1].t_end - ref[0].t_start) if ref else 0.0
    dur_c = (cand[-1].t_end - cand[0].t_start) if cand else 0.0
    return Comparison(
        task_success=(not diff) if rs is not None and cs is not None else None,
        steps_reference=len(ref), steps_candidate=len(cand),
        action_type_accuracy=sum(p.same_kind for p in matched) / n_ref,
        element_accuracy=sum(p.same_element for p in matched) / n_ref,
        typed_text_f1=float(np.mean(texts)) if texts else None,
        step_success_rate=sum(p.success for p in matched) / n_ref,
        missing_steps=missing, extra_steps=extra, wrong_element=wrong_el, wrong_text=wrong_tx,
        trajectory_dtw_px=dtw_distance(_pointer(rds, ref_session), _pointer(cds, cand_session)),
        duration_ratio=(dur_c / dur_r) if dur_r > 0 else None, first_divergence=first_div, final_state_diff=diff,
        task_success_note=note,
    )
