"""Records the typing model reads and writes.

`Keystrokes` is one recorded text as any reader delivers it (one row per key press, with its
release), `KeyEvents` one synthesised text as down/up events. Both keep DOM ``key``/``code``
names so recorded and generated typing are compared in the same terms.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

_OBJ = object

MODIFIERS = frozenset({"Shift", "Control", "Alt", "Meta", "AltGraph", "Fn", "Unidentified"})
"""Keys that change what others type or type nothing the model times (left out of intervals and digraphs)."""


WITHHELD = "•"
"""The key a recorder stores for a character it must not keep: a password field's, and every one that `record
--desktop` sees without --keep-text."""


@dataclass
class Keystrokes:
    """One recorded text: key presses in press order, each with its release time (ms)."""

    user: str
    text_id: str
    press_ms: np.ndarray
    release_ms: np.ndarray
    key: np.ndarray            # DOM key per press (character or name such as "Shift", "Backspace")
    code: np.ndarray           # DOM code per press, None where the source does not say
    intended: str | None = None  # what the typist meant (transcription prompt), when known
    submitted: str | None = None  # what the typist left (None: derive it from the events)

    def __len__(self) -> int:
        return len(self.press_ms)

    @property
    def withheld(self) -> bool:
        """Whether a recorder withheld one of its characters (`WITHHELD`): what was typed is then unknown."""
        return bool((self.key == WITHHELD).any())


@dataclass
class KeyEvents:
    """One synthesised text: time-ordered key events and what they produce.

    ``error`` marks events of keystrokes that typed a wrong character (typo), ``correction``
    events of Backspace presses that delete and of characters re-typed after them.
    """

    t_ms: np.ndarray
    type: np.ndarray           # "down" / "up"
    key: np.ndarray
    code: np.ndarray
    error: np.ndarray
    correction: np.ndarray
    text: str                  # final text the events produce
    intended: str = ""
    user: str = field(default="synthetic")

    def __len__(self) -> int:
        return len(self.t_ms)

    def to_keystrokes(self, text_id: str = "") -> Keystrokes:
        """Pair downs with ups (same code; one up ends every pending down of it) into press/release rows."""
        return pair_events(self.t_ms, self.type, self.key, self.code, user=self.user, text_id=text_id)


def pair_events(t_ms, types, keys, codes, *, user: str = "", text_id: str = "",
                unreleased_ms: float | None = 100.0) -> Keystrokes:
    """Turn a down/up event stream into press rows with release times (unreleased: + ``unreleased_ms``, or
    NaN with None). A key is its ``code`` where known (Shift+a goes down as `A` and may come up as `a`).

    A key that goes down again before it comes up is auto-repeating (the OS sends the repeats): its
    one release ends every pending press of it, as the OS-log readers pair them."""
    t_ms = np.asarray(t_ms, float)
    open_: dict[object, list[int]] = {}
    press, release, key, code = [], [], [], []
    for t, ty, k, c in zip(t_ms, types, keys, codes):
        ident = c if c is not None else k
        if ty in ("down", "key_down"):
            open_.setdefault(ident, []).append(len(press))
            press.append(t)
            release.append(np.nan)
            key.append(k)
            code.append(c)
        else:
            for j in open_.pop(ident, ()):
                release[j] = t
    rel = np.asarray(release, float)
    pr = np.asarray(press, float)
    if unreleased_ms is not None:
        rel = np.where(np.isnan(rel), pr + unreleased_ms, rel)
    return Keystrokes(user, text_id, pr, rel, np.asarray(key, dtype=_OBJ), np.asarray(code, dtype=_OBJ))

