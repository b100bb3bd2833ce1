"""Privacy: does SYNTH leak the recordings the generator was fitted on?

Three attacks, all against the fitting data (FIT) with REAL as held-out data nobody fitted on:

- Distance to closest record (DCR): each SYNTH item's distance to its nearest FIT item, in record-
  vector space (`features.movement_vectors` / `segment_vectors`, each column scaled by FIT's
  spread), compared with the same distance for REAL items. A generator that copies records puts
  SYNTH at distance ~0; one that generalises puts SYNTH where REAL is. ``frac_below_p1`` is the share
  of SYNTH closer to FIT than REAL's 1st percentile (a near copy by REAL's own standard).
- Membership inference: an attacker holding SYNTH scores each record by its closeness to SYNTH and
  guesses "was in FIT" for close ones; AUC of FIT (members) against REAL (non-members), per item and
  per session. 0.5: the attacker learns nothing.
- Re-identification: a user-identification model trained on FIT's people is applied to SYNTH's
  sessions. SYNTH generated *as* those people (``--people same``, recognised when SYNTH's manifest
  names people that FIT has, or says ``source.people: same``) should be attributed to the right person about as often as REAL's
  held-out sessions are (fidelity per person); SYNTH of new people should spread over the recorded
  people at chance level, no single person drawing much more than 1/N of it.

Caveat written in the docs: membership inference is only meaningful when REAL holds other sessions
of FIT's people, otherwise the attacker can tell people apart instead of membership.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from simulator.fidelity.c2st import fast_auc
from simulator.fidelity.features import Items
from simulator.fidelity.identify import session_accuracy, train_identifier

MAX_QUERY = 20000
MAX_TRAIN = 10000
MAX_REID = 30000


@dataclass
class ReIdentification:
    mode: str
    people: int
    chance: float
    max_share_session: float
    max_share_item: float
    max_share_over_chance: float
    top1_synth_session: float | None
    top1_synth_item: float | None
    top1_real_session: float | None
    top1_real_item: float | None
    attribution: dict[str, int]
    # what chance alone gives max_share_over_chance (`uniform_max_share_over_chance`): even a perfectly
    # even attribution puts more than 1/N on someone (27 sessions over 27 people: 5 x at the 95th percentile)
    max_share_over_chance_null: float = float("nan")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Privacy:
    n_fitting: int
    n_synth: int
    n_real: int
    p1: float
    synth_below_p1: int
    frac_below_p1: float
    dcr_synth_min: float
    dcr_synth_median: float
    dcr_real_median: float
    dcr_ratio: float
    mia_auc: float
    mia_auc_session: float | None
    reid: ReIdentification | None
    dcr_synth: np.ndarray = field(repr=False)
    dcr_real: np.ndarray = field(repr=False)

    def to_dict(self) -> dict:
        d = {k: v for k, v in asdict(self).items() if k not in ("dcr_synth", "dcr_real", "reid")}
        d["reid"] = self.reid.to_dict() if self.reid else None
        return d


def _scale(fit_v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mu = fit_v.mean(axis=0)
    sd = fit_v.std(axis=0)
    return mu, np.where(sd > 1e-9, sd, 1.0)


def nearest_distance(reference: np.ndarray, query: np.ndarray) -> np.ndarray:
    from sklearn.neighbors import NearestNeighbors

    return NearestNeighbors(n_neighbors=1).fit(reference).kneighbors(query)[0][:, 0]


# -- the generator's side: a guard against near copies -----------------------------------------------

GUARD_QUANTILE = 0.02
"""Share of fitting items that lie closer than the guard's threshold to a fitting item of another session.

