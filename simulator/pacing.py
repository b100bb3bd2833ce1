"""When the actor acts: the pauses between and inside actions, and the choices a person makes on the way.

`HumanPacing` is a person's (decision and reading times, button holds, the small settles between steps, Tab
to the next field now and then); `DirectPacing` is how automation issues the same actions, as `DirectModels`
moves and types: no thinking or reading, fixed short gaps, the direct way each time, and no random numbers.
Why a part of its own: the actor's pauses lived in the actor, so ``agent-run --no-humanlike`` ("straight,
instant input") still thought half a second and more before every action.
"""

from __future__ import annotations

import numpy as np


class HumanPacing:
    """A person's timing, drawn from the session's behaviour RNG."""

    def pause_ms(self, rng: np.random.Generator, median_ms: float, sigma: float, size: int | None = None):
        """A short lognormal pause (a settle before pressing, the gap between keys of a combination)."""
        return rng.lognormal(np.log(median_ms), sigma, size)

    def think_ms(self, rng: np.random.Generator, words_on_screen: int = 0) -> float:
        """Time before acting: a lognormal decision time plus a glance that grows with what is on screen.

        Hick-Hyman style: choice time grows with the log of the number of things to
        choose among; here approximated by the words visible near the target.
        """
        base = rng.lognormal(np.log(550.0), 0.45)
        scan = 120.0 * np.log2(1 + max(words_on_screen, 0)) * rng.lognormal(0.0, 0.3)
        return float(base + scan)

    def reading_ms(self, rng: np.random.Generator, n_words: int) -> float:
        """Dwell to read ``n_words``: a per-read speed drawn around 240 wpm (silent reading of screen text)."""
        wpm = float(np.clip(rng.lognormal(np.log(240.0), 0.25), 120.0, 500.0))
        return float(n_words / wpm * 60_000.0 + rng.lognormal(np.log(300.0), 0.3))

    def click_hold_ms(self, rng: np.random.Generator) -> float:
        """How long a mouse button stays down in a click (median ~100 ms in browser-captured clicks)."""
        return float(np.clip(rng.lognormal(np.log(100.0), 0.35), 40.0, 400.0))

    def chance(self, rng: np.random.Generator, p: float) -> bool:
        """Whether a person takes the less direct way this time (Tab to a field, keys through a list)."""
        return bool(rng.random() < p)


class DirectPacing:
    """Automation's timing: what a script sends, one fixed gap apart; draws nothing."""

    GAP_MS = 10.0
    HOLD_MS = 50.0

    def pause_ms(self, rng: np.random.Generator, median_ms: float, sigma: float, size: int | None = None):
        return self.GAP_MS if size is None else np.full(size, self.GAP_MS)

    def think_ms(self, rng: np.random.Generator, words_on_screen: int = 0) -> float:
        return 0.0

    def reading_ms(self, rng: np.random.Generator, n_words: int) -> float:
        return 0.0

    def click_hold_ms(self, rng: np.random.Generator) -> float:
        return self.HOLD_MS

    def chance(self, rng: np.random.Generator, p: float) -> bool:
        return False
