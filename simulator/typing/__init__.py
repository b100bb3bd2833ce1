"""Typing model fitted from recorded keystrokes (issue 5).

Public API (what the CLI, the planner and Python users call; augment and fidelity, which fit and measure,
also reach into the fitting and feature modules):

- `load_profile(name_or_path)` -> `TypingProfile` (shipped: ``aalto``, ``freetext``)
- `person(profile, rng, user=None, skill=None)` -> `Typist` (a profile typist or a new one drawn from the population)
- `synth_typing(texts, profile=, rng=, users=, uncorrected_errors=, layout=)` -> list of `KeyEvents`
- `synth_typing_file(texts_csv, out, profile, seed)` -> rows written (``hcisim synth-typing``)
- `fit_profile(data, fmt, out, progress)` -> profile path (``hcisim fit typing``)
- `apply_key_events(events)` -> the text the events type into an empty field
- `code_for(key)` -> DOM ``code`` of a DOM ``key``
"""

from __future__ import annotations

from simulator.typing.io import fit_profile, synth_typing_file
from simulator.typing.layout import code_for
from simulator.typing.params import Typist
from simulator.typing.profile import TypingProfile, load_profile
from simulator.typing.records import KeyEvents, Keystrokes
from simulator.typing.synth import person, synth_typing
from simulator.typing.text import apply_key_events

__all__ = [
    "KeyEvents", "Keystrokes", "Typist", "TypingProfile", "apply_key_events", "code_for", "fit_profile",
    "load_profile", "person", "synth_typing", "synth_typing_file",
]
