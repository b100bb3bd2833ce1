"""Utility: is SYNTH as useful as REAL for training a model that is then used on real data?

Task: user identification (which of the people produced this movement / this text). Train on SYNTH,
test on REAL (TSTR), against the same model trained on real data (TRTR): on the fitting data when
given (the model sees the same recordings the generator saw), else on REAL itself cross-validated
by session. Needs SYNTH whose people are named as REAL's (``augment --people same``); for new,
never-recorded people there is no label to transfer and the measure is skipped with a note.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from simulator.fidelity.features import Items
from simulator.fidelity.identify import session_accuracy, train_identifier

MAX_TRAIN = 10000


@dataclass
class Utility:
    task: str
    people: int
    chance: float
    tstr_item: float
    tstr_session: float
    trtr_item: float | None
    trtr_session: float | None
    trtr_trained_on: str | None

    def to_dict(self) -> dict:
        return asdict(self)


def _cap(items: Items, rng: np.random.Generator) -> Items:
    return items.sample(MAX_TRAIN, rng)


def identification_utility(real: Items, synth: Items, fitting: Items | None,
                           rng: np.random.Generator) -> Utility | str:
    """The utility figures, or the reason they cannot be computed."""
    common = sorted(set(real.person) & set(synth.person))
    if len(common) < 2:
        return "utility skipped: SYNTH and REAL share fewer than 2 people (needs `augment --people same` output)"
    r = real.subset(np.isin(real.person, common))
    s = _cap(synth.subset(np.isin(synth.person, common)), rng)
    seed = int(rng.integers(2**31 - 1))
    tstr = train_identifier(s.X, s.person, seed).attribute(r.X)
    tstr_item = float(np.mean(tstr.items() == r.person.astype(str)))
    tstr_session = session_accuracy(tstr.sessions(r.session), r.session, r.person)
    trtr_item = trtr_session = None
    source = None
    if fitting is not None and set(common) <= set(fitting.person):
        f = _cap(fitting.subset(np.isin(fitting.person, common)), rng)
        trtr = train_identifier(f.X, f.person, seed).attribute(r.X)
        trtr_item = float(np.mean(trtr.items() == r.person.astype(str)))
        trtr_session = session_accuracy(trtr.sessions(r.session), r.session, r.person)
        source = "fitting data"
    else:
        got = _cross_validated(r, seed)
        if got is not None:
            trtr_item, trtr_session = got
            source = "REAL, cross-validated by session"
    return Utility("user identification", len(common), 1.0 / len(common), tstr_item, tstr_session, trtr_item,
                   trtr_session, source)


def _cross_validated(r: Items, seed: int, folds: int = 5) -> tuple[float, float] | None:
    """Train on REAL's other sessions, test on each held-out session; None when some person has a
    single session (the model could never have seen them)."""
    sess_of = {}
    for s, p in zip(r.session.astype(str), r.person.astype(str)):
        sess_of.setdefault(p, set()).add(s)
    if min(len(v) for v in sess_of.values()) < 2:
        return None
    from sklearn.model_selection import StratifiedGroupKFold

    k = min(folds, min(len(v) for v in sess_of.values()))
    hits = np.zeros(len(r), bool)
    predicted: dict[str, str] = {}
    for tr, te in StratifiedGroupKFold(k, shuffle=True, random_state=seed).split(r.X, r.person.astype(str),
                                                                                  r.session.astype(str)):
        held = train_identifier(r.X[tr], r.person[tr], seed).attribute(r.X[te])
        hits[te] = held.items() == r.person[te].astype(str)
        predicted.update(held.sessions(r.session[te]))
    return float(hits.mean()), session_accuracy(predicted, r.session, r.person)
