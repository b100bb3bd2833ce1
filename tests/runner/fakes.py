"""Unit-test stand-ins for the fitted models: simple, predictable motion and typing."""

from __future__ import annotations

import numpy as np

from simulator.models import SessionPerson, Trajectory
from simulator.pacing import HumanPacing
from simulator.plan import keys


class FakeModels:
    """Straight 60 Hz moves to the box centre, 100 px wheel notches, 80 ms key rhythm; a person's pauses."""

    pacing = HumanPacing()

    def provenance(self):
        return {"mouse": {"id": "fake", "sha256": "0"}, "typing": {"id": "fake", "sha256": "0"}}

    def draw_person(self, rng):
        return SessionPerson(mouse_id="fake", typing_id="fake")

    def pointing(self, start, box, person, rng, device):
        n = 12
        t = np.arange(n) * 16.7
        return Trajectory(t, np.linspace(start[0], box.cx, n), np.linspace(start[1], box.cy, n), False)

    def idle(self, at, ms, person, rng, device):
        return np.zeros(0), np.zeros(0), np.zeros(0)

    def scroll(self, total_dy, person, rng):
        n = max(1, int(round(abs(total_dy) / 100)))
        return np.arange(n) * 40.0, np.full(n, 100.0 * np.sign(total_dy or 1))

    def typing_events(self, text, person, rng):
        t, types, names = [], [], []
        for i, ch in enumerate(text):
            t += [i * 80.0, i * 80.0 + 50.0]
            types += ["down", "up"]
            names += [ch, ch]
        return keys(np.array(t), types, names, [None] * len(names))

    @staticmethod
    def code_for(name):
        return None
