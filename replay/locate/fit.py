"""Learn the matcher's weights from changes hcisim generates itself; writes ``weights.json``.

``python -m replay.locate.fit [--out replay/locate/weights.json] [--seed 11]``

Data split (none of it is used by ``benchmarks/locate.py``'s evaluation, which draws its pages
and builds from its own seed, 2024, and also judges on the demo app's real v1 -> v2 pages):

- **weights**: synthetic pages and builds from ``SeedSequence(seed).spawn(3)[0]``;
- **calibration**: other synthetic pages and builds from ``spawn(3)[1]``, never seen by step 1.

Builds follow :func:`replay.locate.changes.realistic`: a mix of refactors, content releases,
redesigns and framework migrations, as sites really change, not the all-changes-at-once
stress mix. Three steps:

1. pairwise logistic regression (L2 towards a judgement prior, L-BFGS, weights >= 0) on the
   agreement and disagreement parts of each feature, true pairs against each target's
   hardest and some random other candidates;
2. the not-found price for the assignment: a low quantile of the true pairs' log-odds;
3. on the calibration builds, the whole matcher runs and a second logistic maps (log-odds,
   margin, words' log-odds) of each answer to the probability that it is right; the threshold is the lowest
   score at which the answers above it are wrong at most ``WRONG_BUDGET`` of the time
   (removed elements included: any candidate returned for them is wrong).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from simulator.atomic import write_atomic
from replay.locate.changes import changed_pair, realistic
from replay.locate.descriptor import normalize
from replay.locate.match import WEIGHTS_FILE, Model, calibrated, calibration_inputs, match_page
from replay.locate.similarity import FEATURES, columns, features
from replay.locate.synthetic import synthetic_page

FIT_SEED = 11
WRONG_BUDGET = 0.005  # on calibration; the target is wrong <= 1 % on unseen changes
L2 = 3e-2


def _pages(ss: np.random.SeedSequence, n_pages: int, builds: int, k: int):
    """(targets, candidates, truth) of ``builds`` site-like builds of ``n_pages`` synthetic pages."""
    for i, child in enumerate(ss.spawn(n_pages)):
        rng = np.random.default_rng(child)
        page = synthetic_page(rng, f"/fit{i}", int(rng.integers(80, 500)))
        for b in range(builds):
            yield changed_pair(page, rng, k, realistic(rng), tag=f"{i}.{b}.")


def _pair_rows(t, c, truth, rng: np.random.Generator, hard: int = 25, easy: int = 15):
    T, C = columns([normalize(d) for d in t]), columns([normalize(d) for d in c])
    f = features(T, C)  # (F, n, m)
    cid = {d["id"]: j for j, d in enumerate(c)}
    X, y = [], []
    rough = f.sum(axis=0)
    f = np.concatenate([np.maximum(f, 0.0), np.minimum(f, 0.0)])  # agreement, disagreement
    for i, want in enumerate(truth):
        j_true = cid.get(want) if want else None
        if j_true is not None:
            X.append(f[:, i, j_true])
            y.append(1.0)
        order = np.argsort(-rough[i])
        negs = [j for j in order[:hard + 1] if j != j_true][:hard]
        others = [j for j in rng.permutation(len(c))[:easy + 1] if j != j_true][:easy]
        for j in negs + others:
            X.append(f[:, i, j])
            y.append(0.0)
    return X, y


# Where the weights are pulled towards (L2 towards this, not towards zero): what agreement and
# disagreement on each handle are worth on real pages, by judgement. Generated pages are regular and
# the fit alone learns their artefacts; the prior keeps words and machine ids in charge. Disagreeing
# words weigh heavily (another label is another element); regenerated ids, classes and paths little.
PRIOR = {"tag": (1.0, 1.5), "role": (1.0, 1.5), "is_button": (0.5, 1.0), "attr_id": (2.0, 0.3),
         "attr_testid": (4.0, 1.0), "attr_name": (1.5, 0.5), "attr_class": (0.5, 0.1), "attr_href": (0.5, 0.3),
         "attrs_other": (0.5, 0.2), "testid_unique": (8.0, 0.0), "id_unique": (2.0, 0.0), "text": (1.0, 1.0), "visible_text": (1.0, 1.0), "name": (1.0, 1.0),
         "label": (1.5, 1.0), "prose": (2.0, 2.5), "text_exact": (1.0, 1.0), "text_missing": (0.0, 2.0),
         "xpath": (0.5, 0.2), "tagpath": (0.5, 0.2), "idxpath": (0.5, 0.2), "css": (0.5, 0.2),
         "position": (1.5, 0.7), "spot": (1.5, 0.0), "size": (0.5, 0.5), "neighbors": (1.5, 0.5),
         "neighbors_exact": (1.5, 1.0)}


def _logistic(X: np.ndarray, y: np.ndarray, l2: float, nonneg: bool = False,
              prior: np.ndarray | None = None, balanced: bool = True) -> np.ndarray:
    """L2-regularised logistic regression; returns [bias, weights...]. The bias is not penalised.

    With ``nonneg`` the weights are kept >= 0: agreement on a handle is never evidence *against* a
    candidate (without it, correlated handles such as xpath and tag path cancel out with opposite signs
    that do not transfer from generated pages to real ones)."""
    Xb = np.column_stack([np.ones(len(X)), X])
    pos = max(y.sum(), 1.0)
    sw = np.where(y > 0, len(y) / (2 * pos), len(y) / (2 * max(len(y) - pos, 1.0))) if balanced else np.ones(len(y))

    def loss(w):
        z = Xb @ w
        lz = np.logaddexp(0, z) - y * z
        p = 1 / (1 + np.exp(-z))
        d = w[1:] - (prior if prior is not None else 0.0)
        reg = l2 * np.sum(d ** 2)
        g = Xb.T @ (sw * (p - y)) / len(y)
        g[1:] += 2 * l2 * d
        return float(np.sum(sw * lz) / len(y) + reg), g

    bounds = [(None, None)] + [(0.0, None) if nonneg else (None, None)] * X.shape[1]
    res = minimize(loss, np.zeros(Xb.shape[1]), jac=True, method="L-BFGS-B", bounds=bounds)
    return res.x


def fit(seed: int = FIT_SEED, n_pages: int = 60, builds: int = 3, k: int = 15) -> Model:
    root = np.random.SeedSequence(seed)
    s_pairs, s_calib, s_neg = root.spawn(3)
    rng = np.random.default_rng(s_neg)
    X, y = [], []
    for t, c, truth in _pages(s_pairs, n_pages, builds, k):
        a, b = _pair_rows(t, c, truth, rng)
        X += a
        y += b
    Xa, ya = np.array(X), np.array(y)
    prior = np.array([[PRIOR[k][side] for k in FEATURES] for side in (0, 1)])
    w = _logistic(Xa, ya, L2, nonneg=True, prior=prior.ravel())
    bias, weights = float(w[0]), w[1:].reshape(2, len(FEATURES))
    pos_logit = bias + Xa[ya > 0] @ weights.ravel()
    not_found = float(np.quantile(pos_logit, 0.01))
    model = Model(bias, weights, not_found, np.array([0.0, 1.0, 0.5, 0.0]), 0.0)
    # Calibration on other builds of other pages, through the whole matcher (page shift and assignment too).
    Z_rows, ok_all = [], []
    for t, c, truth in _pages(s_calib, n_pages, builds, k):
        pm = match_page(columns([normalize(d) for d in t]), columns([normalize(d) for d in c]), model, 0.0)
        Z_rows.append(calibration_inputs(pm.logit, pm.margin, pm.words))
        ok_all += [float(j >= 0 and c[j]["id"] == want) for j, want in zip(pm.best, truth)]
    Z = np.concatenate(Z_rows)
    ok = np.array(ok_all)
    a = _logistic(Z, ok, 1e-4, nonneg=True, balanced=False)  # probabilities: the classes as they come
    right_rate = ok.mean()
    model = Model(bias, weights, not_found, a, 0.5)
    p = calibrated(model, Z[:, 0], Z[:, 1], Z[:, 2])
    order = np.argsort(-p)
    wrong_cum = np.cumsum(1 - ok[order]) / len(ok)
    allowed = np.nonzero(wrong_cum <= WRONG_BUDGET)[0]
    thr = float(p[order][allowed[-1]]) if len(allowed) else 0.99
    thr = float(np.clip(thr, 0.05, 0.99))
    meta = {"seed": seed, "pages": n_pages, "builds": builds, "targets_per_build": k, "pairs": int(len(ya)),
            "calibration_answers": int(len(ok)), "calibration_right_rate": round(float(right_rate), 4),
            "calibration_builds": "changes.realistic", "wrong_budget": WRONG_BUDGET,
            "fitted_by": "python -m replay.locate.fit"}
    return Model(bias, weights, not_found, a, thr, meta)


def write(model: Model, out: Path) -> None:
    write_atomic(out, json.dumps(model.to_json(), indent=1) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m replay.locate.fit", description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=WEIGHTS_FILE)
    ap.add_argument("--seed", type=int, default=FIT_SEED)
    ap.add_argument("--pages", type=int, default=60)
    args = ap.parse_args(argv)
    model = fit(args.seed, args.pages)
    write(model, args.out)
    print(json.dumps(model.to_json(), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
