"""The device/capture layer: what a capture stack records of a continuous motion.

Separate from the motor model because the same hand looks different through
different stacks: a browser reports mousemove once per frame (60 Hz, some
125 Hz) and only when the pointer moved; RDP (Balabit) stamps events on a
15.6 ms Windows clock and delivers them in ~110 ms batches, several to a stamp.
A device is fitted as: the gaps between distinct stamps while moving, the clock
tick, how many events share one stamp, integer pixels. Events whose integer
position did not change are not reported (that is where pauses come from).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.mouse.motor import MotorPlan
from simulator.mouse.profile import Device
from simulator.mouse.shape import HOLD_FACTOR


NAMED_DEVICES = {
    # a USB mouse polled at 125 Hz seen by a native logger: 8 ms with 1 ms jitter
    "usb125": Device("usb125", np.quantile(np.r_[np.full(80, 8.0), np.full(10, 7.0), np.full(10, 9.0)],
                                           np.linspace(0, 1, 64)), np.array([1.0, 0.0, 0.0]), 1.0, True),
    # a browser's requestAnimationFrame-synced mousemove at 60 Hz
    "raf60": Device("raf60", np.quantile(np.r_[np.full(45, 17.0), np.full(45, 16.0), np.full(6, 15.0),
                                               np.full(4, 33.0)], np.linspace(0, 1, 64)),
                    np.array([1.0, 0.0, 0.0]), 1.0, True),
}


@dataclass
class Captured:
    t_ms: np.ndarray
    x: np.ndarray
    y: np.ndarray
    offsets: np.ndarray


def _stamps(dev: Device, t_end: np.ndarray, rng: np.random.Generator, from_start: bool = False,
            first_gap: np.ndarray | None = None):
    """Stamps (and the true times the events were sampled at) covering [0, t_end] for each movement.

    ``first_gap`` (with ``from_start``): the gap from each movement's first event to its second
    (drawn from the device's own law of first gaps); later stamps follow at the device's gaps.
    """
    n = len(t_end)
    gq = dev.gap_q
    mean_gap = float(np.mean(gq))
    cnt = (np.ceil(t_end / mean_gap * 1.25) + 8).astype(np.int64)
    mov = np.repeat(np.arange(n), cnt)
    gaps = gq[rng.integers(0, len(gq), len(mov))]
    # a frame clock of non-integer period (16.67 ms) read in whole ms gives 16, 17, 17, 16, ... in a
    # fixed rhythm, not independent draws: gaps of the main mode run at the mode's mean period
    med = float(np.median(gq))
    main = np.abs(gq - med) <= 1.5
    gaps = np.where(np.abs(gaps - med) <= 1.5, float(np.mean(gq[main])), gaps)
    starts = np.r_[0, np.cumsum(cnt)[:-1]]
    cs = np.cumsum(gaps)
    within = cs - np.repeat(cs[starts] - gaps[starts], cnt)  # cumsum restarted per movement
    phase = rng.uniform(0, 1, n) * mean_gap
    if from_start:  # the first event is the movement's first sample (t = 0), as the cut rule defines it
        phase[:] = 0.0
    stamp = np.repeat(phase, cnt) + within - np.repeat(gaps[starts], cnt)
    if from_start and first_gap is not None:
        # the second event comes after the movement's own first gap (any phase of the clock, or a hold)
        sec = starts + 1
        shift = np.repeat(np.asarray(first_gap, float) - gaps[sec], cnt)
        shift[starts] = 0.0
        stamp = stamp + shift
        gaps = gaps.copy()
        gaps[sec] = np.where(first_gap <= HOLD_FACTOR * med, first_gap, med)
    # keep stamps before the end plus the first one at/after it (the one that sees the pointer at rest)
    before = stamp < np.repeat(t_end, cnt)
    before[starts] = True  # every movement has at least its first stamp
    first_after = np.zeros(len(stamp), bool)
    prev_before = np.r_[False, before[:-1]] & (np.r_[-1, mov[:-1]] == mov)
    first_after[~before & prev_before] = True
    keep = before | first_after
    mov, stamp, gaps = mov[keep], stamp[keep], gaps[keep]
    # several events on one stamp: extra ones were sampled earlier in the gap before it
    pk = dev.per_stamp / dev.per_stamp.sum()
    # how often events share a stamp varies between movements (batches come in bursts): a
    # per-movement share drawn from a Beta law whose mean is the fitted share
    shared = 1.0 - pk[0]
    if shared > 1e-6:
        c = dev.share_conc
        p_m = rng.beta(max(c * shared, 1e-3), max(c * (1.0 - shared), 1e-3), n)[mov]
    else:
        p_m = np.zeros(len(mov))
    u = rng.random(len(stamp))
    k = 1 + (u < p_m).astype(int) + (u < p_m * pk[2] / max(shared, 1e-9)).astype(int)
    first = np.r_[True, mov[1:] != mov[:-1]]
    if not from_start:
        k[first] = 1
    rep = np.repeat(np.arange(len(stamp)), k)
    j = np.arange(len(rep)) - np.repeat(np.cumsum(k) - k, k)
    kk = k[rep]
    # co-stamped events were sampled spread over the gap before the stamp (an RDP batch holds the
    # ~110 ms since the last one: the shared-stamp segment is about half an ordinary one, as recorded)
    spacing = gaps[rep] / kk
    true_t = stamp[rep] - spacing * (kk - 1 - j) - rng.uniform(0, 1, len(rep)) * np.minimum(dev.age_ms, gaps[rep] / 4)
    if from_start:
        # the batch that holds a movement's first event: it and the ones sampled after it share stamp 0
        f = first[rep]
        true_t[f] = spacing[f] * j[f]
    st = stamp[rep]
    if dev.tick_ms > 1.0:
        # a coarse clock read in whole ms: the nearest tick (flooring a sum of gaps that average just
        # under a tick would put every second event on the first one's stamp)
        st = np.floor(np.rint(st / dev.tick_ms) * dev.tick_ms)
    else:
        st = np.rint(st)
    return mov[rep], st, true_t


def _t_first_px(plan: MotorPlan, ids: np.ndarray) -> np.ndarray:
    """Time (ms) at which each movement's motor plan has covered about one pixel of its path."""
    S = plan.S[ids]
    need = np.minimum(1.0 / np.maximum(plan.D[ids], 1.0), 1.0)[:, None]
    j = np.clip(np.argmax(S >= need, 1), 1, S.shape[1] - 1)
    r = np.arange(len(ids))
    s0, s1 = S[r, j - 1], S[r, j]
    f = np.clip((need[:, 0] - s0) / np.maximum(s1 - s0, 1e-12), 0, 1)
    return (j - 1 + f) / (S.shape[1] - 1) * plan.T[ids]


def capture(plan: MotorPlan, dev_of: np.ndarray, devices: list[Device], x0, y0, fx, fy,
            rng: np.random.Generator) -> Captured:
    """Sample the motor plan through each movement's device; first sample (x0, y0) at t = 0, last (fx, fy).

    The first event is the movement's first sample (the cut rule starts a
    movement at its first Move, the pointer already under way), so each device
    clock starts at t = 0 there.
    """
    n = len(plan.sx)
    parts = []
    hold = np.zeros(n)
    for di, dev in enumerate(devices):
        ids = np.flatnonzero(dev_of == di)
        if len(ids) == 0:
            continue
        g1 = None
        if dev.first_q is not None:
            # the first Move is a touch: a first gap much longer than the clock's is a still hand before
            # the motion proper (the fitted law of movements starts after it: see shape.normalise)
            g1 = dev.first_q[rng.integers(0, len(dev.first_q), len(ids))]
            med = float(np.median(dev.gap_q))
            # the hold ends when the hand has moved a pixel by the next stamp (not one clock gap into a
            # slow start that a stack would not report: that stretched the recorded first gaps further)
            start = np.maximum(med, _t_first_px(plan, ids))
            hold[ids] = np.where(g1 > HOLD_FACTOR * med, np.maximum(g1 - start, 0.0), 0.0)
        m, st, tt = _stamps(dev, plan.t_end[ids] + hold[ids], rng, from_start=True, first_gap=g1)
        parts.append((ids[m], st, tt, np.full(len(m), dev.integer_px)))
    mov = np.concatenate([p[0] for p in parts])
    order = np.argsort(mov, kind="stable")
    mov, stamp, true_t, integer = (np.concatenate([p[i] for p in parts])[order] for i in range(4))
    x, y = plan.position(mov, true_t - hold[mov])
    is_last = np.r_[mov[1:] != mov[:-1], True]
    head = np.r_[True, mov[1:] != mov[:-1]]
    fi = np.flatnonzero(head)
    # similarity transform fixing the press point and sending the first event to (x0, y0)
    ex, ey = np.asarray(fx, float), np.asarray(fy, float)
    p0 = (x[fi] - ex[mov[fi]]) + 1j * (y[fi] - ey[mov[fi]])
    s0 = (np.asarray(x0, float) - ex) + 1j * (np.asarray(y0, float) - ey)
    z = np.where(np.abs(p0) > 1e-9, s0[mov[fi]] / np.where(np.abs(p0) > 1e-9, p0, 1), 1)
    zz = np.empty(n, complex)
    zz[mov[fi]] = z
    w = ((x - ex[mov]) + 1j * (y - ey[mov])) * zz[mov]
    x, y = w.real + ex[mov], w.imag + ey[mov]
    x = np.where(integer, np.rint(x), x)
    y = np.where(integer, np.rint(y), y)
    x[fi], y[fi] = np.asarray(x0, float)[mov[fi]], np.asarray(y0, float)[mov[fi]]
    tail = is_last & ~head
    x[tail], y[tail] = ex[mov[tail]], ey[mov[tail]]
    t = stamp - stamp[fi][np.cumsum(head) - 1]
    # unreported: events where the pointer did not move (the first event always stays)
    same = np.r_[False, (x[1:] == x[:-1]) & (y[1:] == y[:-1]) & (mov[1:] == mov[:-1])]
    # the final (press) position stays even if reached earlier: keep the earlier, drop later repeats
    keep = ~same
    mov, t, x, y = mov[keep], t[keep], x[keep], y[keep]
    # a movement whose only sample is its start still needs its end: append it
    counts = np.bincount(mov, minlength=n)
    offsets = np.r_[0, np.cumsum(counts)].astype(np.int64)
    last = offsets[1:] - 1
    need = (x[last] != ex) | (y[last] != ey)
    if need.any():
        ins = offsets[1:][need]
        gap = float(np.mean([np.mean(d.gap_q) for d in devices]))
        x = np.insert(x, ins, ex[need])
        y = np.insert(y, ins, ey[need])
        t = np.insert(t, ins, t[last[need]] + gap)
        mov = np.insert(mov, ins, np.flatnonzero(need))
        counts = np.bincount(mov, minlength=n)
        offsets = np.r_[0, np.cumsum(counts)].astype(np.int64)
    return Captured(t, x, y, offsets)
