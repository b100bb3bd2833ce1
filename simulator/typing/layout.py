"""Keyboard layouts: which physical key (DOM ``code``) types a character, with hand, finger and row.

The timing model never looks at characters directly: it asks the layout for the hand, finger and
row of each key so that digraph classes (same finger, same hand, alternating hands, row distance)
and keyboard-neighbour typos come from geometry. Layouts: US (an ANSI board), German and French (ISO
boards, with AltGr); a new one is one more table of what is printed on each row (`_board`).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from simulator.errors import HcisimError

LEFT, RIGHT, THUMB = 0, 1, 2


@dataclass(frozen=True)
class KeyInfo:
    """One character as typed on a layout."""

    char: str          # the DOM ``key`` produced (the character itself)
    code: str          # the DOM ``code`` of the physical key
    shift: bool        # needs Shift held
    hand: int          # LEFT, RIGHT or THUMB
    finger: int        # 0..4 left pinky..thumb, 5..9 right thumb..pinky
    row: int           # 0 digits, 1 top, 2 home, 3 bottom, 4 space
    x: float           # key centre in key widths (row stagger included)
    altgr: bool = False  # made with AltGr (AltRight) held: ``@`` on German and French keyboards


_LOOKALIKE = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u2032": "'", "\u201c": '"', "\u201d": '"',
              "\u201e": '"', "\u2033": '"', "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
              "\u2026": ".", "\u00a0": " ", "\u00ab": "<", "\u00bb": ">", "\u00df": "s", "\u00e6": "a", "\u00c6": "A",
              "\u00f8": "o", "\u00d8": "O", "\u0153": "o", "\u0152": "O"}
"""Characters off the layout timed as the key people reach for to make them (a typographic quote where
the apostrophe is, a ligature on its first letter's key)."""


@dataclass(frozen=True)
class Layout:
    name: str
    keys: dict[str, KeyInfo]

    def key(self, ch: str) -> KeyInfo | None:
        """The key that types character ``ch``; None for named keys (``Backspace``, ``Enter``, ...).

        A printable character the layout has no key for (``é``, ``ç``, a typographic quote, an emoji)
        is still typed, as one key event whose DOM ``key`` is the character -- how a dead key, Option
        or AltGr combination or input method delivers it -- and timed as the key it is made on (the
        base letter, the look-alike's key); with no such key, as a far top-row symbol key. Such keys
        have no DOM ``code`` and no typo neighbours."""
        k = self.keys.get(ch)
        if k is not None or len(ch) != 1 or unicodedata.category(ch) in ("Cc", "Cs"):
            return k
        return _off_layout(self, ch)

    def check(self, text: str) -> None:
        """Raise one clear line naming the first character no key can type (a control character)."""
        for ch in text:
            if self.key(ch) is None:
                raise HcisimError(f"layout {self.name} cannot type character {ch!r} (U+{ord(ch):04X}): "
                                  "a control character")

    @property
    def letters(self) -> list[str]:
        return [c for c, k in self.keys.items() if c.isalpha() and not k.shift]

    def neighbours(self, ch: str) -> list[str]:
        """Characters on physically adjacent keys, same Shift state (for substitution/insertion typos).

        Space's neighbours are the bottom-row letters a thumb or finger slips onto."""
        return _neighbours(self.name).get(ch, [])


def _off_layout(layout: Layout, ch: str) -> KeyInfo:
    base = _LOOKALIKE.get(ch) or unicodedata.normalize("NFKD", ch)[:1]
    k = layout.keys.get(base)
    if k is not None and base != ch:
        return KeyInfo(ch, "", k.shift, k.hand, k.finger, k.row, k.x, k.altgr)
    return KeyInfo(ch, "", False, RIGHT, 9, 0, 12.0)


# Physical keys by row, as DOM ``code`` names them: ANSI (US) boards have a wide Backslash key at the end of
# the top row; ISO (European) boards have it at the end of the home row and one more key, IntlBackslash, left of
# Z. Rows: (codes, row stagger of the first key in key widths, touch-typing finger by column).
_DIGITS = (["Backquote"] + [f"Digit{d}" for d in "1234567890"] + ["Minus", "Equal"], 0.0,
           [0, 0, 1, 2, 3, 3, 6, 6, 7, 8, 9, 9, 9])
_TOP = ([f"Key{c}" for c in "QWERTYUIOP"] + ["BracketLeft", "BracketRight"], 1.5, [0, 1, 2, 3, 3, 6, 6, 7, 8, 9, 9, 9])
_HOME = ([f"Key{c}" for c in "ASDFGHJKL"] + ["Semicolon", "Quote"], 1.75, [0, 1, 2, 3, 3, 6, 6, 7, 8, 9, 9])
_BOTTOM = ([f"Key{c}" for c in "ZXCVBNM"] + ["Comma", "Period", "Slash"], 2.25, [0, 1, 2, 3, 3, 6, 6, 7, 8, 9])
_ANSI = [_DIGITS, (_TOP[0] + ["Backslash"], _TOP[1], _TOP[2] + [9]), _HOME, _BOTTOM]
_ISO = [_DIGITS, _TOP, (_HOME[0] + ["Backslash"], _HOME[1], _HOME[2] + [9]),
        (["IntlBackslash"] + _BOTTOM[0], _BOTTOM[1] - 1.0, [0] + _BOTTOM[2])]


def _board(name: str, physical: list, printed: list[tuple[str, str]], altgr: dict[str, str]) -> Layout:
    """A layout from what is printed on each row's keys: (unshifted, shifted) strings as long as the row,
    a space where Shift makes nothing; ``altgr`` maps a character to the code of the key AltGr makes it on.
    A character keeps its first way of being made (unshifted, then shifted, then AltGr)."""
    keys: dict[str, KeyInfo] = {}
    where: dict[str, KeyInfo] = {}
    for r, ((codes, stagger, fingers), (lo, hi)) in enumerate(zip(physical, printed)):
        assert len(lo) == len(hi) == len(codes), (name, r)
        for i, (a, b, code) in enumerate(zip(lo, hi, codes)):
            f = fingers[i]
            hand = LEFT if f < 5 else RIGHT
            where[code] = KeyInfo(a, code, False, hand, f, r, i + stagger)
            keys.setdefault(a, where[code])
            if b != " ":
                keys.setdefault(b, KeyInfo(b, code, True, hand, f, r, i + stagger))
    for ch, code in altgr.items():
        k = where[code]
        keys.setdefault(ch, KeyInfo(ch, code, False, k.hand, k.finger, k.row, k.x, altgr=True))
    keys[" "] = KeyInfo(" ", "Space", False, THUMB, 4, 4, 6.5)
    keys["\n"] = KeyInfo("\n", "Enter", False, RIGHT, 9, 2, 13.0)
    keys["\t"] = KeyInfo("\t", "Tab", False, LEFT, 0, 1, 0.0)
    return Layout(name, keys)


def _qwerty_us() -> Layout:
    return _board("qwerty-us", _ANSI, [("`1234567890-=", "~!@#$%^&*()_+"), ("qwertyuiop[]\\", "QWERTYUIOP{}|"),
                                        ("asdfghjkl;'", 'ASDFGHJKL:"'), ("zxcvbnm,./", "ZXCVBNM<>?")], {})


def _qwertz_de() -> Layout:
    """German (T1): Z and Y swapped, umlauts and ß on their own keys, @ { [ ] } \\ ~ | € with AltGr.
    The dead keys (^, ´, `) are timed as one press of their key."""
    return _board("qwertz-de", _ISO, [("^1234567890ß´", '°!"§$%&/()=?`'), ("qwertzuiopü+", "QWERTZUIOPÜ*"),
                                      ("asdfghjklöä#", "ASDFGHJKLÖÄ'"), ("<yxcvbnm,.-", ">YXCVBNM;:_")],
                  {"@": "KeyQ", "€": "KeyE", "²": "Digit2", "³": "Digit3", "{": "Digit7", "[": "Digit8",
                   "]": "Digit9", "}": "Digit0", "\\": "Minus", "~": "BracketRight", "|": "IntlBackslash",
                   "µ": "KeyM"})


def _azerty_fr() -> Layout:
    """French: A/Q and Z/W swapped, M on the home row, digits with Shift, accented letters on the digit
    row, # { [ | ` \\ @ ] } € with AltGr. The dead keys (^, ¨) are timed as one press of their key."""
    return _board("azerty-fr", _ISO, [("²&é\"'(-è_çà)=", " 1234567890°+"), ("azertyuiop^$", "AZERTYUIOP¨£"),
                                      ("qsdfghjklmù*", "QSDFGHJKLM%µ"), ("<wxcvbn,;:!", ">WXCVBN?./§")],
                  {"~": "Digit2", "#": "Digit3", "{": "Digit4", "[": "Digit5", "|": "Digit6", "`": "Digit7",
                   "\\": "Digit8", "@": "Digit0", "]": "Minus", "}": "Equal", "€": "KeyE", "¤": "BracketRight"})


_LAYOUTS = {"qwerty-us": _qwerty_us, "qwertz-de": _qwertz_de, "azerty-fr": _azerty_fr}
LAYOUTS = tuple(_LAYOUTS)
"""Keyboard layouts by name: what ``--keyboard`` accepts."""


@lru_cache(maxsize=None)
def get_layout(name: str = "qwerty-us") -> Layout:
    if name not in _LAYOUTS:
        raise HcisimError(f"unknown keyboard layout {name!r} (known: {', '.join(sorted(_LAYOUTS))})")
    return _LAYOUTS[name]()


def infer_layout(keys: Iterable, codes: Iterable) -> str | None:
    """The layout a recording was typed on, from what its key events name: the one whose table disagrees
    with the fewest (character, code) pairs (ties go to the earlier of LAYOUTS, US first: most keys sit in
    the same place on every layout). None when no press names both a character and its code."""
    pairs = Counter((k, c) for k, c in zip(keys, codes)
                    if isinstance(k, str) and len(k) == 1 and isinstance(c, str) and c)
    if not pairs:
        return None

    def disagreements(name: str) -> int:
        lay = get_layout(name)
        return sum(n for (k, c), n in pairs.items() if k in lay.keys and lay.keys[k].code != c)

    return min(LAYOUTS, key=disagreements)


def released_keys(types: np.ndarray, keys: np.ndarray, codes: np.ndarray, text: np.ndarray, layout: str) -> np.ndarray:
    """The DOM ``key`` of each event as a browser reports it, for events grouped by ``text`` and in time order
    within each: a release names its key as the modifiers of that moment make it (Shift+h goes down as ``H``;
    with Shift up first it comes up as ``h``; with CapsLock on a letter is a capital; ``@`` on a German board
    comes up as ``q`` after AltGr).

    Why: the model names a key once, as pressed; recorded releases follow the modifiers (in the free-text
    logs 42 % of capital letters come up lower case), so a capture stack saw every capital come up capital."""
    import pyarrow as pa
    import pyarrow.compute as pc

    keys = np.asarray(keys, dtype=object)
    names = pa.array(keys, pa.string())  # compared and encoded by pyarrow: object-array compares cost 10x
    down, up = np.asarray(types) == "down", np.asarray(types) == "up"
    first = np.flatnonzero(np.r_[True, text[1:] != text[:-1]])
    starts = np.repeat(first, np.diff(np.r_[first, len(keys)]))

    def count(name: str, moved: np.ndarray) -> np.ndarray:  # such events so far in the same text
        c = np.cumsum(pc.equal(names, name).to_numpy(zero_copy_only=False) & moved)
        return c - np.r_[0, c][starts]

    shift = count("Shift", down) > count("Shift", up)
    altgr = count("AltGraph", down) > count("AltGraph", up)
    caps = count("CapsLock", down) % 2 == 1
    enc = pa.array(np.asarray(codes, dtype=object), pa.string()).dictionary_encode()
    code_of = enc.dictionary.to_pylist()
    idx = np.flatnonzero(up & enc.is_valid().to_numpy(zero_copy_only=False))
    state = enc.indices.to_numpy(zero_copy_only=False)[idx].astype(np.int64) * 8 + shift[idx] * _SHIFT \
        + caps[idx] * _CAPS + altgr[idx] * _ALTGR
    uniq, inv = np.unique(state, return_inverse=True)  # a few dozen states, whatever the number of texts
    made = _made_by(layout)
    named = np.array([_released_as(made, code_of[st // 8], st) for st in uniq], dtype=object)[inv]
    known = named != None  # noqa: E711 (elementwise)
    out = keys.copy()
    out[idx[known]] = named[known]
    return out


_SHIFT, _CAPS, _ALTGR = 4, 2, 1
"""Bits of a release's modifier state in `released_keys` (the key's code index above them)."""


def _released_as(made: dict[tuple[str, bool, bool], str], code: str, state: int) -> str | None:
    """What the key ``code`` makes under the modifier ``state`` bits; None: a key the layout names no character
    for (keeps its name)."""
    base = made.get((code, False, False))
    if base is None:
        return None
    if state & _ALTGR:
        return made.get((code, False, True))
    return made.get((code, bool(state & _SHIFT) != (bool(state & _CAPS) and base.isalpha()), False))


@lru_cache(maxsize=None)
def _made_by(name: str) -> dict[tuple[str, bool, bool], str]:
    """What each physical key makes: (code, with Shift, with AltGr) -> character (its first such character).
    Tab and Enter are named keys in the DOM (`Tab`, not a tab character): not here."""
    out: dict[tuple[str, bool, bool], str] = {}
    for ch, k in get_layout(name).keys.items():
        if k.code and ch.isprintable():
            out.setdefault((k.code, k.shift, k.altgr), ch)
    return out


@lru_cache(maxsize=None)
def _neighbours(name: str) -> dict[str, list[str]]:
    lay = get_layout(name)
    out: dict[str, list[str]] = {}
    chars = [c for c, k in lay.keys.items() if k.row < 4 and c.isprintable() and not k.altgr]
    for c in chars:
        k = lay.keys[c]
        out[c] = [d for d in chars
                  if d != c and lay.keys[d].shift == k.shift and d.isalpha() == c.isalpha() and abs(lay.keys[d].row - k.row) <= 1
                  and abs(lay.keys[d].x - k.x) <= (1.1 if lay.keys[d].row == k.row else 0.8)
                  and lay.keys[d].code != k.code]
    out[" "] = [c for c in "cvbnm" if c in lay.keys]
    return out


# DOM codes of named keys (what drivers dispatch)
NAMED_CODES = {
    "Shift": "ShiftLeft", "CapsLock": "CapsLock", "Backspace": "Backspace", "Enter": "Enter",
    "Tab": "Tab", "Control": "ControlLeft", "Alt": "AltLeft", "Meta": "MetaLeft",
    "ArrowLeft": "ArrowLeft", "ArrowRight": "ArrowRight", "ArrowUp": "ArrowUp", "ArrowDown": "ArrowDown",
    "Delete": "Delete", "Escape": "Escape", "Home": "Home", "End": "End", "Insert": "Insert",
    "PageUp": "PageUp", "PageDown": "PageDown", "AltGraph": "AltRight",
}


def composed(key: str, layout: str = "qwerty-us") -> bool:
    """A DOM key that is a character no key of ``layout`` makes (é, ’, an emoji): drivers deliver it as
    text input, as a dead key or input method does, since their keyboards have no key to press for it."""
    return len(key) == 1 and key not in get_layout(layout).keys


def code_for(name: str, layout: str = "qwerty-us") -> str | None:
    """DOM ``code`` for a DOM ``key`` value (a character or a key name) on ``layout``; None if unknown."""
    if name in NAMED_CODES:
        return NAMED_CODES[name]
    k = get_layout(layout).keys.get(name)
    return k.code if k is not None else None
