"""Identity quota of ``hcisim augment --people new``: no recorded person stands behind more new people than others.

New people are drawn from a population fitted to the recorded ones, so none of them *is* a recorded person;
yet a user-identification model trained on the recorded people (the fidelity judge's,
`simulator.fidelity.identify`, on the judge's features) names a few of them for most sessions of anyone it
has not seen -- the people whose input varies most widely win summed log-probabilities. Real strangers
are named that way too (docs/augment.md: 2.7-4.2 x chance), and left alone so are the new people: the
recorded "hub" would seem to stand behind a large share of the published data.

So each modality keeps a quota: over the run, no recorded person may be named for more than
``ceil(sessions / people)`` of the new sessions by any of `MODELS` identification models trained (seeds
apart) on the dataset being augmented. A mouse session counts as named only when the models agree on whom it
looks like, each by a clear `MARGIN`: a session that one model names p and another q is one any judge names
by a coin flip, and such flips pile up on the people everybody looks a little like (a typed session, of a
few segments, is rarely that clear: each model must just name someone with room). A new person whose session
is not clearly named, or clearly names a full person, is redrawn -- a fresh person with fresh draws for the same
tasks -- up to `ROUNDS` times; then the least-full draw is kept (an unclear one counting `UNCLEAR` sessions
fuller). The first draw is the one ``--people new`` makes without the quota, so a session clearly named for
someone with room is unchanged. The count runs in session order, so session k depends on the ones before it
(augment generates in one process).

What it buys against judges it was not tuned on (identification models seeded apart from these, largest
share of new sessions on one recorded person / chance, docs/augment.md): mouse 3.6-3.7 x -> 1.8-2.0 x
(1.8-2.3 x when each model only had to name someone with room, 2.2-2.6 x with one model), typing 2.6-3.1 x ->
1.3-1.5 x. Its price: redraws (about 10 draws per new mouse session) and new people that lean away from the
hubs' neighbourhoods, where some real strangers are (typing `new` coverage 0.83-0.94).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import numpy as np

from simulator.fidelity.features import MIN_KEYS
from simulator.fidelity.identify import Identifier, train_identifier
from simulator.mouse.features import features as mouse_features
from simulator.readers.common import Movements
from simulator.typing.features import feature_matrix
from simulator.typing.records import Keystrokes

ROUNDS = 20
"""Redraws of a new person whose session is not clearly named for someone with room, before the least-full
draw is kept."""

MARGIN = 5.0
"""How far (summed log-probability over a session's items, nats) the person a model names must lead its
runner-up for the naming to count as clear: odds of about 150 to 1. Measured on a pool of 3,000 new SapiMouse
sessions (docs/augment.md), a session every model names alike but by less is still named otherwise by a
fresh judge often enough to matter; from 3 to 8 the judges' largest share moved by under 0.1 x chance.
Mouse only: a typed session has a few segments, so few are named clearly (350 of 640 new free-text sessions
after 20 redraws, five times the time) and the typing quota already kept judges at 1.3-1.5 x without it."""

UNCLEAR = 3
"""When no draw is clearly named for someone with room, an unclear draw counts as this many sessions fuller than
its fullest named person: its count is what a judge would make only by chance."""

MODELS = 5
"""Identification models the quota keeps, each trained with a seed of its own. A judge trained with another
seed disagrees with any one of them on about a quarter of new people's mouse sessions (a session that looks
like two people about equally goes either way); a session all of them name alike, each clearly (`MARGIN`), a
judge names alike too in all but a few percent."""

WAVE = 4
"""Redraws made, then named, together: a model names four sessions' items in one call in about 1.7 times what one
session's take (scikit-learn's forests pay per tree and call, not per item), and the first that fits is kept
as if they were made one by one (each redraw has its own random streams); the rest of its wave is wasted."""

D = TypeVar("D")


@dataclass
class IdentityQuota:
    """One modality's quota: the identification models, the cap and how often each named each recorded person."""

    modality: str
    identifiers: list[Identifier]
    cap: int
    named: np.ndarray   # (models, people)
    margin: float | None  # None: any naming counts (models may disagree; each must name someone with room)
    counts: dict[str, int] = field(default_factory=lambda: {"sessions": 0, "redrawn": 0, "redraws": 0,
                                                             "over_cap": 0, "unclear": 0,
                                                             "unnamed": 0})

    @staticmethod
    def fit(modality: str, X: np.ndarray, person: np.ndarray, sessions: int, seed: int,
            margin: float | None) -> IdentityQuota:
        """Train on the recorded items ``X`` of each ``person``; ``sessions``: how many new sessions will be drawn."""
        idents = [train_identifier(X, person, int(s)) for s in np.random.SeedSequence(seed).generate_state(MODELS)]
        people = len(idents[0].classes)
        return IdentityQuota(modality, idents, int(np.ceil(sessions / people)), np.zeros((MODELS, people), np.int64),
                             margin)

    def name(self, sessions: list[np.ndarray]) -> list[tuple[np.ndarray, bool] | None]:
        """For each session's items: the recorded person (class index) each model attributes it to, and whether
        the naming is clear (every model names the same person, leading its runner-up by ``margin``; always
        without one); None for a session without items. One call of each model for all the sessions."""
        filled = [items for items in sessions if len(items)]
        if not filled:
            return [None] * len(sessions)
        X = np.concatenate(filled)
        group = np.repeat(np.arange(len(filled)), [len(items) for items in filled])
        # (models, filled sessions, people): each session's summed log-probabilities, as the judge sums them
        sums = np.stack([m.attribute(X).summed_logp(group, len(filled)) for m in self.identifiers])
        out: list[tuple[np.ndarray, bool] | None] = []
        k = 0
        for items in sessions:
            if not len(items):
                out.append(None)
                continue
            total = sums[:, k]  # (models, people)
            k += 1
            who = np.argmax(total, axis=1)
            if self.margin is None:
                out.append((who, True))
                continue
            top2 = np.sort(total, axis=1)[:, -2:]
            out.append((who, bool(np.all(who == who[0]) and np.all(top2[:, 1] - top2[:, 0] >= self.margin))))
        return out

    def admit(self, first: D, redraw: Callable[[int], D], items: Callable[[D], np.ndarray]) -> D:
        """``first`` when it is clearly named for a person with room, else the first of ``redraw(0)``,
        ``redraw(1)``, ... that is; after `ROUNDS` redraws the least-full draw (see `UNCLEAR`). Redraws are
        made `WAVE` at a time; the ones after the draw kept are dropped unused."""
        self.counts["sessions"] += 1
        rows = np.arange(len(self.identifiers))

        def waves():
            yield [first]
            for a in range(0, ROUNDS, WAVE):
                yield [redraw(r) for r in range(a, min(a + WAVE, ROUNDS))]

        best, r = None, 0  # r: the draw's number (0 the first, k the k-th redraw)
        for wave in waves():
            for draw, named in zip(wave, self.name([items(d) for d in wave])):
                if named is None:
                    self.counts["unnamed"] += 1
                    return draw
                who, clear = named
                fullest = int(self.named[rows, who].max())
                if clear and fullest < self.cap:
                    self.named[rows, who] += 1
                    self.counts["redrawn"] += r > 0
                    self.counts["redraws"] += r
                    return draw
                score = fullest + (0 if clear else UNCLEAR)
                if best is None or score < best[0]:
                    best = (score, who, clear, draw)
                r += 1
        _, who, clear, draw = best
        self.named[rows, who] += 1
        self.counts["redrawn"] += 1
        self.counts["redraws"] += ROUNDS
        self.counts["over_cap"] += 1
        self.counts["unclear"] += not clear
        return draw

    def stats(self) -> dict:
        """``manifest.stats["identity_quota"][modality]``: ``named`` and ``most_named`` by the model that named
        each person most."""
        most = self.named.max(axis=0)
        return {"people": self.named.shape[1], "models": len(self.identifiers), "cap": self.cap, "rounds": ROUNDS,
                "margin": self.margin, **self.counts, "most_named": int(most.max()),
                "named": {str(c): int(n) for c, n in zip(self.identifiers[0].classes, most)}}


