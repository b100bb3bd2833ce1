"""The browser driver types what the typing model plans, in the real Chromium, whatever the characters."""

from __future__ import annotations

import time

import numpy as np
import pytest

from simulator import plan as P
from simulator.drivers.browser import BrowserDriver
from simulator.typing import load_profile, synth_typing

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def driver():
    """One Chromium for the module: each test types in a session (a browser context) of its own."""
    d = BrowserDriver()
    yield d
    d.close()


def brisk(ev) -> P.Plan:
    """The typist's key events in their planned order, at ten times the pace: which keys arrive, not when, is
    under test (at the typist's own pace, 7 s of the two tests' 10)."""
    return P.keys(ev.t_ms / 10 + 50.0, ev.type, ev.key, ev.code)


def test_accents_typographic_quotes_and_emoji_arrive_in_the_field(driver):
    """A character no key on the typist's layout makes (é, —, ’, Ç, 🙂 on a US board) arrives as text insertion
    -- one `input` event of inputType insertText, no keydown or keyup, as an IME-less dead key or character
    picker delivers it -- while every keyed character arrives as its key's keydown, input and keyup. A driver
    that sent the unkeyed ones as ordinary key events would still fill the field, so the events are checked."""
    text = "Café — ’q’ Ç🙂"
    ev = synth_typing([text], profile=load_profile("aalto"), rng=np.random.default_rng(2), uncorrected_errors=False,
                      skill=1.5)[0]  # a fast typist: delivery, not rhythm, is under test
    unkeyed = {"é", "—", "’", "Ç", "🙂"}
    assert {k for k, c in zip(ev.key, ev.code) if c is None} == unkeyed  # planned without a code: no key makes them
    d = driver
    d.start_session("s")
    d.page.set_content("<textarea id='t' autofocus></textarea><script>window.got = [];"
                       "for (const t of ['keydown', 'keyup']) addEventListener(t, e => got.push([t, e.key, e.code]));"
                       "addEventListener('input', e => got.push(['input', e.inputType, e.data, e.isComposing]));"
                       "</script>")
    d.page.click("#t")
    d._t0 = time.perf_counter()  # the plan's clock starts now
    actual = d.dispatch(brisk(ev))
    assert d.page.input_value("#t") == text
    got = d.page.evaluate("got")
    d.end_session()
    assert np.isfinite(actual).all()
    assert not [g for g in got if g[0] != "input" and g[1] in unkeyed]  # no key event names an unkeyed character
    expected = []
    for t, k, c in zip(ev.type, ev.key, ev.code):
        if c is None:  # text insertion at the press, nothing at the release
            expected += [["input", "insertText", k, False]] if t == "down" else []
        elif t == "down":
            expected += [["keydown", k, c]] + ([["input", "insertText", k, False]] if len(k) == 1 else [])
        else:
            expected.append(["keyup", k, c])
    assert got == expected


def test_the_page_receives_each_planned_key_with_its_code_on_a_german_keyboard(driver):
    """Keys arrive where the typist's layout puts them (z as KeyY, @ with AltGr) and with the planned Shift side."""
    text = "Zürich: Grüße @ß {ja} 12!"
    # a typist who takes the right Shift for the left hand's G (new typists each have their habit): the first seed's
    ev = next(e for e in (synth_typing([text], profile=load_profile("aalto"), rng=np.random.default_rng(seed),
                                       layout="qwertz-de", skill=1.5, uncorrected_errors=False)[0] for seed in range(40))
              if "ShiftRight" in e.code)
    d = driver
    d.start_session("s")
    d.page.set_content("<textarea id='t' autofocus></textarea><script>window.got = [];"
                       "for (const t of ['keydown', 'keyup']) addEventListener(t, e => got.push([t, e.key, e.code]));"
                       "</script>")
    d.page.click("#t")
    d._t0 = time.perf_counter()
    d.dispatch(brisk(ev))
    assert d.page.input_value("#t") == text
    got = d.page.evaluate("got")
    d.end_session()
    planned = [["keydown" if t == "down" else "keyup", k, c] for t, k, c in zip(ev.type, ev.key, ev.code)]
    assert got == planned
    assert ["keydown", "Z", "KeyY"] in got and ["keydown", "AltGraph", "AltRight"] in got
    assert ["keydown", "Shift", "ShiftRight"] in got  # Playwright's keyboard only ever pressed the left one


def test_key_events_carry_what_a_keyboard_would_send():
    from simulator.drivers.browser import key_event

    a = key_event(True, "a", "KeyQ", set())  # French a
    assert (a["type"], a["text"], a["code"], a["windowsVirtualKeyCode"], a["modifiers"]) == ("keyDown", "a", "KeyQ", 65, 0)
    one = key_event(True, "1", "Digit1", {"Shift"})  # French 1: Shift held
    assert one["modifiers"] == 8 and one["windowsVirtualKeyCode"] == 49 and one["text"] == "1"
    assert key_event(True, "Shift", "ShiftRight", {"Shift"})["location"] == 2
    assert key_event(True, "c", "KeyC", {"Control"})["text"] == ""  # a shortcut types nothing
    assert key_event(True, "Enter", "Enter", set())["text"] == "\r"
    up = key_event(False, "Backspace", "Backspace", set())
    assert up["type"] == "keyUp" and "text" not in up and up["windowsVirtualKeyCode"] == 8
