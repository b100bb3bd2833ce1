"""The seeded RNG tree every generator draws from.

One run seed is the root. Session ``k`` of a run gets
``SeedSequence(run_seed, spawn_key=(k,))`` -- the same sequence that
``SeedSequence(run_seed).spawn(k + 1)[k]`` would give -- so session ``k`` is
identical whether it is generated alone, in a batch, or on another worker.
Inside a session each component (``"mouse"``, ``"typing"``, ``"think"``, ...)
gets its own child keyed by a stable hash of its name, so adding a new
component never shifts the numbers an existing one draws.
"""

from __future__ import annotations

import zlib

import numpy as np

from simulator.errors import HcisimError


def _name_key(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


def session_seed(run_seed: int, session_index: int) -> np.random.SeedSequence:
    """The seed sequence of session ``session_index`` of a run."""
    if session_index < 0:
        raise ValueError("session_index must be >= 0")
    return np.random.SeedSequence(int(run_seed), spawn_key=(int(session_index),))


def component_seed(parent: np.random.SeedSequence, name: str) -> np.random.SeedSequence:
    """A child of ``parent`` for the component called ``name`` (stable across versions)."""
    return np.random.SeedSequence(parent.entropy, spawn_key=(*parent.spawn_key, _name_key(name)))


def component_rng(parent: np.random.SeedSequence, name: str) -> np.random.Generator:
    """A fresh ``Generator`` for one component of a session."""
    return np.random.default_rng(component_seed(parent, name))


def rng_for(seed: int, *path: int | str) -> np.random.Generator:
    """A generator at ``path`` below a root seed: ints are indices, strings component names.

    ``rng_for(7, 3, "mouse")`` is session 3's mouse stream of run seed 7.
    """
    ss = np.random.SeedSequence(int(seed))
    for part in path:
        if isinstance(part, str):
            ss = component_seed(ss, part)
        else:
            ss = np.random.SeedSequence(ss.entropy, spawn_key=(*ss.spawn_key, int(part)))
    return np.random.default_rng(ss)


def check_rng(rng: object) -> np.random.Generator:
    """``rng`` itself when it is a numpy ``Generator``; a seed or None is refused in one line (every draw is
    from a branch of the caller's tree: a seed passed here would start a tree of its own)."""
    if not isinstance(rng, np.random.Generator):
        raise HcisimError(f"rng must be a numpy Generator (np.random.default_rng(seed)), not {type(rng).__name__}")
    return rng