def movement_features(movements) -> np.ndarray:
    """The judge's feature rows of pointing movements (`simulator.readers.common.Movements`)."""
    if len(movements) == 0:
        return np.zeros((0, 0))
    return mouse_features(movements.t_ms, movements.x, movements.y, movements.offsets)


def fit_mouse(mv: Movements, sessions: int, seed: int) -> IdentityQuota | None:
    """The mouse quota, trained on the recorded (cut) pointing movements (None: they name fewer than two people)."""
    person = np.asarray(mv.user, dtype=object)
    if len(set(person.tolist())) < 2:
        return None
    return IdentityQuota.fit("mouse", movement_features(mv), person, sessions, seed, MARGIN)


def segment_features(records: list[Keystrokes], layout) -> np.ndarray:
    """The judge's feature rows of typed segments (records of `simulator.fidelity.features.MIN_KEYS`+ keys)."""
    if not records:
        return np.zeros((0, 0))
    return feature_matrix(records, layout)


def fit_typing(records: list[Keystrokes], sessions: int, seed: int) -> tuple[IdentityQuota | None, object]:
    """The typing quota and the keyboard layout the records were typed on (the judge reads both sides with
    it); no quota when the segments of `MIN_KEYS`+ keys name fewer than two people."""
    from simulator.typing.fit import recorded_layout

    keep = [r for r in records if len(r) >= MIN_KEYS]
    person = np.array([r.user for r in keep], dtype=object)
    if len(set(person.tolist())) < 2:
        return None, None
    layout, _ = recorded_layout(keep)
    return IdentityQuota.fit("typing", segment_features(keep, layout), person, sessions, seed, None), layout
