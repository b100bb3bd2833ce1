"""Backspace held down to auto-repeat: found in recorded keystrokes, fitted, and laid on generated bursts.

People delete a long stretch by holding Backspace: the OS sends the first press, waits its repeat
delay (~0.5 s), then repeats at its rate (~10-30 /s) until the key comes up; a capture sees several
presses of one key and one release. In the free-text logs 8 % of texts have such a run (a quarter
of Backspace presses). Typed as separate taps instead, a burst lacks the tell-tale signature: presses
of one key overlapping, a long first hold, machine-regular intervals.

Recorded presses follow the OS readers' rule that one release ends every pending press of its key
(`simulator.typing.records.pair_events`, `simulator.readers.pynput_log.read_log`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.typing.params import expit
from simulator.typing.records import Keystrokes

KEY = "Backspace"
LEVELS = np.linspace(0.0, 1.0, 21)
"""Quantile levels of the stored timing laws (coarse: they are machine settings plus a little jitter)."""
MIN_HELD_RUNS = 20
"""Fewer held runs than this in the data: no auto-repeat is fitted (the model taps every Backspace)."""
MAX_QUANTILE = 0.99
"""The longest generated run is this quantile of the recorded run durations."""
MAX_REPEAT_GAP_MS = 700.0
"""A same-key press this soon after a press whose release is unknown counts as a repeat."""


@dataclass
class AutoRepeat:
    """How a profile's typists hold Backspace: P(held | burst length) and the OS repeat timing."""

    logit_a: float            # P(a burst of L presses is held) = expit(a + b log L), L >= 2
    logit_b: float
    delay_q: np.ndarray       # first press -> first repeat (ms), quantiles at LEVELS
    rate_q: np.ndarray        # between later repeats (ms)
    lag_q: np.ndarray         # last repeat -> release (ms)
    max_ms: float = 2_000.0   # longest hold of a run (first press -> release): past it people let go

    def to_json(self) -> dict:
        r = lambda v: [float(f"{x:.6g}") for x in np.asarray(v, float)]  # noqa: E731
        return {"logit": [float(f"{self.logit_a:.6g}"), float(f"{self.logit_b:.6g}")], "delay_ms": r(self.delay_q),
                "rate_ms": r(self.rate_q), "release_lag_ms": r(self.lag_q), "max_ms": float(f"{self.max_ms:.6g}")}

    @staticmethod
    def from_json(d: dict) -> AutoRepeat:
        return AutoRepeat(float(d["logit"][0]), float(d["logit"][1]), np.asarray(d["delay_ms"], float),
                          np.asarray(d["rate_ms"], float), np.asarray(d["release_lag_ms"], float), float(d["max_ms"]))


def repeats(rec: Keystrokes) -> np.ndarray:
    """Per press: an OS repeat of the Backspace press before it (that one still down, or its release
    unknown and this press soon after)."""
    k = rec.key
    prev_down = np.r_[False, (rec.release_ms[:-1] > rec.press_ms[1:])]
    prev_unknown = np.r_[False, np.isnan(rec.release_ms[:-1]) & (np.diff(rec.press_ms) < MAX_REPEAT_GAP_MS)]
    same = np.r_[False, k[1:] == k[:-1]]
    return same & (k == KEY) & (prev_down | prev_unknown)


def held(rep: np.ndarray) -> np.ndarray:
    """Per press, given the `repeats` mask: part of a held run (the run's first press or a repeat)."""
    return rep | np.r_[rep[1:], False]


