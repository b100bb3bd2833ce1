"""The fitted models as the runner uses them: one simulated person per session.

`Models` holds the loaded mouse and typing profiles; `draw_person` picks who
this session's person is (a profile user, or a new synthetic person drawn
from the fitted population), and the other methods return plans' raw
material (times relative to 0, positions) from the pure model functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator import mouse, typing as typing_model
from simulator.locate import Box
from simulator.pacing import DirectPacing, HumanPacing
from simulator.plan import Plan, keys
from simulator.terms import terms_of
from simulator.typing.layout import get_layout


@dataclass
class Trajectory:
    t_ms: np.ndarray
    x: np.ndarray
    y: np.ndarray
    missed: bool


@dataclass
class SessionPerson:
    """Who is at the keyboard this session."""

    mouse_id: str
    typing_id: str
    mouse_user: Any = None
    typing_user: Any = None
    extras: dict[str, Any] = field(default_factory=dict)


class Models:
    pacing = HumanPacing()

    def __init__(self, mouse_profile: str = "sapimouse", typing_profile: str = "aalto",
                 mouse_user: str | None = None, typing_user: str | None = None, keyboard: str | None = None) -> None:
        self.mouse = mouse.load_profile(mouse_profile)
        self.typing = typing_model.load_profile(typing_profile)
        self.mouse_user = mouse_user
        self.typing_user = typing_user
        self.keyboard = get_layout(keyboard or self.typing.layout).name
        """The keyboard layout typed on: ``keyboard`` or the typing profile's own."""

    def provenance(self) -> dict[str, dict[str, str]]:
        """Each profile by id and content, with the terms of the recorded data it was fitted on (the Aalto
        licence of the default typing profile: data generated with it is under its non-commercial condition)."""
        return {"mouse": {"id": self.mouse.id, "sha256": self.mouse.sha256, **terms_of(self.mouse.meta)},
                "typing": {"id": self.typing.id, "sha256": self.typing.sha256, "keyboard": self.keyboard,
                           **terms_of(self.typing.metadata)}}

    def draw_person(self, rng: np.random.Generator) -> SessionPerson:
        mu = mouse.person(self.mouse, rng, user=self.mouse_user)
        tu = typing_model.person(self.typing, rng, user=self.typing_user)
        return SessionPerson(mouse_id=str(getattr(mu, "id", self.mouse_user or "synthetic")),
                             typing_id=str(getattr(tu, "id", self.typing_user or "synthetic")),
                             mouse_user=mu, typing_user=tu)

    def pointing(self, start: tuple[float, float], box: Box, person: SessionPerson, rng: np.random.Generator,
                 device: str) -> Trajectory:
        traj = mouse.plan_pointing(self.mouse, start, box.as_tuple(), rng, user=person.mouse_user, device=device)
        return Trajectory(np.asarray(traj.t_ms, float), np.asarray(traj.x, float), np.asarray(traj.y, float),
                          bool(traj.missed))

    def idle(self, at: tuple[float, float], ms: float, person: SessionPerson, rng: np.random.Generator,
             device: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return mouse.idle_drift(self.mouse, at, ms, rng, user=person.mouse_user, device=device)

    def scroll(self, total_dy: float, person: SessionPerson, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        return mouse.scroll_burst(self.mouse, total_dy, rng, user=person.mouse_user)

    def typing_events(self, text: str, person: SessionPerson, rng: np.random.Generator) -> Plan:
        ev = typing_model.synth_typing([text], profile=self.typing, rng=rng, users=[person.typing_user],
                                       uncorrected_errors=False, layout=self.keyboard)[0]
        return keys(ev.t_ms, ev.type, ev.key, ev.code)

    def code_for(self, name: str) -> str | None:
        """DOM ``code`` of a key the runner presses itself (a hotkey), on the typist's keyboard."""
        return typing_model.code_for(name, self.keyboard)


class DirectModels:
    """What automation does instead of a person: straight, near-instant moves and a fixed typing delay.

    Used to run an agent's actions "as issued" (``hcisim agent-run --no-humanlike``) and as the
    non-human baseline; it draws no random numbers, and neither does its pacing (no thinking or reading, fixed
    short gaps).
    """

    KEY_DELAY_MS = 30.0
    pacing = DirectPacing()

    def __init__(self, keyboard: str | None = None) -> None:
        self.keyboard = get_layout(keyboard or "qwerty-us").name

    def provenance(self) -> dict[str, dict[str, str]]:
        return {"mouse": {"id": "direct", "sha256": ""},
                "typing": {"id": "direct", "sha256": "", "keyboard": self.keyboard}}

    def draw_person(self, rng: np.random.Generator) -> SessionPerson:
        return SessionPerson(mouse_id="direct", typing_id="direct")

    def pointing(self, start, box: Box, person, rng, device) -> Trajectory:
        return Trajectory(np.array([0.0, 16.7]), np.array([start[0], box.cx]), np.array([start[1], box.cy]), False)

    def idle(self, at, ms, person, rng, device):
        return np.zeros(0), np.zeros(0), np.zeros(0)

    def scroll(self, total_dy: float, person, rng) -> tuple[np.ndarray, np.ndarray]:
        n = int(np.ceil(abs(total_dy) / 100.0))  # none for 0
        return np.arange(n) * 20.0, np.full(n, total_dy / n)

    def typing_events(self, text: str, person, rng) -> Plan:
        t = np.repeat(np.arange(len(text)) * self.KEY_DELAY_MS, 2) + np.tile([0.0, 5.0], len(text))
        chars = [c for c in text for _ in (0, 1)]
        return keys(t, ["down", "up"] * len(text), chars, [self.code_for(c) for c in chars])

    def code_for(self, name: str) -> str | None:
        return typing_model.code_for(name, self.keyboard)
