"""Keyboard layouts other than US: where keys are, what needs Shift or AltGr, and that timing follows the keys."""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import pytest
from simulator.typing import apply_key_events, synth_typing
from simulator.typing.layout import LAYOUTS, get_layout, infer_layout, released_keys
from tests.helpers import hcisim, one_line_error


def _typed(text: str, layout: str, seed: int = 0):
    (e,) = synth_typing([text], profile="aalto", rng=np.random.default_rng(seed), layout=layout,
                        uncorrected_errors=False)
    return e


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_character_of_the_layout_is_typed_exactly(name):
    lay = get_layout(name)
    chars = "".join(c for c in lay.keys if c.isprintable() and c != " ")
    text = " ".join(chars[i:i + 6] for i in range(0, len(chars), 6))
    e = _typed(text, name)
    assert apply_key_events(e) == text
    downs = e.key[e.type == "down"]
    for ch in set(text) - {" "}:  # each character's press carries its key's code on this layout
        assert set(e.code[(e.type == "down") & (e.key == ch)]) == {lay.key(ch).code}, ch
    assert ("AltGraph" in set(downs)) == any(k.altgr for k in lay.keys.values())


def test_keys_are_where_each_layout_puts_them():
    de, fr, us = (get_layout(n) for n in ("qwertz-de", "azerty-fr", "qwerty-us"))
    assert (us.key("z").code, de.key("z").code, fr.key("z").code) == ("KeyZ", "KeyY", "KeyW")
    assert de.key("ü").code == "BracketLeft" and not de.key("ü").shift
    assert fr.key("1").shift and not fr.key("é").shift and not us.key("1").shift
    assert de.key("@").altgr and de.key("@").code == "KeyQ" and us.key("@").shift and not us.key("@").altgr
    assert de.key("<").code == "IntlBackslash" and us.key("<").code == "Comma"
    assert set(de.neighbours("z")) >= {"t", "u"} and "x" not in de.neighbours("z")
    assert not any(de.key(n).altgr for c in de.keys for n in de.neighbours(c))  # no typo needs AltGr


def test_the_layout_is_read_from_the_codes_a_recording_names():
    assert infer_layout(["h", "a", "l", "l", "o"], ["KeyH", "KeyA", "KeyL", "KeyL", "KeyO"]) == "qwerty-us"
    assert infer_layout(["z", "w", "e", "i"], ["KeyY", "KeyW", "KeyE", "KeyI"]) == "qwertz-de"
    assert infer_layout(["z", "a", "1"], ["KeyW", "KeyQ", "Digit1"]) == "azerty-fr"
    assert infer_layout(["a", "Shift"], [None, "ShiftLeft"]) is None  # pynput logs name no codes


def test_modifiers_are_held_around_the_keys_that_need_them():
    e = _typed("Mail an info@firma.de, Nr. 12", "qwertz-de")
    order = list(zip(e.type, e.key))
    at = order.index(("down", "@"))
    assert order.index(("down", "AltGraph")) < at < order.index(("up", "AltGraph"))
    assert e.code[e.key == "AltGraph"].tolist() == ["AltRight", "AltRight"]
    f = _typed("code 12", "azerty-fr")  # French digits need Shift
    fo = list(zip(f.type, f.key))
    assert fo.index(("down", "Shift")) < fo.index(("down", "1")) < fo.index(("down", "2")) < fo.index(("up", "Shift"))
    u = _typed("code 12", "qwerty-us")
    assert "Shift" not in set(u.key)


def test_timing_follows_where_the_keys_are():
    """``a`` then ``z`` is one finger on US (pinky, two rows), two hands on German (z is right of t): people
    are slower on the first, so the model must be too, for the same typists and text."""
    texts = ["az " * 12] * 40

    def a_to_z(layout):
        ev = synth_typing(texts, profile="aalto", rng=np.random.default_rng(5), layout=layout,
                          uncorrected_errors=False, candidates=1)
        gaps = []
        for e in ev:
            d = e.type == "down"
            k, t = e.key[d], e.t_ms[d]
            gaps += list(t[1:][(k[:-1] == "a") & (k[1:] == "z")] - t[:-1][(k[:-1] == "a") & (k[1:] == "z")])
        return np.median(gaps)

    assert a_to_z("qwerty-us") > 1.15 * a_to_z("qwertz-de")


