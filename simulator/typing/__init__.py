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

import importlib

_HOME = {
    "fit_profile": "io", "synth_typing_file": "io", "code_for": "layout", "Typist": "params",
    "TypingProfile": "profile", "load_profile": "profile", "KeyEvents": "records", "Keystrokes": "records",
    "person": "synth", "synth_typing": "synth", "apply_key_events": "text",
}
"""Where each public name lives. Loaded on first use (PEP 562): the CLI reads the layout table to write its
help, and importing every model module (scipy with them) for that cost each command ~0.3 s of start-up."""


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    globals()[name] = value
    return value


__all__ = sorted(_HOME)
