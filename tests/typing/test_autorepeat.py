"""Backspace held down to auto-repeat: fitted from recorded runs, generated as one key down repeated."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from simulator.typing import apply_key_events, load_profile, synth_typing
from simulator.typing.autorepeat import LEVELS, AutoRepeat, fit_autorepeat, repeats
from simulator.typing.params import CLOCKS
from simulator.typing.records import Keystrokes, pair_events

from .conftest import SENTENCES


def recorded(rng: np.random.Generator, n_texts: int, delay: float, rate: float) -> list[Keystrokes]:
    """Texts of letters and Backspace bursts; bursts of 6+ are held down (OS delay, then its rate)
    and released a little after the last repeat, as an OS log reader pairs them."""
    out = []
    for j in range(n_texts):
        press, release, key = [], [], []
        t = 0.0
        for _ in range(12):
            for _ in range(int(rng.integers(3, 8))):
                t += rng.uniform(120, 200)
                press.append(t)
                release.append(t + 90)
                key.append("a")
            L = int(rng.integers(1, 12))
            t += 300
            if L >= 6:
                times = t + np.r_[0.0, delay + rate * np.arange(L - 1)]
                end = times[-1] + rng.uniform(0, rate)
                press += list(times)
                release += [end] * L
                key += ["Backspace"] * L
                t = end
            else:
                for _ in range(L):
                    t += rng.uniform(140, 180)
                    press.append(t)
                    release.append(t + 80)
                    key.append("Backspace")
        out.append(Keystrokes("01", str(j), np.array(press), np.array(release), np.array(key, dtype=object),
                              np.array([None] * len(key), dtype=object)))
    return out


def test_fit_recovers_the_os_timing_and_that_long_bursts_are_held():
    ar = fit_autorepeat(recorded(np.random.default_rng(0), 40, delay=450.0, rate=90.0))
    assert ar is not None
    assert np.median(ar.delay_q) == pytest.approx(450.0, abs=1.0)
    assert np.median(ar.rate_q) == pytest.approx(90.0, abs=1.0)
    assert 0.0 <= ar.lag_q[0] and ar.lag_q[-1] <= 90.0
    p = lambda L: 1 / (1 + np.exp(-(ar.logit_a + ar.logit_b * np.log(L))))  # noqa: E731
    assert p(3) < 0.1 and p(10) > 0.9


def test_no_held_runs_no_autorepeat():
    recs = recorded(np.random.default_rng(1), 40, delay=450.0, rate=90.0)
    tapped = [Keystrokes(r.user, r.text_id, r.press_ms, r.press_ms + 60.0, r.key, r.code) for r in recs]
    for r in tapped:  # taps: each press released before the next, spaced like a person
        r.press_ms[:] = np.cumsum(np.full(len(r), 150.0))
        r.release_ms[:] = r.press_ms + 60.0
    assert not any(repeats(r).any() for r in tapped)
    assert fit_autorepeat(tapped) is None


def test_pair_events_one_release_ends_every_pending_press_of_its_key():
    ks = pair_events([0, 400, 500, 530, 600, 700], ["down", "down", "down", "up", "down", "up"],
                     ["Backspace", "Backspace", "Backspace", "Backspace", "a", "a"], [None] * 6)
    assert list(ks.release_ms) == [530, 530, 530, 700]


@pytest.fixture(scope="module")
def holding():
    """The aalto profile with every Backspace burst of 2+ held down: OS delay 450 ms, rate 90 ms."""
    prof = copy.deepcopy(load_profile("aalto"))
    prof.shared.autorepeat = AutoRepeat(50.0, 0.0, np.full(len(LEVELS), 450.0), np.full(len(LEVELS), 90.0),
                                        np.full(len(LEVELS), 40.0))
    return prof


def test_held_bursts_are_one_key_down_repeated_with_one_release_and_type_the_text(holding):
    texts = SENTENCES * 30
    ev = synth_typing(texts, profile=holding, rng=np.random.default_rng(3), uncorrected_errors=False, candidates=1)
    assert all(apply_key_events(e) == s for e, s in zip(ev, texts))
    held_runs = 0
    for e in ev:
        assert np.all(np.diff(e.t_ms) >= 0)
        ks = e.to_keystrokes()
        rep = repeats(ks)
        held_runs += int(np.sum(rep & ~np.r_[False, rep[:-1]]))
        b = e.key == "Backspace"
        downs, ups = np.sum(b & (e.type == "down")), np.sum(b & (e.type == "up"))
        assert downs - ups == rep.sum()  # each OS repeat is a down without an up of its own
        for i in np.flatnonzero(rep):
            gap = ks.press_ms[i] - ks.press_ms[i - 1]
            first = not rep[i - 1]
            assert gap == pytest.approx(450.0 if first else 90.0, abs=max(CLOCKS) + 1)  # the capture clock's grid
            assert ks.release_ms[i] == ks.release_ms[i - 1]  # one release ends the run
        # the next key goes down after the run's release
        ends = np.flatnonzero(rep & ~np.r_[rep[1:], False])
        nxt = ends[ends + 1 < len(ks)] + 1
        assert np.all(ks.press_ms[nxt] >= ks.release_ms[nxt - 1] - 1.0)
    assert held_runs > 20


def test_shipped_profiles_hold_backspace_as_their_data_does():
    ar = load_profile("freetext").shared.autorepeat
    assert ar is not None  # the OS-level free-text logs have held runs
    assert 300 <= np.median(ar.delay_q) <= 700 and 30 <= np.median(ar.rate_q) <= 150
    assert load_profile("aalto").shared.autorepeat is None  # browser transcription: almost never
