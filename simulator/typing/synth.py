"""Typing texts with the fitted model: who types, and the critic's choice among draws (``synth_typing``).

Kept apart from the package's ``__init__`` so that the file contract (`simulator.typing.io`), the realism
benchmark and the fit report can call it without importing the package they are part of.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from simulator.critic import candidates_for, choose
from simulator.errors import HcisimError
from simulator.rng import check_rng
from simulator.typing.features import feature_matrix
from simulator.typing.layout import get_layout
from simulator.typing.model import synthesise
from simulator.typing.params import Typist
from simulator.typing.profile import TypingProfile, load_profile
from simulator.typing.records import KeyEvents
from simulator.typing.text import normalise_newlines


def person(profile: TypingProfile | str, rng: np.random.Generator, user: str | None = None,
           skill: float | None = None) -> Typist:
    """Who types this session: the profile's typist ``user``, or a new one drawn from the population."""
    profile = load_profile(profile)
    if user is not None:
        if skill is not None:  # (it was ignored without a word)
            raise HcisimError(f"skill places a new typist along the population; typist {user!r} types as fitted")
        return profile.typist(str(user))
    return profile.draw(rng, skill=skill)


CHOOSE_TEXTS = 250
"""Texts whose k draws are held at once while the critic chooses: all at once, a realism critic fitted on 3,000
recorded texts (6,000 typed, each 16 times) took 3 GB, and memory grew with any caller's list of texts. As many
as `hcisim synth-typing` types per chunk, so its output is the same either way."""


def synth_typing(texts: Sequence[str], *, profile: TypingProfile | str, rng: np.random.Generator,
                 users: Sequence[str | Typist | None] | None = None, uncorrected_errors: bool = True,
                 layout: str | None = None, skill: float | None = None,
                 candidates: int | None = None) -> list[KeyEvents]:
    """Key events typing each text.

    ``users[i]`` is a typist id of the profile, a `Typist` from `person`, or None for a new typist
    drawn from the population (with ``skill`` as a speed z-score if given). With
    ``uncorrected_errors=False`` every typo is corrected, so the events type exactly the text.
    ``candidates``: draws per text among which the profile's realism critic picks one
    (simulator/critic.py); None: the critic's own number, 1: the model alone. ``layout``: the keyboard
    typed on (`simulator.typing.layout.LAYOUTS`; default: the profile's) -- timing follows where each key is.
    """
    profile = load_profile(profile)
    check_rng(rng)
    lay = get_layout(layout or profile.layout)
    if isinstance(texts, str):  # (one string was typed as one text per character)
        raise HcisimError("texts must be a list of strings: one string was given (wrap it: [text])")
    texts = list(texts)
    for i, s in enumerate(texts):
        if not isinstance(s, str):
            raise HcisimError(f"text {i} is not a string but {type(s).__name__}")
    texts = [normalise_newlines(s) for s in texts]
    if users is None:
        users = [None] * len(texts)
    if isinstance(users, str):  # (one id was read as one typist per character: "2 users given for 1 texts")
        raise HcisimError("users must be a list, one per text: one string was given (for one typist: [user] * "
                          "len(texts))")
    if isinstance(users, (set, frozenset, dict)) or not hasattr(users, "__len__"):  # (an iterator: a TypeError)
        raise HcisimError(f"users must be a list, one per text in order, not {type(users).__name__}")
    users = list(users)
    if len(users) != len(texts):
        raise HcisimError(f"{len(users)} users given for {len(texts)} texts")
    for i, s in enumerate(texts):
        if not s:
            raise HcisimError(f"text {i} is empty: nothing to type")
        lay.check(s)
    if not texts:
        return []
    k = candidates_for(profile.critic, candidates)
    # each draw of a text without a user is typed by a new typist of its own, so the critic's choice
    # among the k draws also chooses who types it: its ratio was fitted against new typists' texts, and
    # resampling the (typist, text) pair corrects how the population combines typists' traits, which
    # draws by one typist cannot; a given typist's k draws are all theirs
    fresh = iter(profile.draw_many(rng, k * sum(u is None for u in users), skill=skill))
    who: list[Typist] = []
    for u in users:
        if u is None:
            who += [next(fresh) for _ in range(k)]
        else:
            who += [u if isinstance(u, Typist) else profile.typist(str(u))] * k
    if k == 1:
        return synthesise(texts, who, profile.shared, lay, rng, uncorrected=uncorrected_errors)
    # k draws of each text; the critic keeps one, weighted by how recorded it looks
    chosen: list[KeyEvents] = []
    for a in range(0, len(texts), CHOOSE_TEXTS):
        part, mine = texts[a:a + CHOOSE_TEXTS], who[k * a:k * (a + CHOOSE_TEXTS)]
        drawn = synthesise([s for s in part for _ in range(k)], mine, profile.shared, lay, rng,
                           uncorrected=uncorrected_errors)
        F = feature_matrix([e.to_keystrokes() for e in drawn], lay)
        chosen += [drawn[int(i)] for i in choose(profile.critic, F, [t.tilt for t in mine], k, rng)]
    return chosen
