"""The typing profile's realism critic: recorded texts against the model's own typing of them.

Fitted last, from the profile just fitted (see `simulator.critic` for why and how synthesis
uses it). New typists drawn from the population type each sampled recorded text twice, so the
generated side of the ratio is estimated from more draws than the recorded side has texts. Profiles that keep their typists then
get each typist's tilt of the critic, so texts typed "as" a typist keep what sets them apart.
"""

from __future__ import annotations

import numpy as np

from simulator.critic import Critic, fit_critic, fit_tilts
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
TILT_TEXTS = 100
"""Texts per typist for their tilt of the critic."""
TILT_ROUNDS = 8


def fit_typing_critic(profile: TypingProfile, records: list[Keystrokes], seed: int = 0) -> Critic | None:
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


def fit_typing_tilts(profile: TypingProfile, records: list[Keystrokes], seed: int = 0) -> dict[str, np.ndarray]:
    """Each kept typist's tilt of the profile's critic (`simulator.critic.fit_tilts`): up to TILT_TEXTS
    of their texts, recorded and typed by them with the critic; what resampling leaves of a tilt is
    measured and added again (TILT_ROUNDS times). No kept typists (a population profile): none."""
    from simulator.typing import synth_typing

    rng = rng_for(seed, "typing-tilts")
    lay = get_layout(profile.layout)
    texts = [intended_text(r, lay) for r in records]
    users = np.array([r.user for r in records])
    ok = np.array([len(r) >= MIN_CRITIC_KEYS and len(s) >= 3 for r, s in zip(records, texts)], bool)
    mine = [rng.permutation(np.flatnonzero(ok & (users == u)))[:TILT_TEXTS] for u in profile.user_params]
    idx = np.sort(np.concatenate([np.zeros(0, int), *mine]).astype(int))
    if profile.critic is None or len(idx) == 0:
        return {}
    F_rec = feature_matrix([records[i] for i in idx], lay)
    profile.critic.tilt = {}
    for _ in range(TILT_ROUNDS):
        ev = synth_typing([texts[i] for i in idx], profile=profile, rng=rng, users=list(users[idx]))
        step = fit_tilts(profile.critic, F_rec, users[idx], feature_matrix([e.to_keystrokes() for e in ev], lay),
                         users[idx])
        profile.critic.tilt = {u: profile.critic.tilt.get(u, 0.0) + t for u, t in step.items()}
    return profile.critic.tilt