The judge (`privacy`) flags SYNTH closer to FIT than the 1st percentile of *its* held-out REAL's
distances; the generator has no held-out data, so its stand-in (other sessions of the fitting data)
is a different sample. 2 % instead of 1 % leaves a margin for that difference (on SapiMouse the
leave-session-out 1st percentile is within 1 % of the held-out one, the 2nd ~7 % above it)."""


def leave_session_out_distance(Z: np.ndarray, sessions: np.ndarray) -> np.ndarray:
    """Each row's distance to its nearest row of *another* session (NaN when there is none).

    The closest thing a generator has to "held-out real data": how near an unseen recording of
    this kind comes to the recorded ones. Nearest neighbours are searched with k growing until a
    row of another session is among them, so one big session cannot hide the others."""
    from scipy.spatial import cKDTree

    n = len(Z)
    codes = np.unique(np.asarray(sessions).astype(str), return_inverse=True)[1]
    out = np.full(n, np.nan)
    if n < 2:
        return out
    tree = cKDTree(Z)
    todo, k = np.arange(n), min(32, n)
    while len(todo):
        dist, idx = tree.query(Z[todo], k=k)
        dist, idx = dist.reshape(len(todo), k), idx.reshape(len(todo), k)
        other = codes[idx] != codes[todo][:, None]
        found = other.any(axis=1)
        out[todo[found]] = dist[found, np.argmax(other[found], axis=1)]
        todo = todo[~found]
        if k == n:
            break
        k = min(4 * k, n)
    return out


@dataclass
class RecordGuard:
    """Tells a generator which of its items are near copies of a fitting item.

    The space is the judge's (`privacy`): record vectors standardised by the fitting items'
    spread. ``threshold`` is the ``quantile`` of the fitting items' leave-session-out distances
    (``reference = "other sessions"``), or of their distances to the nearest other item when the
    fitting data is one session (``"other items"``); 0 (nothing flagged) with fewer than 2 items.
    An item is too close when its nearest fitting item is nearer than ``threshold`` (strictly, as
    the judge counts ``d < p1``). Nearest neighbours come from a k-d tree (exact distances, and no
    thread-pool start-up on each of the many small queries a generator makes)."""

    mu: np.ndarray
    sd: np.ndarray
    threshold: float
    quantile: float
    reference: str
    n_fitting: int
    _nn: object = field(default=None, repr=False)

    @staticmethod
    def fit(vectors: np.ndarray, sessions: np.ndarray, quantile: float = GUARD_QUANTILE) -> RecordGuard:
        from scipy.spatial import cKDTree

        if not 0.0 < quantile < 1.0:
            raise ValueError(f"quantile must be in (0, 1), not {quantile}")
        V = np.asarray(vectors, float)
        mu, sd = _scale(V) if len(V) else (np.zeros(V.shape[1]), np.ones(V.shape[1]))
        Z = (V - mu) / sd
        d = leave_session_out_distance(Z, sessions)
        reference = "other sessions"
        if len(V) >= 2 and np.isnan(d).all():  # one session: the nearest other item stands in
            d = cKDTree(Z).query(Z, k=2)[0][:, 1]
            reference = "other items"
        d = d[np.isfinite(d)]
        if len(d) == 0:
            return RecordGuard(mu, sd, 0.0, quantile, "none", len(V))
        return RecordGuard(mu, sd, float(np.quantile(d, quantile)), quantile, reference, len(V),
                           cKDTree(Z))

    def distance(self, query: np.ndarray) -> np.ndarray:
        """Each query vector's distance to its nearest fitting item (inf when there are none)."""
        q = np.asarray(query, float)
        if len(q) == 0 or self._nn is None:
            return np.full(len(q), np.inf)
        return self._nn.query((q - self.mu) / self.sd, k=1)[0]

    def too_close(self, query: np.ndarray) -> np.ndarray:
        """Boolean mask: nearer to a fitting item than the threshold."""
        return self.distance(query) < self.threshold

    def summary(self) -> dict:
        return {"threshold": round(self.threshold, 6), "quantile": self.quantile, "reference": self.reference,
                "fitting_items": self.n_fitting}


