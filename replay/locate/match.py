"""Match the targets of a page to its candidates: learned evidence, one-to-one, calibrated.

1. Evidence: every (target, candidate) pair gets a log-odds
   ``L = b + w+ . max(z, 0) + w- . min(z, 0)`` from the features ``z`` of
   :mod:`replay.locate.similarity`. Agreement and disagreement have their own (non-negative)
   weights, because they are not equally telling: a regenerated id is common and says
   little, different words on a button say it is another button. The weights were fitted by
   logistic regression on mutations hcisim generates itself (:mod:`replay.locate.fit`).
2. Structure: the confident matches of a first pass tell how the page moved as a whole
   (a banner added on top shifts everything); position is then also judged after that shift.
3. Assignment: two targets rarely are one element, so the page is solved as an assignment
   problem (``scipy.optimize.linear_sum_assignment``) where each target may also take
   "not found" at a fixed price; a candidate taken by a stronger target is no longer an
   alternative for a weaker one.
4. Calibration: the chosen pair's log-odds, its margin over the best free alternative and the
   evidence of its words alone go through a second logistic fitted on other generated changes,
   giving the probability that the chosen candidate is the right one. The words enter on their
   own because they separate the two ways a weak log-odds arises: the same words on an element
   that moved across a redesigned layout (right), or the nearest other element left where a
   removed one was (wrong). Below the threshold the answer is "not found":
   an honest gap instead of a silently wrong element.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from replay.locate.descriptor import canonical, normalize
from replay.locate.similarity import FEATURES, SPOT_SCALE_PX, Columns, columns, features, position_sim

WEIGHTS_FILE = Path(__file__).with_name("weights.json")
MARGIN_CAP = 8.0
BLOCK = 64  # targets per feature block: bounds memory at len(FEATURES) x 64 x n_candidates
WORD_FEATURES = ("text", "visible_text", "name", "label", "prose", "text_exact", "text_missing")
_STRATEGY = {"attr_testid": "testid", "attr_id": "id", "attr_name": "name_attr", "prose": "text"}


@dataclass(frozen=True)
class Model:
    """Fitted parameters: feature weights, the assignment's not-found price, the calibration, the threshold."""

    bias: float
    weights: np.ndarray  # (2, len(FEATURES)): weight of agreement (row 0) and of disagreement (row 1), >= 0
    not_found_logit: float
    calibration: np.ndarray  # a0, a_logit, a_margin, a_words
    threshold: float
    meta: dict[str, Any] = field(default_factory=dict, compare=False)

    def evidence(self, f: np.ndarray) -> np.ndarray:
        """Log-odds contribution of each feature, same shape as ``f`` (features first)."""
        shape = (len(FEATURES),) + (1,) * (f.ndim - 1)
        return self.weights[0].reshape(shape) * np.maximum(f, 0.0) + self.weights[1].reshape(shape) * np.minimum(f, 0.0)

    def log_odds(self, f: np.ndarray) -> np.ndarray:
        return self.bias + np.tensordot(self.weights[0], np.maximum(f, 0.0), axes=1) \
            + np.tensordot(self.weights[1], np.minimum(f, 0.0), axes=1)

    def to_json(self) -> dict[str, Any]:
        return {"features": list(FEATURES), "bias": round(float(self.bias), 6),
                "weights": {k: [round(float(a), 6), round(float(d), 6)]
                            for k, a, d in zip(FEATURES, self.weights[0], self.weights[1])},
                "not_found_logit": round(float(self.not_found_logit), 6),
                "calibration": [round(float(a), 6) for a in self.calibration],
                "threshold": round(float(self.threshold), 6), "meta": self.meta}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Model":
        w = np.array([d["weights"].get(k, [0.0, 0.0]) for k in FEATURES], float).reshape(len(FEATURES), 2)
        return cls(bias=float(d["bias"]), weights=w.T.copy(), not_found_logit=float(d["not_found_logit"]),
                   calibration=np.array(d["calibration"], float), threshold=float(d["threshold"]),
                   meta=d.get("meta", {}))


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> Model:
    return Model.from_json(json.loads(Path(path or WEIGHTS_FILE).read_text()))


