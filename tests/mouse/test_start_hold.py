"""A movement's first gap: the clock's phase, or a still hand after a touch."""

from __future__ import annotations

import copy

import numpy as np

from simulator.mouse import load_profile, synth_moves
from simulator.mouse.fit import fit_device
from simulator.mouse.profile import Device
from simulator.mouse.shape import normalise
from simulator.readers.common import Movements


def _movements(first_gaps: np.ndarray, gap: float = 17.0, n_after: int = 12) -> Movements:
    """Straight 10 px-per-event movements whose first gap is given, then regular gaps."""
    ts, xs, off = [], [], [0]
    for g in first_gaps:
        t = np.r_[0.0, g + gap * np.arange(n_after)]
        ts.append(t)
        xs.append(100.0 + np.r_[0.0, 1.0 + 10.0 * np.arange(n_after)])
        off.append(off[-1] + len(t))
    t, x = np.concatenate(ts), np.concatenate(xs)
    n = len(first_gaps)
    last = np.array(off[1:]) - 1
    return Movements(t, x, np.full(len(t), 300.0), np.array(off), x[last], np.full(n, 300.0), t[last],
                     np.full(n, "1"), np.full(n, "s"))


def test_fit_device_learns_the_first_gap_law():
    rng = np.random.default_rng(0)
    held = rng.random(400) < 0.3
    first = np.where(held, rng.uniform(150, 400, 400), rng.uniform(2, 17, 400)).round()
    dev = fit_device(_movements(first), "d")
    assert dev.first_q is not None
    assert abs(np.mean(dev.first_q >= 150) - 0.3) < 0.06
    assert np.median(dev.gap_q) == 17.0  # the first gaps do not leak into the clock


def test_a_small_recording_leaves_no_copy_of_its_first_gaps_in_the_profile():
    """32 movements made a 32-entry table: each recorded movement's first gap, in a profile meant to be shared."""
    first = np.random.default_rng(1).uniform(2, 400, 32).round()
    dev = fit_device(_movements(first), "d")
    assert dev.first_q is not None and len(dev.first_q) == 8
    assert len(set(dev.first_q.tolist()) & set(first.tolist())) <= 2  # summaries, not the values themselves
    assert fit_device(_movements(first[:31]), "d").first_q is None  # too few to summarise in 8


def test_normalise_starts_the_motion_after_a_start_hold():
    # the same motion with and without a 300 ms still hand after the first touch: same fitted duration
    a = normalise(*_args(_movements(np.array([17.0]))))
    b = normalise(*_args(_movements(np.array([317.0]))))
    assert abs(a[2][0] - b[2][0]) < 1e-9
    assert np.allclose(a[1], b[1])


def _args(mv: Movements):
    return mv.t_ms, mv.x, mv.y, mv.offsets, mv.press_x, mv.press_y


def test_synthesis_draws_first_gaps_from_the_device():
    prof = copy.copy(load_profile("sapimouse"))
    q = np.r_[np.full(22, 9.0), np.full(10, 250.0)]  # ~30 % of movements start with a 250 ms hold
    dev = Device("held", np.where(np.arange(64) % 2 == 0, 16.0, 17.0), np.array([1.0, 0.0, 0.0]), first_q=q)
    n = 600
    rng = np.random.default_rng(2)
    ang = rng.uniform(0, 2 * np.pi, n)
    D = rng.uniform(150, 600, n)
    # the law alone (candidates=1): the profile's critic was fitted on its own devices, not this one,
    # and would choose among the draws
    b = synth_moves(np.full(n, 800.0), np.full(n, 500.0), 800 + D * np.cos(ang), 500 + D * np.sin(ang),
                    profile=prof, rng=rng, device=dev, candidates=1)
    first = b.t_ms[b.offsets[:-1] + 1]
    assert abs(np.mean(first >= 200) - 10 / 32) < 0.07
    # after the hold the pointer has moved (the second event is the motion's, not an unreported still one)
    moved = np.hypot(b.x[b.offsets[:-1] + 1] - 800, b.y[b.offsets[:-1] + 1] - 500)
    assert np.all(moved > 0)
    # a short first gap is the clock's phase: shorter than a frame (unless the hand had not yet moved a
    # pixel by then: that event is not reported, and the first gap is a frame longer)
    assert np.mean(first < 12) > 0.25
