"""A user-identification model: which recorded person produced these items?

Used twice: utility (train on SYNTH, test on REAL, against train on REAL) and privacy
(re-identification: a model trained on the fitting data's people applied to SYNTH). A session is
attributed to the person with the highest summed log-probability over its items, which is how an
attacker holding a whole session would use the model. Classes are weighted to balance: summed over a
session's items, a prior favouring people with more recorded items would otherwise outvote the evidence
and pile every session onto them.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

N_TREES = 200
TREE_BATCH = 20
"""Trees grown at a time before they are made compact (`Forest`): what a fit holds of scikit-learn's own trees."""
PAIRS_AT_ONCE = 1 << 21
"""(item, tree) pairs walked down the trees together: bounds the walk's arrays (~100 MB)."""


@dataclass
class Forest:
    """A fitted random forest as prediction needs it: every tree's split nodes, one array each for the forest,
    and each leaf's class probabilities, sparse (a leaf of a few items holds a few people).

    Why not scikit-learn's forest as fitted: each of its nodes, internal ones too, holds a probability per
    class, so its memory grows with the square of the people (more items, more nodes, each with more
    classes): one forest of 400 people with 30 items each took 4.4 GB, and `augment --people new` keeps five.
    The answers are scikit-learn's to the bit: the same trees, walked with the same comparisons (float32
    items against float64 thresholds), their probabilities summed in tree order and divided as it divides.
    """

    feature: np.ndarray      # (nodes,) split feature, -1 at a leaf; the trees' nodes one after another
    threshold: np.ndarray    # (nodes,) go left when the item's feature <= threshold
    child: np.ndarray        # (nodes, 2) right and left child, as indices into these arrays (-1 at a leaf)
    roots: np.ndarray        # (trees,)
    leaf_count: np.ndarray   # (nodes,) non-zero probabilities of each node (0 but at leaves), in node order in:
    leaf_class: np.ndarray   # their classes
    leaf_p: np.ndarray       # and values
    n_classes: int

    @staticmethod
    def of(trees: list, base: int = 0) -> Forest:
        """The compact form of scikit-learn decision trees (`estimators_`), in their order; node indices start
        at ``base`` (the nodes of the forest's trees before these)."""
        parts: dict[str, list[np.ndarray]] = {k: [] for k in ("feature", "threshold", "child", "roots",
                                                              "leaf_count", "leaf_class", "leaf_p")}
        for est in trees:
            t = est.tree_
            leaf = t.children_left < 0
            parts["roots"].append(np.array([base]))
            parts["feature"].append(np.where(leaf, -1, t.feature).astype(np.int64))
            parts["threshold"].append(t.threshold.astype(np.float64))
            children = np.column_stack([t.children_right, t.children_left]) + base
            parts["child"].append(np.where(leaf[:, None], -1, children).astype(np.int64))
            value = np.where(leaf[:, None], t.value[:, 0, :est.n_classes_], 0.0)  # what predict_proba gives a leaf
            node, cls = np.nonzero(value)
            parts["leaf_count"].append(np.bincount(node, minlength=t.node_count))
            parts["leaf_class"].append(cls.astype(np.int32))
            parts["leaf_p"].append(value[node, cls])
            base += t.node_count
        return Forest(**{k: np.concatenate(v) for k, v in parts.items()}, n_classes=int(trees[0].n_classes_))

    @staticmethod
    def joined(forests: list[Forest]) -> Forest:
        """Forests grown one after another (each made with ``base`` at the nodes before it) as one."""
        return Forest(**{k: np.concatenate([getattr(f, k) for f in forests]) for k in
                         ("feature", "threshold", "child", "roots", "leaf_count", "leaf_class", "leaf_p")},
                      n_classes=forests[0].n_classes)

    def leaves(self, X32: np.ndarray) -> np.ndarray:
        """(items, trees): the leaf each item reaches in each tree, all (item, tree) pairs walked down together."""
        n, n_features = X32.shape
        x = X32.astype(np.float64).ravel()  # exact: the comparison scikit-learn makes
        child = self.child.ravel()
        trees = len(self.roots)
        node = np.tile(self.roots, n)
        row = np.repeat(np.arange(n) * n_features, trees)  # where each pair's item starts in x
        walking = np.flatnonzero(self.feature[node] >= 0)
        while len(walking):
            at = node[walking]
            go_left = x[row[walking] + self.feature[at]] <= self.threshold[at]
            node[walking] = child[2 * at + go_left]
            walking = walking[self.feature[node[walking]] >= 0]
        return node.reshape(n, trees)

    def predict_proba(self, X32: np.ndarray) -> np.ndarray:
        trees = len(self.roots)
        start = np.r_[0, np.cumsum(self.leaf_count)]  # node i's probabilities: start[i]:start[i + 1]
        out = np.zeros((len(X32), self.n_classes))
        step = max(1, PAIRS_AT_ONCE // trees)
        for a in range(0, len(X32), step):
            leaf = self.leaves(X32[a:a + step])
            for t in range(trees):  # in tree order, as the forest sums them
                lo, hi = start[leaf[:, t]], start[leaf[:, t] + 1]
                n = hi - lo
                idx = np.repeat(lo - np.r_[0, np.cumsum(n)[:-1]], n) + np.arange(n.sum())
                out[a + np.repeat(np.arange(len(leaf)), n), self.leaf_class[idx]] += self.leaf_p[idx]
        out /= trees
        return out


@dataclass
class Attribution:
    """An identifier's answer for some items: ``proba`` (items, people), columns in the order of ``classes``."""

    classes: np.ndarray
    proba: np.ndarray

    def items(self) -> np.ndarray:
        """The most likely person per item."""
        return self.classes[np.argmax(self.proba, axis=1)]

    def summed_logp(self, group: np.ndarray, groups: int) -> np.ndarray:
        """(groups, people): each group's summed log-probabilities of its items; ``group`` in 0..groups-1 per item."""
        logp = np.log(self.proba + 1e-6)
        total = np.zeros((groups, logp.shape[1]))
        np.add.at(total, group, logp)
        return total

    def sessions(self, sessions: np.ndarray) -> dict[str, str]:
        """The most likely person per session (summed log-probabilities of its items)."""
        keys, inv = np.unique(sessions.astype(str), return_inverse=True)
        total = self.summed_logp(inv, len(keys))
        return dict(zip(keys.tolist(), self.classes[np.argmax(total, axis=1)].tolist()))


@dataclass
class Identifier:
    classes: np.ndarray
    medians: np.ndarray
    model: Forest

    def proba(self, X: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(_impute(X, self.medians).astype(np.float32))

    def attribute(self, X: np.ndarray) -> Attribution:
        return Attribution(self.classes, self.proba(X))


def _impute(X: np.ndarray, medians: np.ndarray) -> np.ndarray:
    return np.where(np.isfinite(X), X, medians[None, :])


def train_identifier(X: np.ndarray, person: np.ndarray, seed: int) -> Identifier:
    """A random forest (N_TREES trees, leaves of 2+ items, classes balanced), grown `TREE_BATCH` trees at a time
    with the forest's own seeds (scikit-learn's warm start), each batch made compact (`Forest`) and freed."""
    from sklearn.ensemble import RandomForestClassifier

    med = np.array([np.median(c[np.isfinite(c)]) if np.isfinite(c).any() else 0.0 for c in X.T])
    clf = RandomForestClassifier(n_estimators=0, min_samples_leaf=2, class_weight="balanced", random_state=seed,
                                 n_jobs=1, warm_start=True)
    # fitted on integer codes: scikit-learn 1.9's class_weight="balanced" fails on labels that look like
    # numbers ("14"), which is what SapiMouse person ids are; proba columns follow the codes' order
    classes, codes = np.unique(person.astype(str), return_inverse=True)
    Xi = _impute(X, med)
    batches: list[Forest] = []
    grown = 0
    while grown < N_TREES:
        clf.set_params(n_estimators=min(grown + TREE_BATCH, N_TREES))
        with warnings.catch_warnings():  # "balanced" with warm start: a warning for data that changes; it does not
            warnings.filterwarnings("ignore", message="class_weight presets")
            clf.fit(Xi, codes)
        batches.append(Forest.of(clf.estimators_[grown:], base=sum(len(b.feature) for b in batches)))
        clf.estimators_[grown:] = [None] * (len(clf.estimators_) - grown)  # a warm start only counts them
        grown = len(clf.estimators_)
    return Identifier(classes, med, Forest.joined(batches))


def session_accuracy(predicted: dict[str, str], sessions: np.ndarray, person: np.ndarray) -> float:
    """Share of sessions attributed to their own person."""
    truth = dict(zip(sessions.astype(str).tolist(), person.astype(str).tolist()))
    return float(np.mean([predicted[s] == truth[s] for s in predicted])) if predicted else float("nan")