def privacy(real: Items, synth: Items, fitting: Items, *, synth_people_named: bool,
            rng: np.random.Generator) -> Privacy:
    mu, sd = _scale(fitting.V)
    z = lambda v: (v - mu) / sd  # noqa: E731
    s = synth.sample(MAX_QUERY, rng)
    r = real.sample(MAX_QUERY, rng)
    F = z(fitting.V)
    d_synth = nearest_distance(F, z(s.V))
    d_real = nearest_distance(F, z(r.V))
    p1 = float(np.percentile(d_real, 1))
    below = int(np.sum(d_synth < p1))
    med_s, med_r = float(np.median(d_synth)), float(np.median(d_real))
    mia, mia_s = membership_inference(real, synth, fitting, z, rng)
    reid = re_identification(real, synth, fitting, synth_people_named=synth_people_named, rng=rng)
    return Privacy(len(fitting), len(synth), len(real), p1, below, below / len(d_synth), float(d_synth.min()), med_s,
                   med_r, med_s / med_r if med_r > 0 else float("inf"), mia, mia_s, reid, d_synth, d_real)


def membership_inference(real: Items, synth: Items, fitting: Items, z, rng: np.random.Generator
                         ) -> tuple[float, float | None]:
    """AUC of an attacker scoring records by closeness to SYNTH: FIT items (members) vs REAL (not)."""
    m = min(len(fitting), len(real), MAX_QUERY)
    mem, non = fitting.sample(m, rng), real.sample(m, rng)
    S = z(synth.sample(MAX_QUERY * 2, rng).V)
    score = -np.r_[nearest_distance(S, z(mem.V)), nearest_distance(S, z(non.V))]
    y = np.r_[np.ones(m), np.zeros(m)].astype(int)
    item_auc = fast_auc(y, score)
    units = np.r_[np.char.add("f:", mem.session.astype(str)), np.char.add("r:", non.session.astype(str))]
    keys, inv = np.unique(units, return_inverse=True)
    if min(len(np.unique(mem.session)), len(np.unique(non.session))) < 2:
        return item_auc, None
    mean = np.bincount(inv, weights=score) / np.bincount(inv)
    ys = np.array([k.startswith("f:") for k in keys], int)
    return item_auc, fast_auc(ys, mean)


def re_identification(real: Items, synth: Items, fitting: Items, *, synth_people_named: bool,
                      rng: np.random.Generator) -> ReIdentification | None:
    people = np.unique(fitting.person.astype(str))
    if len(people) < 2:
        return None
    f = fitting.sample(MAX_TRAIN, rng)
    ident = train_identifier(f.X, f.person, int(rng.integers(2**31 - 1)))
    s = synth.sample(MAX_REID, rng)
    of_synth = ident.attribute(s.X)
    sess_pred = of_synth.sessions(s.session)
    item_pred = of_synth.items()
    counts = {p: 0 for p in people.tolist()}
    for p in sess_pred.values():
        counts[p] += 1
    share_s = max(counts.values()) / max(len(sess_pred), 1)
    share_i = float(np.max(np.unique(item_pred, return_counts=True)[1]) / len(item_pred))
    chance = 1.0 / len(people)
    same = synth_people_named and set(synth.person.astype(str)) <= set(people.tolist())
    top_s = top_i = real_s = real_i = None
    if same:
        top_s = session_accuracy(sess_pred, s.session, s.person)
        top_i = float(np.mean(item_pred == s.person.astype(str)))
    known = np.isin(real.person.astype(str), people)
    if known.any():
        r = real.subset(known)
        of_real = ident.attribute(r.X)
        real_s = session_accuracy(of_real.sessions(r.session), r.session, r.person)
        real_i = float(np.mean(of_real.items() == r.person.astype(str)))
    return ReIdentification("same" if same else "new", len(people), chance, share_s, share_i, share_s / chance,
                            top_s, top_i, real_s, real_i, counts, uniform_max_share_over_chance(len(sess_pred), len(people)))


def uniform_max_share_over_chance(sessions: int, people: int, q: float = 0.95, draws: int = 2000) -> float:
    """The ``q`` quantile of (largest share of ``sessions`` on one of ``people``) / chance when every session
    goes to a person drawn uniformly: what sampling alone gives a perfectly even attribution."""
    if sessions < 1 or people < 1:
        return float("nan")
    counts = np.random.default_rng(0).multinomial(sessions, np.full(people, 1.0 / people), size=draws)
    return float(np.quantile(counts.max(axis=1), q) / sessions * people)