def test_cli_layout_option_and_unknown_layout(tmp_path):
    texts = tmp_path / "t.csv"
    texts.write_text("text_id,text\n1,zwei Tassen\n", encoding="utf-8")
    out = tmp_path / "k.parquet"
    r = hcisim("synth-typing", "--texts", texts, "--out", out, "--keyboard", "qwertz-de")
    assert r.returncode == 0, r.stderr
    t = pq.read_table(out).to_pydict()
    assert {c for k, c in zip(t["key"], t["code"]) if k == "z"} == {"KeyY"}
    bad = tmp_path / "bad.parquet"
    r = hcisim("synth-typing", "--texts", texts, "--out", bad, "--keyboard", "dvorak")
    one_line_error(r, "unknown keyboard layout 'dvorak'", "qwertz-de", code=2)
    assert not bad.exists()


def test_a_profile_fitted_on_a_german_keyboard_types_on_it(tmp_path):
    from simulator.dataset import Manifest, write_dataset
    from simulator.typing import fit_profile, load_profile

    texts = ["Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich."] * 12
    events, t0 = [], 0.0
    for e in synth_typing(texts, profile="aalto", rng=np.random.default_rng(2), layout="qwertz-de"):
        events += [dict(session_id="s1", seq=len(events) + i, t_ms=t0 + t, device="keyboard", type=f"key_{ty}",
                        key=k, code=c) for i, (t, ty, k, c) in enumerate(zip(e.t_ms, e.type, e.key, e.code))]
        t0 += e.t_ms[-1] + 8000.0  # a break longer than the segmenting pause: one text each
    data = write_dataset(tmp_path / "ds", Manifest(driver="offline", seed=1), {"events": events})
    r = hcisim("fit", "typing", "--data", data, "--format", "hcisim", "--out", tmp_path / "p.json", "--keyboard", "xx")
    one_line_error(r, "unknown keyboard layout 'xx'", code=2)
    assert not (tmp_path / "p.json").exists()
    prof = load_profile(fit_profile(data, "hcisim", tmp_path / "de.json", report=False))
    assert prof.layout == "qwertz-de" and prof.metadata["layout_from"] == "key codes"  # read from KeyY for z
    given = load_profile(fit_profile(data, "hcisim", tmp_path / "fr.json", layout="azerty-fr", report=False))
    assert given.layout == "azerty-fr" and given.metadata["layout_from"] == "given"
    (typed,) = synth_typing(["zu"], profile=prof, rng=np.random.default_rng(0), uncorrected_errors=False)
    assert typed.code[typed.key == "z"].tolist() == ["KeyY", "KeyY"]
    # a run types on the profile's layout (the browser sends each key's code: tests/browser); pyautogui
    # presses keys through Xvfb's US keymap, so the desktop driver refuses
    r = hcisim("run", "desktop_form", "--driver", "desktop", "--typing-profile", tmp_path / "de.json", "--out", tmp_path / "b")
    one_line_error(r, "qwertz-de keyboard", "US keyboard", code=2)
    r = hcisim("run", "login", "--keyboard", "dvorak", "--out", tmp_path / "d")
    one_line_error(r, "unknown keyboard layout 'dvorak'", code=2)
    assert not (tmp_path / "d").exists()
    r = hcisim("run", "login", "--driver", "offline", "--typing-profile", tmp_path / "de.json", "--out", tmp_path / "o")
    assert r.returncode == 0, r.stderr
    from simulator.dataset import read_dataset

    ev = read_dataset(tmp_path / "o").table("events").to_pydict()
    de = get_layout("qwertz-de")
    typed = [(k, c) for t, k, c in zip(ev["type"], ev["key"], ev["code"]) if t == "key_down" and k and k in de.keys]
    assert len({k for k, _ in typed if k.isalpha()}) >= 5
    assert all(c == de.key(k).code for k, c in typed)
    assert any(c != get_layout("qwerty-us").key(k).code for k, c in typed)  # keys that moved were typed