def _runs(mask: np.ndarray, breaks: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Starts and lengths of maximal runs of True, cut where ``breaks`` is True (a new text)."""
    begins = mask & ~np.r_[False, mask[:-1]]
    if breaks is not None:
        begins |= mask & breaks
    s = np.flatnonzero(begins)
    return s, np.bincount(np.cumsum(begins)[mask] - 1, minlength=len(s))


def fit_autorepeat(records: list[Keystrokes]) -> AutoRepeat | None:
    """Held-run share by burst length (logistic in log length) and pooled repeat timing; None when
    the data has fewer than MIN_HELD_RUNS held runs (browser transcription data has almost none)."""
    lens, was_held, delay, rate, lag, dur = [], [], [], [], [], []
    for r in records:
        if len(r) < 2:
            continue
        rep = repeats(r)
        for s, n in zip(*_runs(r.key == KEY)):
            if n >= 2:
                lens.append(n)
                was_held.append(bool(rep[s + 1:s + n].any()))
        # timing from each held stretch: its first press and the repeats after it
        for s, n in zip(*_runs(rep)):
            gaps = np.diff(r.press_ms[s - 1:s + n])
            delay.append(gaps[0])
            rate.extend(gaps[1:])
            end = r.release_ms[s + n - 1] - r.press_ms[s + n - 1]
            if np.isfinite(end) and end >= 0:
                lag.append(end)
                dur.append(r.release_ms[s + n - 1] - r.press_ms[s - 1])
    if sum(was_held) < MIN_HELD_RUNS or len(delay) < MIN_HELD_RUNS:
        return None
    x, y = np.log(np.asarray(lens, float)), np.asarray(was_held, float)
    a, b = _logistic(x, y)
    rate_q = np.quantile(rate, LEVELS) if len(rate) >= MIN_HELD_RUNS else np.quantile(delay, LEVELS) / 4
    lag_q = np.quantile(lag, LEVELS) if len(lag) >= MIN_HELD_RUNS else 0.5 * rate_q
    longest = float(np.quantile(dur, MAX_QUANTILE)) if len(dur) >= MIN_HELD_RUNS else 2_000.0
    return AutoRepeat(a, b, np.quantile(delay, LEVELS), rate_q, lag_q, longest)


def _logistic(x: np.ndarray, y: np.ndarray, ridge: float = 1e-3) -> tuple[float, float]:
    """Intercept and slope of a one-variable logistic regression (Newton steps, a light ridge)."""
    X = np.c_[np.ones(len(x)), x]
    w = np.zeros(2)
    for _ in range(50):
        p = expit(X @ w)
        g = X.T @ (y - p) - ridge * w
        H = (X * (p * (1 - p))[:, None]).T @ X + ridge * np.eye(2)
        step = np.linalg.solve(H, g)
        w += step
        if np.max(np.abs(step)) < 1e-8:
            break
    return float(w[0]), float(w[1])


def hold_bursts(ar: AutoRepeat | None, keys: np.ndarray, start: np.ndarray, iki: np.ndarray,
                rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Choose which Backspace bursts are held and retime them: returns (iki, repeat mask, lag).

    ``iki`` of the repeats becomes the OS delay then its rate; ``lag`` (per press, 0 elsewhere) is
    the time from a held run's last repeat to its release, set on the run's last press."""
    n = len(keys)
    rep = np.zeros(n, bool)
    lag = np.zeros(n)
    if ar is None or n == 0:
        return iki, rep, lag
    s, ln = _runs(keys == KEY, start)  # runs of Backspace inside one text
    s, ln = s[ln >= 2], ln[ln >= 2]
    keep = rng.random(len(s)) < expit(ar.logit_a + ar.logit_b * np.log(ln))
    s, ln = s[keep], ln[keep]
    if len(s) == 0:
        return iki, rep, lag
    # the repeats: every press of a held run after its first, numbered within their run
    nrep = ln - 1
    off = np.cumsum(nrep) - nrep
    run = np.repeat(np.arange(len(s)), nrep)
    within = np.arange(nrep.sum()) - off[run]
    idx = s[run] + 1 + within
    draw = lambda q, m: np.interp(rng.random(m), LEVELS, q)  # noqa: E731
    gap = np.where(within == 0, draw(ar.delay_q, len(idx)), draw(ar.rate_q, len(idx)))
    run_lag = draw(ar.lag_q, len(s))
    # nobody holds it longer than the data's longest runs: past that they let go and press again (taps)
    cs = np.cumsum(gap)
    since = cs - (cs[off] - gap[off])[run]
    ok = since + run_lag[run] <= ar.max_ms
    idx, gap, run = idx[ok], gap[ok], run[ok]
    iki = iki.copy()
    iki[idx] = gap
    rep[idx] = True
    kept = np.bincount(run, minlength=len(s))
    last = (s + kept)[kept > 0]
    lag[last] = run_lag[kept > 0]
    return iki, rep, lag
