"""A fitted realism critic: the density ratio of recorded to generated items, for resampling.

Why: the motor and typing models are parametric laws fitted to recorded people; whatever
they get slightly wrong (a too-even rhythm, too-wiggly short paths) shows up in the
features a detector reads. A classifier trained to tell the fitting data from the model's
own output estimates, through its logit, the log density ratio log p_recorded(f) / p_model(f)
of an item's features f. Drawing K candidates per item and keeping one with probability
proportional to that ratio (sampling-importance-resampling) moves the generated distribution
towards the recorded one -- the idea of discriminator rejection sampling (Azadi et al.,
ICLR 2019) and Metropolis-Hastings GANs (Turner et al., ICML 2019) -- without ever copying
a recorded item: candidates are new draws of the model, the critic only chooses among them.

The critic is deliberately of modest capacity: logistic regression on standardised features and
their pairwise products (in effect a ratio of two Gaussians in a transformed feature space),
regularised by cross-validation, plus boosted depth-3 trees fitted on what that quadratic form
leaves (thresholds, one-sided tails), as many as lower the log-loss on held-out items and each leaf
averaging at least 40 items. It corrects the shape of feature distributions and cannot memorise a
recorded item. It is fitted in stages (`fit_critic_in_stages`): what the items it chooses still get
wrong is fitted again, and the stages' scores add up. Scoring is pure numpy; fitting uses scikit-learn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from simulator.errors import HcisimError

CANDIDATES = 16
"""Candidates per item at synthesis unless a model asks for its own (the mouse fit: 32,
`simulator.mouse.fit.CANDIDATES`). For the population critic alone 8 did as well as 16 on the
validation splits; a person's tilt (below) needs the room: re-identifying augmented SapiMouse
people rose from 77 % to 82 % with 16 (real held-out sessions: 89 %)."""
MIN_CRITIC_ITEMS = 30
"""Recorded (and generated) items a critic needs at least; with fewer a profile has none."""
C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
"""Inverse L2 strengths tried by cross-validation (small data -> strong regularisation)."""


def _transform(F: np.ndarray, fill: np.ndarray, log_cols: np.ndarray) -> np.ndarray:
    """Missing features (NaN: e.g. no Shift in a text) take the fitted median; skewed
    non-negative ones are read as log(1 + f)."""
    X = np.array(F, float)
    bad = ~np.isfinite(X)
    X[bad] = np.broadcast_to(fill, X.shape)[bad]
    X[:, log_cols] = np.log1p(np.maximum(X[:, log_cols], 0.0))
    return X


def _expand(Z: np.ndarray) -> np.ndarray:
    """Features and their pairwise products (upper triangle incl. squares)."""
    i, j = np.triu_indices(Z.shape[1])
    return np.hstack([Z, Z[:, i] * Z[:, j]])


TREE_DEPTH = 3
MAX_TREES = 1000
TREE_RATE = 0.1
TREE_PATIENCE = 30
"""Boosting stops when this many trees in a row did not improve the log-loss on a fifth held out; the
trees after the best count are dropped."""
TREE_BATCH = 10


@dataclass
class Trees:
    """Boosted regression trees of one fixed depth on the critic's standardised features, stored as
    complete binary trees (an early leaf is padded with splits whose children carry its value), so all
    trees are evaluated together, level by level. ``value`` holds the learning rate already."""

    feature: np.ndarray    # (T, 2**depth - 1) feature index per split node, breadth first
    threshold: np.ndarray  # (T, 2**depth - 1) go left when z <= threshold
    value: np.ndarray      # (T, 2**depth) leaf values

    def __call__(self, Z: np.ndarray, chunk: int = 2048) -> np.ndarray:
        """The trees' summed leaf values for each row of standardised features ``Z``.

        Why this shape: 16 draws x 10,000 movements x ~2,000 trees is 3e8 tree visits per synth-moves
        call. Every split node is compared once, grouped by feature (one broadcast compare per feature,
        no gather of features), the comparisons of a tree's nodes are packed into one byte, and a table
        indexed by (tree, byte) holds the leaf value that path leads to: ~5x the node-by-node walk."""
        order, thr, bounds, back, table = self._layout
        T, S = self.feature.shape
        base = (np.arange(T) * table.shape[1])[:, None]
        out = np.empty(len(Z))
        for a in range(0, len(Z), chunk):
            zT = np.ascontiguousarray(Z[a:a + chunk].T)
            right = np.empty((len(order), zT.shape[1]), bool)
            for f in range(min(len(bounds) - 1, len(zT))):
                lo, hi = bounds[f], bounds[f + 1]
                if hi > lo:
                    np.greater(zT[f], thr[lo:hi], out=right[lo:hi])
            right = right[back].reshape(S, T, -1).view(np.uint8)  # right[s, t]: tree t goes right at node s
            code = right[0].copy()
            for s in range(1, S):
                code |= right[s] << s
            out[a:a + chunk] = np.take(table, base + code).sum(axis=0)
        return out

    @cached_property
    def _layout(self):
        """Split nodes sorted by feature (node-major order: every tree's node 0, then node 1, ...), each
        feature's slice of them, the permutation back, and per tree the leaf value of each node byte."""
        T, S = self.feature.shape
        if S > 8:
            raise ValueError("trees deeper than 3 do not fit a byte of split nodes")
        fl = self.feature.T.ravel()
        order = np.argsort(fl, kind="stable")
        back = np.empty_like(order)
        back[order] = np.arange(len(order))
        bounds = np.searchsorted(fl[order], np.arange(int(fl.max(initial=0)) + 2))
        codes = np.arange(2 ** S)
        node = np.zeros(len(codes), np.intp)
        for _ in range(int(np.log2(self.value.shape[1]))):
            node = 2 * node + 1 + ((codes >> node) & 1)
        table = self.value[:, node - S]
        return order, self.threshold.T.ravel()[order][:, None], bounds, back, table

    @staticmethod
    def from_sklearn(estimators, rate: float, depth: int = TREE_DEPTH) -> "Trees":
        """Complete-tree arrays from fitted scikit-learn regression trees (their public ``tree_``)."""
        n_split, n_leaf = 2 ** depth - 1, 2 ** depth
        F = np.zeros((len(estimators), n_split), np.int64)
        T = np.full((len(estimators), n_split), np.inf)
        V = np.zeros((len(estimators), n_leaf))
        for i, est in enumerate(estimators):
            tr = est.tree_

            def walk(node: int, pos: int, level: int) -> None:
                if level == depth:
                    V[i, pos - n_split] = rate * tr.value[node].ravel()[0]
                    return
                if tr.children_left[node] == -1:  # an early leaf: both children carry its value
                    F[i, pos], T[i, pos] = 0, np.inf
                    walk(node, 2 * pos + 1, level + 1)
                    walk(node, 2 * pos + 2, level + 1)
                    return
                F[i, pos], T[i, pos] = tr.feature[node], tr.threshold[node]
                walk(tr.children_left[node], 2 * pos + 1, level + 1)
                walk(tr.children_right[node], 2 * pos + 2, level + 1)

            walk(0, 0, 0)
        return Trees(F, T, V)

    def to_json(self) -> dict:
        return {"feature": self.feature.tolist(), "threshold": [[float(f"{x:.6g}") for x in r] for r in self.threshold],
                "value": [[float(f"{x:.6g}") for x in r] for r in self.value]}

    @staticmethod
    def from_json(d: dict) -> "Trees":
        return Trees(np.asarray(d["feature"], np.int64).reshape(len(d["feature"]), -1),
                     np.asarray(d["threshold"], float).reshape(len(d["threshold"]), -1),
                     np.asarray(d["value"], float).reshape(len(d["value"]), -1))


@dataclass
class Critic:
    """Log density ratio of recorded over generated items, as a function of their features.

    ``log_cols``: features read as log(1 + f) (non-negative, skewed ones); ``mu``/``sd``
    standardise the transformed features, ``mu2``/``sd2`` their quadratic expansion; ``w``, ``b``
    the logistic weights. ``candidates``: how many draws synthesis resamples from. ``tilt``: per
    fitted person, a linear term on the standardised features that moves that person's output
    towards their own recorded items (see `fit_tilts`); new people have none. ``correction``: a
    further critic fitted on recorded items against what this one chooses (see `fit_critic_in_stages`);
    its score adds to this one's.
    """

    log_cols: np.ndarray
    fill: np.ndarray
    mu: np.ndarray
    sd: np.ndarray
    mu2: np.ndarray
    sd2: np.ndarray
    w: np.ndarray
    b: float
    candidates: int = CANDIDATES
    C: float = 0.0
    tilt: dict[str, np.ndarray] = field(default_factory=dict)
    trees: Trees | None = None
    correction: Critic | None = None

    def standardise(self, F: np.ndarray) -> np.ndarray:
        return np.clip((_transform(F, self.fill, self.log_cols) - self.mu) / self.sd, -8.0, 8.0)

    def score(self, F: np.ndarray, tilt: np.ndarray | None = None) -> np.ndarray:
        """log p_recorded / p_model (up to a constant) of each row of features ``F``, plus, with
        ``tilt`` (one row per row of F: the person's tilt, zeros for none), the person's own term."""
        Z = self.standardise(F)
        s = self._quadratic_score(Z)
        if self.trees is not None:
            s = s + self.trees(Z)
        if tilt is not None:
            s = s + np.einsum("ij,ij->i", Z, tilt)
        if self.correction is not None:
            s = s + self.correction.score(F)
        return s

    def _quadratic_score(self, Z: np.ndarray) -> np.ndarray:
        lin, A, const = self._quadratic
        return Z @ lin + np.einsum("ij,ij->i", Z @ A, Z) + const

    @cached_property
    def _quadratic(self) -> tuple[np.ndarray, np.ndarray, float]:
        """The weights of the expanded features folded into z'lin + z'Az + const: the same score
        without building the (n, d + d(d+1)/2) expansion (16 candidates x 10,000 movements). Cached:
        offline sessions score one movement's 16 draws at a time, thousands of times (the weights are
        never changed after fitting)."""
        d = len(self.mu)
        w = self.w / self.sd2
        i, j = np.triu_indices(d)
        A = np.zeros((d, d))
        A[i, j] += w[d:] / 2
        A[j, i] += w[d:] / 2
        return w[:d], A, float(self.b - np.dot(w, self.mu2))

    def to_json(self) -> dict:
        r = lambda a: np.round(np.asarray(a, float), 6).tolist()  # noqa: E731
        return {"log_cols": np.flatnonzero(self.log_cols).tolist(), "n": int(len(self.mu)), "fill": r(self.fill),
                "mu": r(self.mu), "sd": r(self.sd), "mu2": r(self.mu2), "sd2": r(self.sd2), "w": r(self.w),
                "b": round(float(self.b), 6), "candidates": int(self.candidates), "C": float(self.C),
                **({"tilt": {u: r(t) for u, t in sorted(self.tilt.items())}} if self.tilt else {}),
                **({"trees": self.trees.to_json()} if self.trees is not None else {}),
                **({"correction": self.correction.to_json()} if self.correction is not None else {})}

    @classmethod
    def from_json(cls, d: dict) -> Critic:
        log_cols = np.zeros(int(d["n"]), bool)
        log_cols[np.asarray(d["log_cols"], int)] = True
        a = lambda k: np.asarray(d[k], float)  # noqa: E731
        return cls(log_cols, a("fill"), a("mu"), a("sd"), a("mu2"), a("sd2"), a("w"), float(d["b"]),
                   int(d.get("candidates", CANDIDATES)), float(d.get("C", 0.0)),
                   {str(u): np.asarray(t, float) for u, t in d.get("tilt", {}).items()},
                   Trees.from_json(d["trees"]) if d.get("trees") else None,
                   cls.from_json(d["correction"]) if d.get("correction") else None)


def fit_critic(F_recorded: np.ndarray, F_model: np.ndarray, seed: int = 0,
               candidates: int = CANDIDATES) -> Critic | None:
    """Fit the critic on features of recorded items and of the model's items for the same tasks.

    The classes are weighted equally whatever their sizes, so the logit estimates the density
    ratio; the L2 strength is chosen by 3-fold cross-validated log-loss. Fewer than
    MIN_CRITIC_ITEMS recorded items tell too little: None (the model alone).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    if len(F_recorded) < MIN_CRITIC_ITEMS or len(F_model) < MIN_CRITIC_ITEMS:
        return None

    F = np.vstack([F_recorded, F_model]).astype(float)
    y = np.r_[np.ones(len(F_recorded)), np.zeros(len(F_model))]
    fin = np.isfinite(F)
    fill = np.array([np.median(F[fin[:, k], k]) if fin[:, k].any() else 0.0 for k in range(F.shape[1])])
    lo = np.where(fin, F, np.inf).min(0)
    hi = np.where(fin, F, -np.inf).max(0)
    log_cols = (lo >= 0) & (hi > 0) & np.isfinite(lo)
    X = _transform(F, fill, log_cols)
    mu = X.mean(0)
    sd = X.std(0)
    sd[sd < 1e-9] = 1.0
    Q = _expand(np.clip((X - mu) / sd, -8.0, 8.0))
    mu2 = Q.mean(0)
    sd2 = Q.std(0)
    sd2[sd2 < 1e-9] = 1.0
    Q = (Q - mu2) / sd2
    weight = np.where(y == 1, len(y) / (2 * y.sum()), len(y) / (2 * (len(y) - y.sum())))
    loss = np.zeros(len(C_GRID))
    for tr, te in StratifiedKFold(3, shuffle=True, random_state=seed).split(Q, y):
        m = LogisticRegression(max_iter=2000, warm_start=True)  # each C starts from the weaker one's optimum
        for k, C in enumerate(C_GRID):
            m.set_params(C=C).fit(Q[tr], y[tr], sample_weight=weight[tr])
            p = np.clip(m.predict_proba(Q[te])[:, 1], 1e-9, 1 - 1e-9)
            loss[k] -= np.sum(weight[te] * (y[te] * np.log(p) + (1 - y[te]) * np.log(1 - p)))
    best = (float(loss.min()), C_GRID[int(np.argmin(loss))])
    m = LogisticRegression(C=best[1], max_iter=4000).fit(Q, y, sample_weight=weight)
    critic = Critic(log_cols, fill, mu, sd, mu2, sd2, m.coef_[0].copy(), float(m.intercept_[0]), candidates, best[1])
    critic.trees = _fit_trees(critic, F, y, weight, seed)
    return critic


STAGES = 3
"""Critics in a chain (`fit_critic_in_stages`): the first, then corrections. Mouse validation split
(seeds 0 / 1): SapiMouse 0.718 / 0.730 with one stage, 0.710 / 0.710 with two, 0.705 / 0.701 with three;
Balabit 0.680 / 0.663 -> 0.637 / 0.640 with three."""


def fit_critic_in_stages(F_recorded: np.ndarray, generate: Callable[[Critic | None], np.ndarray], seed: int = 0,
                         stages: int = STAGES, candidates: int = CANDIDATES,
                         tick: Callable[[], None] | None = None) -> Critic | None:
    """A critic, then ``stages - 1`` corrections, each fitted on the recorded items against what the
    chain so far chooses: ``generate(critic)`` makes the model's items for the recorded items' tasks
    through ``critic`` (None: the model alone) and returns their features.

    Why: choosing one of K draws by the critic's ratio does not produce exactly the ratio's target
    (K is finite, the ratio is an estimate: over-confident in some places, blind in others); what the
    chosen items still get wrong is measured on them and added as another log ratio, as boosting adds
    to what is left. Each stage is a critic of the same modest capacity, so none can memorise an item.
    ``tick()`` is called after each of the ``stages`` (a minute of work on a large fit shows progress).
    """
    tick = tick or (lambda: None)
    critic = fit_critic(F_recorded, generate(None), seed, candidates)
    tick()
    last = critic
    for stage in range(1, stages):
        if last is not None:
            last.correction = fit_critic(F_recorded, generate(critic), seed + stage, candidates)
            last = last.correction
        tick()
    return critic


class _Fixed:
    """The quadratic critic as scikit-learn's boosting sees a starting model: its log ratio is where the
    trees start from (``init``), so they fit only what the quadratic form leaves."""

    classes_ = np.array([0.0, 1.0])

    def __init__(self, critic: Critic):
        self.critic = critic

    def fit(self, X, y, sample_weight=None):
        return self

    def predict_proba(self, Z: np.ndarray) -> np.ndarray:
        p = 1.0 / (1.0 + np.exp(-self.critic._quadratic_score(Z)))
        return np.c_[1.0 - p, p]


def _fit_trees(critic: Critic, F: np.ndarray, y: np.ndarray, weight: np.ndarray, seed: int) -> Trees | None:
    """Boosted trees on top of the quadratic ratio, as many as lower the log-loss on a fifth held out.

    Why: a quadratic log ratio is a ratio of two Gaussians; where recorded and generated features
    differ by a threshold or in one tail (a typist who never pauses, a capture clock), it cannot
    follow. On the Aalto development split the texts chosen with the trees were harder to tell from
    recorded ones (AUC 0.757 -> 0.736, three seeds). None when no tree helps.
    """
    from sklearn.ensemble import GradientBoostingClassifier

    Z = critic.standardise(F)
    val = np.random.default_rng(seed).random(len(Z)) < 0.2
    gb = GradientBoostingClassifier(learning_rate=TREE_RATE, n_estimators=0, max_depth=TREE_DEPTH,
                                    min_samples_leaf=40, init=_Fixed(critic), random_state=seed, warm_start=True)

    best, best_n = np.inf, 0
    while gb.n_estimators < MAX_TREES and gb.n_estimators - best_n < TREE_PATIENCE:
        gb.set_params(n_estimators=gb.n_estimators + TREE_BATCH)
        gb.fit(Z[~val], y[~val], sample_weight=weight[~val])
        loss = _log_loss(gb.decision_function(Z[val]), y[val], weight[val])
        if loss < best * (1 - 1e-6):
            best, best_n = loss, gb.n_estimators
    if best_n == 0 or best >= _log_loss(critic._quadratic_score(Z[val]), y[val], weight[val]):
        return None
    return Trees.from_sklearn(gb.estimators_[:best_n, 0], TREE_RATE, TREE_DEPTH)


def _log_loss(score: np.ndarray, y: np.ndarray, weight: np.ndarray) -> float:
    """Weighted log-loss of log-odds scores for labels y (1 = recorded)."""
    return float(np.sum(weight * np.logaddexp(0.0, np.where(y == 1, -score, score))))


TILT_PRIOR = 5
"""A person's tilt is shrunk by n / (n + TILT_PRIOR): a handful of items say little about them."""
TILT_RIDGE = 0.1
TILT_ROUNDS = 8
"""Resampling K draws moves the output only part of the way a tilt asks: what is left is measured and
added again this many times (a model may ask for more: see the mouse's)."""


def fit_tilts(critic: Critic, F_rec: np.ndarray, rec_people: np.ndarray, F_gen: np.ndarray,
              gen_people: np.ndarray) -> dict[str, np.ndarray]:
    """Per person, the linear tilt that moves what the model makes as them (after the population
    critic) towards what they were recorded doing.

    Two Gaussians with one covariance S differ in log density by a linear function, (m_rec -
    m_gen)' S^-1 z: S is the recorded items' pooled within-person covariance of the standardised
    features (plus a ridge), m_rec - m_gen each person's difference of means, shrunk by how many
    items they have. Why: the population critic pulls everyone towards the population; a person
    generated "as themselves" should also keep what sets them apart (a user-identification model
    trained on the recorded people is the test).
    """
    Zr, Zg = critic.standardise(F_rec), critic.standardise(F_gen)
    rec_people, gen_people = np.asarray(rec_people).astype(str), np.asarray(gen_people).astype(str)
    people = [u for u in np.unique(rec_people) if np.any(gen_people == u)]
    if not people:
        return {}
    means = {u: Zr[rec_people == u].mean(0) for u in people}
    R = np.vstack([Zr[rec_people == u] - means[u] for u in people])
    S = R.T @ R / max(len(R) - len(people), 1) + TILT_RIDGE * np.eye(Zr.shape[1])
    out = {}
    for u in people:
        n = int(np.sum(rec_people == u))
        d = (means[u] - Zg[gen_people == u].mean(0)) * n / (n + TILT_PRIOR)
        out[u] = np.linalg.solve(S, d)
    return out


def fit_tilts_in_rounds(critic: Critic, F_rec: np.ndarray, rec_people: np.ndarray,
                        generate: Callable[[], tuple[np.ndarray, np.ndarray]], rounds: int = TILT_ROUNDS,
                        tick: Callable[[], None] | None = None) -> None:
    """Set ``critic.tilt`` by ``rounds`` rounds of `fit_tilts`, each adding what the previous ones left.

    ``generate()`` makes the recorded items' tasks again as their people, through the critic as it
    stands (the caller's profile holds this critic), and returns (features, people). ``tick()`` is
    called after each round."""
    tick = tick or (lambda: None)
    critic.tilt = {}
    for _ in range(rounds):
        step = fit_tilts(critic, F_rec, rec_people, *generate())
        critic.tilt = {u: critic.tilt.get(u, 0.0) + t for u, t in step.items()}
        tick()


def draw_tilt(critic: Critic | None, rng: np.random.Generator) -> np.ndarray | None:
    """A tilt for a new person: a normal draw with the fitted people's mean tilt and covariance
    (m + sum_i w_i (t_i - m) / sqrt(n - 1), w ~ N(0, I): that covariance exactly, no decomposition).

    Why: without one, every new person is pulled towards the population alike, and an identification
    model trained on the recorded people gives all those alike people to the same recorded one. None
    when fewer than two people have a tilt."""
    if critic is None or len(critic.tilt) < 2:
        return None
    T = np.stack([critic.tilt[u] for u in sorted(critic.tilt)])
    m = T.mean(0)
    return m + rng.standard_normal(len(T)) @ (T - m) / np.sqrt(len(T) - 1)


MAX_CANDIDATES = 256
"""Draws per item a caller may ask for: 10^11 asked numpy for terabytes."""


def candidates_for(critic: Critic | None, candidates: int | None) -> int:
    """Draws per item: 1 without a critic, else the number asked for or the critic's own. A count that is not a
    whole number of at least 1 is refused (0 or 1.5 ran as 1: the critic quietly off)."""
    if candidates is not None and not (isinstance(candidates, (int, np.integer)) and not isinstance(candidates, bool)
                                       and 1 <= candidates <= MAX_CANDIDATES):
        raise HcisimError(f"candidates must be a whole number from 1 (the model alone) to {MAX_CANDIDATES}, "
                          f"not {candidates!r}")
    if critic is None:
        return 1
    return critic.candidates if candidates is None else int(candidates)


def choose(critic: Critic, F: np.ndarray, tilts: Sequence[np.ndarray | None], k: int,
           rng: np.random.Generator) -> np.ndarray:
    """For items drawn ``k`` times each (rows i*k .. i*k+k-1 of ``F``), the row index of the kept draw.

    ``tilts``: per row, its person's tilt (None: a new person, none). A draw whose features are all
    undefined (a movement of fewer than three samples) is never kept while another one can be."""
    none = np.zeros(F.shape[1])
    score = critic.score(F, np.stack([none if t is None else t for t in tilts]))
    score = np.where(np.isnan(F).all(axis=1), -np.inf, score).reshape(-1, k)
    return np.arange(len(score)) * k + resample(score, rng)


def resample(scores: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per row of (N, K) log-ratio scores, the index of one candidate drawn with probability
    proportional to exp(score) (non-finite scores are never drawn unless a row has no other)."""
    s = np.where(np.isfinite(scores), scores, -np.inf)
    top = np.max(s, axis=1, keepdims=True)
    w = np.where(np.isfinite(top), np.exp(s - np.where(np.isfinite(top), top, 0.0)), 1.0)
    cum = np.cumsum(w, axis=1)
    u = rng.random((len(s), 1)) * cum[:, -1:]
    return np.minimum((cum <= u).sum(axis=1), s.shape[1] - 1)