def test_a_run_types_on_the_keyboard_asked_for_and_says_so(tmp_path):
    """`run --keyboard` types the population's typists on another layout: same content, keys where that layout has them."""
    from simulator.dataset import read_dataset

    def typed(keyboard):
        args = ["--keyboard", keyboard] if keyboard else []
        r = hcisim("run", "login", "--sessions", "2", "--seed", "3", "--out", tmp_path / str(keyboard), *args)
        assert r.returncode == 0, r.stderr
        ds = read_dataset(tmp_path / str(keyboard))
        ev = ds.table("events").to_pydict()
        downs = [(k, c) for t, k, c in zip(ev["type"], ev["key"], ev["code"]) if t == "key_down" and k and len(k) == 1]
        texts = [a["text_intended"] for a in ds.table("actions").to_pylist() if a["kind"] == "type"]
        return downs, texts, ds.manifest.profiles["typing"]["keyboard"]

    _, us_texts, us_kb = typed(None)
    fr, fr_texts, fr_kb = typed("azerty-fr")
    assert (us_kb, fr_kb) == ("qwerty-us", "azerty-fr")
    assert fr_texts == us_texts and len(fr_texts) >= 4  # the same content, typed on another keyboard
    az = get_layout("azerty-fr")
    assert all(c == az.key(k).code for k, c in fr if k in az.keys)
    assert any(c != get_layout("qwerty-us").key(k).code for k, c in fr if k in az.keys)


def test_a_release_names_its_key_as_the_modifiers_of_that_moment_make_it():
    """Every capital came up as a capital, Shift up or not; a browser's keyup (and 42 % of the free-text logs'
    capital releases) names it lower case once Shift is up, and a capital with CapsLock on."""
    ev = [("down", "Shift", "ShiftLeft"), ("down", "H", "KeyH"), ("up", "Shift", "ShiftLeft"), ("up", "H", "KeyH"),
          ("down", "i", "KeyI"), ("down", "Shift", "ShiftLeft"), ("up", "i", "KeyI"), ("down", "!", "Digit1"),
          ("up", "Shift", "ShiftLeft"), ("up", "!", "Digit1"),
          ("down", "CapsLock", "CapsLock"), ("up", "CapsLock", "CapsLock"), ("down", "A", "KeyA"), ("up", "A", "KeyA"),
          ("down", "Shift", "ShiftLeft"), ("down", "1", "Digit1"), ("up", "1", "Digit1"), ("up", "Shift", "ShiftLeft")]
    ty, keys, codes = (np.array(c, dtype=object) for c in zip(*ev))
    got = released_keys(ty, keys, codes, np.zeros(len(ev), int), "qwerty-us")
    assert [k for k, t in zip(got, ty) if t == "up"] == ["Shift", "H".lower(), "I", "Shift", "1", "CapsLock", "A", "!",
                                                        "Shift"]
    assert list(got[ty == "down"]) == list(keys[ty == "down"])  # a press is named as it was made
    # a German @ (AltGr+Q) released after AltGr is a q; the state starts afresh with each text
    de = [("down", "AltGraph", "AltRight"), ("down", "@", "KeyQ"), ("up", "AltGraph", "AltRight"), ("up", "@", "KeyQ"),
          ("down", "Shift", "ShiftLeft"), ("down", "Z", "KeyY"), ("up", "Z", "KeyY")]
    ty, keys, codes = (np.array(c, dtype=object) for c in zip(*de))
    got = released_keys(ty, keys, codes, np.array([0, 0, 0, 0, 1, 1, 1]), "qwertz-de")
    assert list(got[ty == "up"]) == ["AltGraph", "q", "Z"]


def test_generated_releases_follow_shift_as_a_browser_names_them():
    ev = synth_typing(["Hello World, Again Now!"] * 20, profile="aalto", rng=np.random.default_rng(1),
                      uncorrected_errors=False, candidates=1)
    lower = upper = 0
    for e in ev:
        assert e.text == "Hello World, Again Now!"
        shift = np.cumsum((e.key == "Shift") * np.where(e.type == "down", 1, -1)) > 0
        caps = np.cumsum((e.key == "CapsLock") & (e.type == "down")) % 2 == 1  # some typists' capitals
        for k, held in zip(e.key[e.type == "up"], (shift != caps)[e.type == "up"]):
            if len(k) == 1 and k.isalpha():
                assert k.isupper() == held
                lower += k.islower() and k in "HWAN".lower()
                upper += k.isupper()
    assert lower > 0 and upper > 0  # both: Shift up before the capital, and after it
