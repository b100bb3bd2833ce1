"""The typing profile's realism critic: recorded texts against the model's own typing of them.

Fitted last, from the profile just fitted (see `simulator.critic` for why and how synthesis
uses it). New typists drawn from the population type each sampled recorded text twice, so the
generated side of the ratio is estimated from more draws than the recorded side has texts. Profiles
that keep their typists then get each typist's tilt of the critic, so texts typed "as" a typist keep
what sets them apart.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from simulator.critic import STAGES, TILT_ROUNDS, Critic, fit_critic_in_stages, fit_tilts_in_rounds
from simulator.rng import rng_for
from simulator.typing.features import feature_matrix
from simulator.typing.layout import get_layout
from simulator.typing.profile import TypingProfile
from simulator.typing.records import Keystrokes
from simulator.typing.synth import synth_typing
from simulator.typing.text import intended_text

CRITIC_TEXTS = 3000
"""Recorded texts the critic is fitted on (a random sample when there are more)."""
DRAWS_PER_TEXT = 2
MIN_CRITIC_KEYS = 5
"""Shorter texts tell little (most features undefined) and are left out of the fit."""
TILT_TEXTS = 100
"""Texts per typist for their tilt of the critic."""
CRITIC_STEPS = STAGES + TILT_ROUNDS
"""Progress steps of `fit_typing_critic`: each critic stage and tilt round."""


def fit_typing_critic(profile: TypingProfile, records: list[Keystrokes], seed: int = 0,
                      tick: Callable[[], None] | None = None) -> None:
    """Set ``profile.critic`` (None with too few usable texts) and, for the typists the profile keeps,
    their tilts (`simulator.critic.fit_tilts_in_rounds`) from up to TILT_TEXTS of their texts.
    ``tick()`` is called CRITIC_STEPS times in all, whatever is fitted."""
    tick = tick or (lambda: None)
    lay = get_layout(profile.layout)
    texts = [intended_text(r, lay) for r in records]
    keep = np.flatnonzero([len(r) >= MIN_CRITIC_KEYS and len(s) >= 3 for r, s in zip(records, texts)])

    rng = rng_for(seed, "typing-critic")
    idx = np.sort(rng.permutation(keep)[:CRITIC_TEXTS])
    drawn = [texts[i] for i in idx for _ in range(DRAWS_PER_TEXT)]

    def generate(critic: Critic | None) -> np.ndarray:
        profile.critic = critic
        return feature_matrix([e.to_keystrokes() for e in synth_typing(drawn, profile=profile, rng=rng)], lay)

    F_rec = feature_matrix([records[i] for i in idx], lay)
    profile.critic = fit_critic_in_stages(F_rec, generate, seed=int(rng.integers(2 ** 31)), tick=tick)

    rng = rng_for(seed, "typing-tilts")
    users = np.array([r.user for r in records])
    mine = [rng.permutation(keep[users[keep] == u])[:TILT_TEXTS] for u in profile.user_params]
    idx = np.sort(np.concatenate([np.zeros(0, int), *mine]).astype(int))
    if profile.critic is None or len(idx) == 0:
        for _ in range(TILT_ROUNDS):
            tick()
        return

    def generate() -> tuple[np.ndarray, np.ndarray]:
        ev = synth_typing([texts[i] for i in idx], profile=profile, rng=rng, users=list(users[idx]))
        return feature_matrix([e.to_keystrokes() for e in ev], lay), users[idx]

    fit_tilts_in_rounds(profile.critic, feature_matrix([records[i] for i in idx], lay), users[idx], generate,
                        tick=tick)
