"""Characters no key of the keyboard makes (é, ’, ß, an emoji), pressed on X as keys held for the whole run.

Why not ``xdotool type``: it maps the character onto a spare keycode, presses it and maps the keycode back at
once. A client reads the new mapping only when it handles the key (Xlib refetches it lazily after the
MappingNotify), so an app a little behind found the keycode mapped to nothing again and dropped the character
(Tk lost ``’`` of ``Zoë’ß`` now and then). Here each character keeps its keycode from before the first key event
that needs it until the driver closes, and is pressed and released at the plan's own times.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from simulator.errors import HcisimError


def keysym_for(ch: str) -> int:
    """The X keysym of one character: Latin-1 ones are their code point, the rest Unicode keysyms."""
    cp = ord(ch)
    return cp if 0x20 <= cp <= 0x7E or 0xA0 <= cp <= 0xFF else 0x01000000 | cp


class SpareKeys:
    """Binds characters to keycodes the server's keymap leaves empty, on one Xlib connection of its own.

    When the spare keycodes run out, the one bound longest ago is bound again (never one held down)."""

    def __init__(self, display_name: str) -> None:
        from Xlib import display as xdisplay

        self._d = xdisplay.Display(display_name)
        info = self._d.display.info
        first, count = info.min_keycode, info.max_keycode - info.min_keycode + 1
        mapping = self._d.get_keyboard_mapping(first, count)
        self._width = max(2, len(mapping[0]) if mapping else 2)
        self._spare = [first + i for i, syms in enumerate(mapping) if not any(syms)]
        self._bound: OrderedDict[str, int] = OrderedDict()
        self._down: set[int] = set()

    def bind(self, chars: Iterable[str]) -> None:
        """Give each character a keycode ahead of its key events (the server tells clients before they type)."""
        for ch in dict.fromkeys(chars):
            self._keycode(ch)
        self._d.sync()

    def _keycode(self, ch: str) -> int:
        if ch in self._bound:
            self._bound.move_to_end(ch)
            return self._bound[ch]
        free = [k for k in self._spare if k not in self._bound.values()]
        if free:
            keycode = free[0]
        else:
            old = next((c for c, k in self._bound.items() if k not in self._down), None)
            if old is None:
                raise HcisimError(f"cannot type {ch!r}: the display's keymap has no empty keycode left to put it on")
            keycode = self._bound.pop(old)
        self._d.change_keyboard_mapping(keycode, [(keysym_for(ch),) * self._width])
        self._bound[ch] = keycode
        return keycode

    def press(self, ch: str, down: bool) -> None:
        from Xlib import X
        from Xlib.ext import xtest

        keycode = self._keycode(ch)
        xtest.fake_input(self._d, X.KeyPress if down else X.KeyRelease, keycode)
        (self._down.add if down else self._down.discard)(keycode)
        self._d.sync()

    def close(self) -> None:
        """Release what is held and leave the keycodes empty again (on a person's display, their keymap)."""
        from Xlib import X
        from Xlib.ext import xtest

        try:
            for keycode in self._down:
                xtest.fake_input(self._d, X.KeyRelease, keycode)
            for keycode in self._bound.values():
                self._d.change_keyboard_mapping(keycode, [(0,) * self._width])
            self._d.sync()
        finally:
            self._d.close()
