from __future__ import annotations

import pytest

from simulator.errors import HcisimError
from simulator.typing import apply_key_events, code_for
from simulator.typing.layout import get_layout


def ev(*pairs):
    return {"type": [t for t, _ in pairs], "key": [k for _, k in pairs]}


def test_apply_handles_backspace_enter_shift_and_shortcuts():
    e = ev(("down", "Shift"), ("down", "H"), ("up", "H"), ("up", "Shift"), ("down", "i"), ("down", "x"),
           ("down", "Backspace"), ("down", "Enter"), ("down", "Control"), ("down", "a"), ("up", "a"),
           ("up", "Control"), ("down", "CapsLock"), ("down", "!"), ("up", "!"))
    assert apply_key_events(e) == "Hi\n!"


def test_backspace_on_empty_field_does_nothing():
    assert apply_key_events(ev(("down", "Backspace"), ("down", "a"))) == "a"


def test_layout_geometry_and_codes():
    lay = get_layout("qwerty-us")
    assert lay.key("f").hand != lay.key("j").hand
    assert lay.key("A").shift and not lay.key("a").shift
    assert set(lay.neighbours("g")) >= {"f", "h", "t", "b"}
    assert all(lay.key(n).shift for n in lay.neighbours("G"))
    assert code_for("?") == "Slash" and code_for("Backspace") == "Backspace" and code_for("é") is None


def test_unknown_layout_and_untypable_character():
    with pytest.raises(HcisimError, match="layout"):
        get_layout("dvorak-xx")
    with pytest.raises(HcisimError, match="cannot type"):
        get_layout().check("bell\x07")
    get_layout().check("price: 5€, café, ’quoted’, tab\there")  # every printable character has a key


def test_off_layout_characters_are_timed_on_the_key_they_are_made_on():
    lay = get_layout("qwerty-us")
    for ch, base in (("é", "e"), ("Ç", "C"), ("’", "'"), ("—", "-"), ("\u00a0", " ")):
        k, b = lay.key(ch), lay.key(base)
        assert (k.char, k.hand, k.finger, k.row, k.shift) == (ch, b.hand, b.finger, b.row, b.shift)
        assert k.code == "" and lay.neighbours(ch) == []
    assert lay.key("🙂").row == 0 and lay.key("Backspace") is None
    assert "\t" not in {n for c in lay.keys for n in lay.neighbours(c)}  # no typo lands on Tab
