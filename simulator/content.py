"""What simulated people type and pick -- names, addresses, passwords, text -- from faker, in one locale.

Content is never taken from real people. Each session's faker is seeded from its own ``content`` stream
of the run's seed tree, so the reference run of a scenario and the task an agent is given from it
(`simulator.task`) hold the same values.
"""

from __future__ import annotations

import difflib

import numpy as np
from faker import Faker
from faker.config import AVAILABLE_LOCALES

from simulator.errors import HcisimError
from simulator.rng import component_rng

DEFAULT_LOCALE = "en_US"


def check_locale(locale: str) -> str:
    """``locale`` if faker has it; else one clear line naming the nearest ones."""
    if locale not in AVAILABLE_LOCALES:
        same_language = [a for a in AVAILABLE_LOCALES if a.split("_")[0] == locale.split("_")[0]]
        near = (same_language or difflib.get_close_matches(locale, AVAILABLE_LOCALES, n=3)
                or ["en_US", "de_DE", "fr_FR"])[:6]
        raise HcisimError(f"unknown content locale {locale!r} (faker's, e.g. {', '.join(near)})")
    return locale


def session_faker(seed: np.random.SeedSequence, locale: str = DEFAULT_LOCALE) -> Faker:
    """The faker of one session: ``locale``'s names, addresses and words, seeded from the session's seed."""
    fake = Faker(check_locale(locale))
    fake.seed_instance(int(component_rng(seed, "content").integers(2**31)))
    return fake