@dataclass
class PageMatch:
    """Per target of one page: chosen candidate index (or None), calibrated score, and why."""

    index: list[int | None]
    score: np.ndarray
    best: np.ndarray  # best candidate per target even when rejected (-1: no candidates)
    logit: np.ndarray
    margin: np.ndarray
    words: np.ndarray
    strategy: list[str]


def logits(model: Model, t: Columns, c: Columns, shift: np.ndarray | None = None,
           keep: list[np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Pairwise log-odds and the part of it that comes from the words, computed in blocks of targets;
    ``keep`` collects the feature blocks if given."""
    out = np.empty((t.n, c.n))
    words = np.empty((t.n, c.n))
    wi = [FEATURES.index(k) for k in WORD_FEATURES]
    pos, spot = FEATURES.index("position"), FEATURES.index("spot")
    for s in range(0, t.n, BLOCK):
        sub = _rows(t, slice(s, s + BLOCK))
        f = features(sub, c)
        if shift is not None:
            moved = np.nan_to_num(2.0 * position_sim(sub.box, c.box, shift) - 1.0, nan=0.0)
            f[pos] = np.maximum(f[pos], moved)
            moved = np.nan_to_num(2.0 * position_sim(sub.box, c.box, shift, SPOT_SCALE_PX) - 1.0, nan=0.0)
            f[spot] = np.maximum(f[spot], moved)
        out[s:s + sub.n] = model.log_odds(f)
        words[s:s + sub.n] = _word_evidence(model, f, wi)
        if keep is not None:
            keep.append(f)
    return out, words


def _word_evidence(model: Model, f: np.ndarray, wi: list[int]) -> np.ndarray:
    fw = f[wi]
    return np.tensordot(model.weights[0][wi], np.maximum(fw, 0.0), axes=1) \
        + np.tensordot(model.weights[1][wi], np.minimum(fw, 0.0), axes=1)


def _rows(t: Columns, sl: slice) -> Columns:
    return Columns(n=len(t.tag[sl]), tag=t.tag[sl], role=t.role[sl], is_button=t.is_button[sl],
                   strings={k: v[sl] for k, v in t.strings.items()}, paths={k: v[sl] for k, v in t.paths.items()},
                   box=t.box[sl], neighbors={k: v[sl] for k, v in t.neighbors.items()})


def assign(L: np.ndarray, not_found: float) -> np.ndarray:
    """Maximise the summed log-odds one-to-one; a target may take "not found" at log-odds ``not_found``.

    Returns the chosen candidate per target, -1 for not found.
    """
    from scipy.optimize import linear_sum_assignment  # here: importing it took a quarter of `hcisim export`'s 0.7 s

    n, m = L.shape
    big = 1e6
    cost = np.full((n, m + n), big)
    cost[:, :m] = -np.clip(L, -big / 10, big / 10)
    cost[np.arange(n), m + np.arange(n)] = -not_found
    rows, cols = linear_sum_assignment(cost)
    out = np.full(n, -1, dtype=np.int64)
    ok = cols < m
    out[rows[ok]] = cols[ok]
    return out


def free_margin(L: np.ndarray, chosen: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Best candidate per target among those not taken by another target, and its margin over the runner-up."""
    n, m = L.shape
    taken = np.zeros((n, m), dtype=bool)
    hit = chosen >= 0
    taken[:, chosen[hit]] = True
    taken[np.nonzero(hit)[0], chosen[hit]] = False  # a target's own choice stays available to it
    avail = np.where(taken, -np.inf, L)
    best = np.where(hit, chosen, np.argmax(avail, axis=1)) if m else np.full(n, -1)
    top = avail[np.arange(n), best] if m else np.full(n, -np.inf)
    rest = avail.copy()
    if m:
        rest[np.arange(n), best] = -np.inf
    second = rest.max(axis=1) if m > 1 else np.full(n, -np.inf)
    with np.errstate(invalid="ignore"):  # -inf - -inf (nothing left to choose): NaN, capped below as before
        margin = np.minimum(top - second, MARGIN_CAP)
    return best, np.where(np.isfinite(margin), margin, MARGIN_CAP)


LOGIT_RANGE = (-12.0, 6.0)  # beyond these the answer's rightness no longer changes (calibration inputs saturate)
CAL_MARGIN_CAP = 6.0
WORDS_RANGE = (-12.0, 6.0)


def calibration_inputs(logit: np.ndarray, margin: np.ndarray, words: np.ndarray) -> np.ndarray:
    return np.column_stack([np.clip(logit, *LOGIT_RANGE), np.minimum(margin, CAL_MARGIN_CAP),
                            np.clip(words, *WORDS_RANGE)])


def calibrated(model: Model, logit: np.ndarray, margin: np.ndarray, words: np.ndarray) -> np.ndarray:
    z = model.calibration[0] + calibration_inputs(logit, margin, words) @ model.calibration[1:]
    return 1.0 / (1.0 + np.exp(-z))


def page_shift(t: Columns, c: Columns, chosen: np.ndarray, L: np.ndarray, min_logit: float) -> np.ndarray | None:
    """The page-wide displacement (median) of confident first-pass matches, if at least three agree."""
    ok = (chosen >= 0)
    ok[ok] &= L[np.nonzero(ok)[0], chosen[ok]] > min_logit
    idx = np.nonzero(ok)[0]
    if len(idx) < 3:
        return None
    tb, cb = t.box[idx], c.box[chosen[idx]]
    d = (cb[:, :2] + cb[:, 2:] / 2) - (tb[:, :2] + tb[:, 2:] / 2)
    d = d[np.all(np.isfinite(d), axis=1)]
    if len(d) < 3:
        return None
    shift = np.median(d, axis=0)
    return shift if np.hypot(*shift) > 2.0 else None


def match_page(t: Columns, c: Columns, model: Model, threshold: float | None = None) -> PageMatch:
    thr = model.threshold if threshold is None else threshold
    if c.n == 0 or t.n == 0:
        z = np.zeros(t.n)
        return PageMatch([None] * t.n, z, np.full(t.n, -1), z, z, z, ["none"] * t.n)
    small = t.n <= 4 * BLOCK  # keep the features to explain each answer; big batches only need scores
    kept: list[np.ndarray] = []
    L, W = logits(model, t, c, keep=kept if small else None)
    chosen = assign(L, model.not_found_logit)
    shift = page_shift(t, c, chosen, L, model.not_found_logit + 4.0)
    if shift is not None:
        kept = []
        L, W = logits(model, t, c, shift, keep=kept if small else None)
        chosen = assign(L, model.not_found_logit)
    best, margin = free_margin(L, chosen)
    lg, wd = L[np.arange(t.n), best], W[np.arange(t.n), best]
    p = calibrated(model, lg, margin, wd)
    index: list[int | None] = [int(j) if (j >= 0 and p[i] >= thr) else None for i, j in enumerate(chosen)]
    score = np.where([x is not None for x in index], p, np.minimum(p, np.nextafter(thr, 0)))
    strategy = [_strategy(model, kept, i, best[i]) if kept else "score" for i in range(t.n)]
    return PageMatch(index, score, best, lg, margin, wd, strategy)


def _strategy(model: Model, blocks: list[np.ndarray], i: int, j: int) -> str:
    """The strongest evidence for the pair: how QA sees *why* an element was found."""
    return strategy_of(model, blocks[i // BLOCK][:, i % BLOCK, j])


def strategy_of(model: Model, f: np.ndarray) -> str:
    """Named as QA would: testid, id, else the strongest kind of evidence; agreeing words are named by the most
    specific handle that agrees (label, then role + accessible name, then text)."""
    ix = {k: i for i, k in enumerate(FEATURES)}
    if f[ix["attr_testid"]] >= 0.999:
        return "testid"
    if f[ix["attr_id"]] >= 0.999:
        return "id"
    contrib = model.evidence(f)
    groups = {"words": sum(contrib[ix[k]] for k in WORD_FEATURES)}
    groups.update({k: contrib[ix[k]] for k in FEATURES if k not in WORD_FEATURES})
    top = max(groups, key=groups.get)
    if groups[top] <= 0:
        return "none"
    if top != "words":
        return _STRATEGY.get(top, top)
    if f[ix["label"]] > 0:
        return "label"
    if f[ix["name"]] > 0:
        return "role_name" if f[ix["role"]] > 0 else "name"
    return "text"


# -- the public API -------------------------------------------------------------------------------

@dataclass
class Located:
    """One target's answer: the candidate's id (None when the element is gone) and the calibrated score."""

    target_id: str
    candidate_id: str | None
    score: float
    strategy: str = ""


def locate(targets: Sequence[dict[str, Any]], candidates: Sequence[dict[str, Any]], threshold: float | None = None,
           model: Model | None = None) -> list[Located]:
    """Match target descriptors to candidate descriptors page by page; one answer per target, in order."""
    model = model or load_model()
    T = [normalize(d) for d in targets]
    C = [normalize(d) for d in candidates]
    by_page: dict[str, list[int]] = {}
    for j, d in enumerate(C):
        by_page.setdefault(d["page"], []).append(j)
    t_pages: dict[str, list[int]] = {}
    for i, d in enumerate(T):
        t_pages.setdefault(d["page"], []).append(i)
    out: list[Located | None] = [None] * len(T)
    for page, ti in t_pages.items():
        cj = by_page.get(page, [])
        pm = match_page(columns([T[i] for i in ti]), columns([C[j] for j in cj]), model, threshold)
        for k, i in enumerate(ti):
            j = pm.index[k]
            out[i] = Located(T[i]["id"], C[cj[j]]["id"] if j is not None else None, float(pm.score[k]),
                             pm.strategy[k])
    return [o for o in out if o is not None]


@dataclass
class Match:
    """The replay API's answer for one recorded element on a live page."""

    candidate: dict[str, Any] | None
    score: float
    strategy: str
    scores: dict[str, float]

    @property
    def found(self) -> bool:
        return self.candidate is not None


def best_match(recorded: dict[str, Any], candidates: list[dict[str, Any]], threshold: float | None = None,
               model: Model | None = None) -> Match:
    """The live-page counterpart of one recorded descriptor (either descriptor form), or no candidate.

    As in :func:`locate`, elements are only matched within the same page: when both the recorded descriptor
    and the live page's elements name their page (the URL path), a different page has no counterpart --
    a field typed into on the login page is not some other field of the page the session ended on.
    """
    model = model or load_model()
    rec = canonical(recorded)
    cands = [canonical(x) for x in candidates]
    if rec["page"]:
        keep = [i for i, d in enumerate(cands) if not d["page"] or d["page"] == rec["page"]]
        candidates, cands = [candidates[i] for i in keep], [cands[i] for i in keep]
    t = columns([rec])
    c = columns(cands)
    pm = match_page(t, c, model, threshold)
    j = pm.index[0]
    scores: dict[str, float] = {}
    if pm.best[0] >= 0:
        f = features(t, columns([cands[int(pm.best[0])]]))[:, 0, 0]
        scores = {k: round(float(e), 3) for k, e, v in zip(FEATURES, model.evidence(f), f) if v}
    return Match(candidates[j] if j is not None else None, float(pm.score[0]), pm.strategy[0], scores)
