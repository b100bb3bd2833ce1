"""The capture layer's shared stamps: a coarse clock, RDP batches and how bursty they are."""

from __future__ import annotations

import numpy as np

from simulator.mouse import load_profile, synth_moves
from simulator.mouse.device import _stamps
from simulator.mouse.fit import _share_concentration
from simulator.mouse.profile import Device


def test_share_concentration_recovers_a_beta_binomial():
    rng = np.random.default_rng(3)
    for c_true in (3.0, 30.0):
        n = rng.integers(5, 40, 4000).astype(float)
        p = rng.beta(c_true * 0.06, c_true * 0.94, len(n))
        s = rng.binomial(n.astype(int), p).astype(float)
        c = _share_concentration(n, s)
        assert c_true / 1.6 < c < c_true * 1.6, (c_true, c)


def test_tick_clock_does_not_stack_the_first_events_on_one_stamp():
    # a 15.625 ms clock whose gaps read 15/16 ms: rounding to the nearest tick keeps one event per tick
    dev = Device("tick", np.where(np.arange(64) % 2 == 0, 15.0, 16.0), np.array([1.0, 0.0, 0.0]), 1000 / 64)
    mov, st, _ = _stamps(dev, np.full(200, 300.0), np.random.default_rng(0), from_start=True)
    first = np.r_[True, mov[1:] != mov[:-1]]
    second = np.flatnonzero(first)[:-1] + 1
    assert np.mean(st[second] - st[second - 1] == 0) < 0.02
    assert np.mean(np.diff(st)[np.diff(mov) == 0] == 0) < 0.02


def test_balabit_shared_stamps_are_spread_over_movements():
    # recorded RDP sessions co-stamp ~4-5 % of stamps in about 30-50 % of movements, not all in a few
    prof = load_profile("balabit")
    rng = np.random.default_rng(1)
    u = "12"
    n = 600
    ang = rng.uniform(0, 2 * np.pi, n)
    D = rng.uniform(100, 600, n)
    b = synth_moves(np.full(n, 800.0), np.full(n, 500.0), 800 + D * np.cos(ang), 500 + D * np.sin(ang),
                    profile=prof, rng=rng, user=u)
    zero_any = np.array([np.any(np.diff(b.one(i)[0]) == 0) for i in range(n)])
    assert 0.2 < zero_any.mean() < 0.7
