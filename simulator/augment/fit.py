"""Per-person mouse and typing profiles fitted from a dataset's tasks.

The models' own fitting functions do the work (`simulator.mouse.fit.fit_movements`,
`simulator.typing.fit.fit_records`); here the *people* of the dataset (manifest ``people``) are
the profiles' users, and the profiles are serialised without dates, so the same dataset gives the
same profile bytes and the augmented dataset can name them by sha256.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import numpy as np

from simulator.errors import HcisimError
from simulator.mouse.fit import MIN_MOVES, fit_movements
from simulator.mouse.profile import MouseProfile
from simulator.progress import Progress, Steps
from simulator.readers.common import Movements
from simulator.typing.realism import CRITIC_STEPS
from simulator.typing.records import Keystrokes

MIN_TYPING_RECORDS = 3
MIN_KEYSTROKES = 2
"""Keystrokes a text needs to be fitted on (one has no interval)."""
TYPING_FIT_STEPS = 4 + CRITIC_STEPS
"""Progress steps of `fit_typing`: the model's four, then the critic's."""


def mouse_people(mv: Movements) -> tuple[list[str], list[str]]:
    """(the people a mouse profile is fitted on: at least `MIN_MOVES` movements, the people left out)."""
    users, counts = np.unique(mv.user.astype(str), return_counts=True)
    return users[counts >= MIN_MOVES].tolist(), users[counts < MIN_MOVES].tolist()


def typing_texts(records: list[Keystrokes]) -> list[Keystrokes]:
    """The texts a typing profile is fitted on: at least `MIN_KEYSTROKES` keystrokes, no withheld character."""
    return [r for r in records if len(r) >= MIN_KEYSTROKES and not r.withheld]


@dataclass
class Fitted:
    """A fitted profile, the exact bytes it is stored as, and their sha256."""

    kind: str
    profile: object
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def users(self) -> list[str]:
        p = self.profile
        return list(p.alpha) if isinstance(p, MouseProfile) else list(p.user_params)


def fit_mouse(mv: Movements, profile_id: str, meta: dict, seed: int = 0,
              progress: Progress = None) -> Fitted:
    """A mouse profile whose users are the people of the cut movements ``mv`` (people with < 5 movements
    are left out)."""
    if len(mv) == 0:
        raise HcisimError("the dataset has no pointing movements (runs of moves ending in a left press, "
                          ">= 4 samples, >= 20 px) to fit a mouse profile on")
    fitted, left_out = mouse_people(mv)
    if not fitted:
        most = int(np.unique(mv.user.astype(str), return_counts=True)[1].max())
        raise HcisimError(f"too few pointing movements per person to fit a mouse profile "
                          f"(need >= {MIN_MOVES} for someone; most: {most})")
    prof = fit_movements(mv, profile_id, meta, progress, seed=seed)
    prof.meta["people_left_out"] = left_out
    data = json.dumps(prof.to_json(), indent=1, sort_keys=True).encode()
    prof.sha256 = hashlib.sha256(data).hexdigest()
    return Fitted("mouse", prof, data)


def fit_typing(records: list[Keystrokes], profile_id: str, meta: dict, progress: Progress = None) -> Fitted:
    """A typing profile that keeps every person of the records as a typist."""
    from simulator.typing.fit import fit_records, recorded_layout
    from simulator.typing.profile import Population, TypingProfile
    from simulator.typing.realism import fit_typing_critic

    withheld = sum(r.withheld for r in records)
    records = typing_texts(records)
    if len(records) < MIN_TYPING_RECORDS:
        left_out = (f"; {withheld} more had their characters withheld (a password field, or `record --desktop` "
                    f"without --keep-text)" if withheld else "")
        raise HcisimError(f"too little typing to fit a typing profile ({len(records)} segments with "
                          f"{MIN_KEYSTROKES}+ keystrokes{left_out}; need {MIN_TYPING_RECORDS})")
    step = Steps(TYPING_FIT_STEPS, progress)
    layout, layout_from = recorded_layout(records)
    res = fit_records(records, layout, progress=lambda done, _total: step.at(done))
    theta = np.stack(list(res.users.values()))
    prof = TypingProfile(id=profile_id, sha256="", layout=layout.name, mean=res.mean, cov=res.cov, shared=res.shared,
                         population=Population.from_typists(theta), user_params=dict(res.users),
                         metadata={**meta, "typists": len(res.users), "texts": len(records),
                                   "per_typist_params": True, "layout_from": layout_from},
                         stats=res.stats)
    fit_typing_critic(prof, records, tick=step)
    data = json.dumps(prof.to_json(), indent=1).encode()
    prof.sha256 = hashlib.sha256(data).hexdigest()
    return Fitted("typing", prof, data)
