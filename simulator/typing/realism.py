"""The typing profile's realism critic: recorded texts against the model's own typing of them.

Fitted last, from the profile just fitted (see `simulator.critic` for why and how synthesis
uses it). New typists drawn from the population type each sampled recorded text twice, so the
generated side of the ratio is estimated from more draws than the recorded side has texts.
"""

from __future__ import annotations

import numpy as np

from simulator.critic import Critic, fit_critic
from simulator.rng import rng_for
from simulator.typing.features import feature_matrix
from simulator.typing.layout import get_layout
from simulator.typing.profile import TypingProfile
from simulator.typing.records import Keystrokes
from simulator.typing.text import intended_text

CRITIC_TEXTS = 3000
"""Recorded texts the critic is fitted on (a random sample when there are more)."""
DRAWS_PER_TEXT = 2
MIN_CRITIC_KEYS = 5
"""Shorter texts tell little (most features undefined) and are left out of the fit."""


def fit_typing_critic(profile: TypingProfile, records: list[Keystrokes], seed: int = 0) -> Critic:
    from simulator.typing import synth_typing

    rng = rng_for(seed, "typing-critic")
    lay = get_layout(profile.layout)
    texts = [intended_text(r, lay) for r in records]
    keep = np.flatnonzero([len(r) >= MIN_CRITIC_KEYS and len(s) >= 3 for r, s in zip(records, texts)])
    idx = np.sort(rng.permutation(keep)[:CRITIC_TEXTS])
    chosen = [texts[i] for i in idx for _ in range(DRAWS_PER_TEXT)]
    ev = synth_typing(chosen, profile=profile, rng=rng, candidates=1)
    F_rec = feature_matrix([records[i] for i in idx], lay)
    F_gen = feature_matrix([e.to_keystrokes() for e in ev], lay)
    return fit_critic(F_rec, F_gen, seed=int(rng.integers(2 ** 31)))
