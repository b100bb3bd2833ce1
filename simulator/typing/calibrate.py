"""Calibration by re-typing: the fit estimates each piece of a typist on its own, and only the
generator shows what they add up to.

Each step types a sample of the recorded texts again, as their own fitted typists, compares one
statistic of the re-typing with the recording's and moves the parameters that set it by the
difference (a secant or multiplicative step, a round or a few). Fitted effects are means of a
regression; detectors compare medians, tails and per-text spreads, so those are what is matched.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from simulator.typing.context import CLASSES, HOLD_KINDS, keystroke_context
from simulator.typing.layout import Layout
from simulator.typing.model import PLACES, Shared, synthesise, text_place
from simulator.typing.params import CLASS_COLS, HOLD_COLS, P, Typist, logit
from simulator.typing.records import MODIFIERS, Keystrokes
from simulator.typing.text import intended_text

@dataclass
class _Retyping:
    """Recorded texts and the fitted typists who wrote them, to be typed again by the generator.

    Every calibration below compares a statistic of the recording with the same statistic of its
    re-typing and moves some parameters by the difference: the fit estimates pieces one at a time,
    and only the generator shows what they add up to.
    """

    recs: list[Keystrokes]
    texts: list[str]
    rows: np.ndarray  # each text's typist: a row of theta

    def type(self, theta: np.ndarray, shared: Shared, layout: Layout, seed: int) -> list:
        typists = [Typist(r.user, theta[u]) for r, u in zip(self.recs, self.rows)]
        return synthesise(self.texts, typists, shared, layout, np.random.default_rng(seed))


def _retyping(recs: list[Keystrokes], ui: dict[str, int], layout: Layout, min_keys: int = 0) -> _Retyping:
    texts = [intended_text(r, layout) for r in recs]
    keep = [i for i, t in enumerate(texts) if t and recs[i].user in ui and len(recs[i]) >= min_keys]
    return _Retyping([recs[i] for i in keep], [texts[i] for i in keep],
                     np.array([ui[recs[i].user] for i in keep], int))


def _random_texts(records: list[Keystrokes], n: int, seed: int) -> list[Keystrokes]:
    pick = np.random.default_rng(seed).choice(len(records), size=min(n, len(records)), replace=False)
    return [records[i] for i in sorted(pick)]


def _hold_next_corr(recs) -> float:
    """Mean over texts of corr(log hold of a key, log interval to the next key), all keys."""
    out = []
    for r in recs:
        o = np.argsort(r.press_ms, kind="stable")
        p, h = r.press_ms[o], (r.release_ms - r.press_ms)[o]
        m = np.isfinite(h[:-1]) & (h[:-1] > 0)
        if m.sum() > 5:
            x, y = np.log(h[:-1][m]), np.log(np.maximum(np.diff(p)[m], 1))
            if x.std() > 0 and y.std() > 0:
                out.append(np.corrcoef(x, y)[0, 1])
    return float(np.mean(out)) if out else 0.0


def _calibrate_hold_link(records, ui, theta, shared, layout, n_texts: int = 400) -> float:
    """Shift of atanh(rho) so generated texts show the data's hold-to-next-interval correlation.

    Part of that correlation comes from structure the generator already has (a Space is held
    longer and followed by a slower word start; a repeated key must come up first), so the
    residual link estimated alone double-counts it; one simulation measures the structural part.
    """
    rt = _retyping(_random_texts(records, n_texts, 2), ui, layout)
    if not rt.texts:
        return 0.0
    real = _hold_next_corr(rt.recs)
    shift = 0.0
    for _ in range(2):
        th = theta.copy()
        th[:, P["atanh_rho_h"]] += shift
        gen = _hold_next_corr([e.to_keystrokes() for e in rt.type(th, shared, layout, 3)])
        shift += real - gen
    return float(np.clip(shift, -0.5, 0.5))


def _class_medians(recs, layout) -> np.ndarray:
    """Median log interval per digraph class, median log hold per key kind, median log Shift lead
    at a text's first key and inside texts."""
    keys, press, start, hold, lead, first_lead = [], [], [], [], [], []
    for r in recs:
        o = np.argsort(r.press_ms, kind="stable")
        k_all, p_all = r.key[o], r.press_ms[o]
        sh = np.flatnonzero(k_all[:-1] == "Shift")
        first_lead.append(p_all[sh[sh == 0] + 1] - p_all[sh[sh == 0]])
        lead.append(p_all[sh[sh > 0] + 1] - p_all[sh[sh > 0]])
        m = ~np.isin(r.key, list(MODIFIERS))
        if m.sum() < 2:
            continue
        o = np.argsort(r.press_ms[m], kind="stable")
        keys.append(r.key[m][o])
        press.append(r.press_ms[m][o])
        hold.append((r.release_ms - r.press_ms)[m][o])
        s = np.zeros(m.sum(), bool)
        s[0] = True
        start.append(s)
    k, p, s, h = np.concatenate(keys), np.concatenate(press), np.concatenate(start), np.concatenate(hold)
    ctx = keystroke_context(k, s, layout)
    li = np.log(np.maximum(np.diff(p, prepend=p[0]), 1.0))
    lh = np.log(np.where(np.isfinite(h) & (h > 0), h, np.nan))
    med = lambda v, m: np.nanmedian(v[m]) if np.sum(m & np.isfinite(v)) > 20 else np.nan  # noqa: E731
    def med_lead(parts):
        v = np.concatenate(parts) if parts else np.zeros(0)
        return np.median(np.log(v[v > 0])) if np.sum(v > 0) > 20 else np.nan

    return np.r_[[med(li, (ctx.cls == c) & ~s) for c in range(len(CLASSES))],
                 [med(lh, ctx.hold_kind == j) for j in range(len(HOLD_KINDS))],
                 med_lead(lead), med_lead(first_lead)]


def _calibrate_class_medians(records, ui, theta, shared, layout, n_texts: int = 600) -> np.ndarray:
    """Shifts of tempo, class offsets, hold levels and Shift lead so the medians per digraph class,
    per key kind and of the Shift lead match the data.

    The regression fits means of log intervals; a class whose spread or pause rate differs from
    the others then lands off in its median, which is what detectors compare (e.g. alternating vs
    same-hand). One simulation of the same texts by the same typists measures and removes that.
    """
    rt = _retyping(_random_texts(records, n_texts, 4), ui, layout)
    delta = np.zeros(theta.shape[1])
    if not rt.texts:
        return delta
    real = _class_medians(rt.recs, layout)
    nc, nh = len(CLASSES), len(HOLD_KINDS)
    for _ in range(2):
        ev = rt.type(theta + delta, shared, layout, 5)
        d = np.nan_to_num(real - _class_medians([e.to_keystrokes() for e in ev], layout))
        delta[P["mu"]] += d[0]
        delta[CLASS_COLS] += d[1:nc] - d[0]
        delta[P["h_mu"]] += d[nc]
        delta[HOLD_COLS] += d[nc + 1:nc + nh] - d[nc]
        delta[P["lead_logit"]] += 1.5 * d[nc + nh]  # d logit ~ d log / (1 - f) for a mid-gap Shift
        delta[P["first_lead_mu"]] += d[nc + nh + 1]
    return np.clip(delta, -0.3, 0.3)


def _text_widths(recs) -> np.ndarray:
    """Per text: p50 - p10 and p90 - p50 of log press-to-press intervals (all keys), as detectors see them."""
    out = np.full((len(recs), 2), np.nan)
    for j, r in enumerate(recs):
        li = np.log(np.maximum(np.diff(np.sort(r.press_ms)), 1.0))
        if len(li) >= 10:
            p10, p50, p90 = np.percentile(li, (10, 50, 90))
            out[j] = p50 - p10, p90 - p50
    return out


def _calibrate_spreads(records, ui, theta, shared, layout, rounds: int = 3) -> np.ndarray:
    """Per typist, shifts of log_sd and skew so that generated texts are as wide below and above their
    median as the typist's recorded ones (median over texts).

    The fitted spreads describe residuals after context effects and per-text intercepts; what a
    text shows also holds its context mix, pauses and Shift events, and in recordings slow typists
    widen only on the slow side. One simulation per round of every text by its own typist measures
    the difference, and the spreads are moved by a little more than it (context spread does not scale).
    """
    rt = _retyping(records, ui, layout, min_keys=11)
    delta = np.zeros_like(theta)
    if len(rt.texts) < 20:
        return delta
    users = rt.rows
    real = _text_widths(rt.recs)
    nu = len(theta)

    def per_user(wd):
        ok = np.all(np.isfinite(wd), 1)
        out = np.full((nu, 2), np.nan)
        for u in np.unique(users[ok]):
            out[u] = np.median(wd[ok & (users == u)], axis=0)
        return out

    r_u = per_user(real)
    for k in range(rounds):
        ev = rt.type(theta + delta, shared, layout, 6 + k)
        g_u = per_user(_text_widths([e.to_keystrokes() for e in ev]))
        d = np.nan_to_num(np.log(np.maximum(r_u, 1e-3) / np.maximum(g_u, 1e-3)))
        d_lo, d_hi = 1.3 * d[:, 0], 1.3 * d[:, 1]
        delta[:, P["log_sd"]] += 0.5 * (d_lo + d_hi)
        delta[:, P["skew"]] += d_hi - d_lo
    return np.clip(delta, -1.0, 1.0)


def _long_share(recs, ms: float = 2000.0) -> float:
    """Share of press-to-press intervals (all keys) longer than ``ms``."""
    d = np.concatenate([np.diff(np.sort(r.press_ms)) for r in recs])
    return float(np.mean(d > ms)) if len(d) else 0.0


PLACE_PAUSE_MS = 500.0
"""An interval longer than this is a pause for the place calibration (a detector's pause_500)."""


def _place_pause_counts(recs) -> tuple[np.ndarray, np.ndarray]:
    """Pauses over PLACE_PAUSE_MS and intervals by place in the text (see `text_place`)."""
    press = [np.sort(r.press_ms) for r in recs]
    start = np.concatenate([np.arange(len(p)) == 0 for p in press])
    d = np.concatenate([np.r_[0.0, np.diff(p)] if len(p) else p for p in press])
    place = text_place(start)[~start]
    d = d[~start]
    return (np.bincount(place, d > PLACE_PAUSE_MS, minlength=PLACES).astype(float),
            np.bincount(place, minlength=PLACES).astype(float))


def _calibrate_place_pauses(records, ui, theta, shared, layout, n_texts: int = 1500,
                            rounds: int = 4) -> np.ndarray | None:
    """Log-odds offsets of pausing at a text's edges and in short texts, relative to a long text's middle.

    Pause probabilities are fitted by context (word boundary, sentence end, ...), not by place in the
    text; recorded free text pauses over 500 ms in 17 % of its first three intervals and 22 % of its
    last three against 8 % in a long text's middle, and short texts are hesitant throughout, while
    re-typed texts paused alike everywhere (10 %, 11 %): short texts looked too fluent. Each round types
    the texts again by their typists and moves the offsets by the log-odds difference of each place's
    pause rate (the long middle's difference taken out: the typists' own rates hold that).
    """
    rt = _retyping(_random_texts(records, n_texts, 21), ui, layout)
    k_r, n_r = _place_pause_counts(rt.recs)
    if len(rt.texts) < 50 or np.any(n_r < 50):
        return None
    rate_logit = logit((k_r + 0.5) / (n_r + 1.0))

    def miss(off: np.ndarray, seed: int) -> np.ndarray:
        typed = rt.type(theta, replace(shared, place_pause_off=off), layout, seed)
        k_g, n_g = _place_pause_counts([e.to_keystrokes() for e in typed])
        d = rate_logit - logit((k_g + 0.5) / (n_g + 1.0))
        return d - d[0]

    # secant steps per place: a pause logit moves the share of intervals over 500 ms by less than
    # itself (not every pause is that long, and slow typists' ordinary intervals are), so plain steps
    # of the difference fall short
    off, d = np.zeros(PLACES), miss(np.zeros(PLACES), 30)
    step = d.copy()
    for j in range(1, rounds):
        new = np.clip(off + step, -3.0, 3.0)
        d_new = miss(new, 30 + j)
        slope = np.clip((d - d_new) / np.where(np.abs(new - off) > 1e-9, new - off, 1.0), 0.2, 1.5)
        off, d = new, d_new
        step = d / slope
    out = np.clip(off, -3.0, 3.0)
    out[0] = 0.0
    return out


def _calibrate_pause_tail(records, ui, theta, shared, layout, n_texts: int = 800) -> float:
    """Shift of every typist's pause scale so that intervals over 2 s are as frequent as recorded.

    Pause lengths are a pooled shape times each typist's scale; the pooled shape already holds the
    differences between typists, so the product overshoots the far tail (2-3x as many > 2 s
    intervals, which also lifts each text's mean interval). Bisection on one simulation of the same
    texts by the same typists per step.
    """
    rt = _retyping(_random_texts(records, n_texts, 9), ui, layout)
    real = _long_share(rt.recs)
    if len(rt.texts) < 50 or real <= 0:
        return 0.0

    def gen(shift):
        th = theta.copy()
        th[:, P["pause_scale"]] += shift
        return _long_share([e.to_keystrokes() for e in rt.type(th, shared, layout, 10)])

    lo, hi = -1.5, 0.5
    for _ in range(6):
        mid = 0.5 * (lo + hi)
        if gen(mid) > real:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def _burst_counts(keys_list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per text: Backspace bursts, characters typed, and Backspace presses."""
    k, n, p = [], [], []
    for keys in keys_list:
        kk = keys[~np.isin(keys, list(MODIFIERS))]
        b = kk == "Backspace"
        k.append(np.sum(b & ~np.r_[False, b[:-1]]))
        n.append(np.sum(~b))
        p.append(np.sum(b))
    return np.asarray(k, float), np.asarray(n, float), np.asarray(p, float)


def _bursts(keys_list) -> tuple[float, float]:
    """Backspace bursts per typed character, and mean burst length."""
    k, n, p = (float(a.sum()) for a in _burst_counts(keys_list))
    return k / max(n, 1), p / max(k, 1)


def _excess_dispersion(k: np.ndarray, n: np.ndarray, user: np.ndarray) -> float:
    """(Var - mean) / mean^2 of bursts per text around each typist's own rate: 0 for Poisson counts."""
    _, inv = np.unique(user, return_inverse=True)
    rate = np.bincount(inv, k) / np.maximum(np.bincount(inv, n), 1)
    e = n * rate[inv]
    return float(np.sum((k - e) ** 2 - e) / max(np.sum(e * e), 1e-9))


def _calibrate_error_spread(records, ui, theta, shared, layout, n_texts: int = 800) -> float:
    """Log-sd of the per-text multiplier of the error rate, so generated bursts per text vary around
    each typist's rate as much as recorded ones.

    Recorded counts are about Poisson at the typist's rate; the generator's are more regular (a
    Bernoulli chance per eligible character, no new error inside a correction), so texts without any
    correction come too rarely. Measured on all texts of randomly chosen typists, the same estimator
    on both sides, so its small-sample bias cancels; ``shared`` is typed as built, without a multiplier.
    """
    rng = np.random.default_rng(7)
    users = rng.permutation(sorted({r.user for r in records if r.user in ui}))
    picked, count = set(), 0
    for u in users:
        picked.add(u)
        count += sum(r.user == u for r in records)
        if count >= n_texts:
            break
    rt = _retyping([r for r in records if r.user in picked], ui, layout)
    if len(rt.texts) < 50:
        return 0.0
    k, n, _ = _burst_counts([r.key for r in rt.recs])
    real = _excess_dispersion(k, n, rt.rows)
    gk, gn, _ = _burst_counts([e.key[e.type == "down"] for e in rt.type(theta, shared, layout, 8)])
    gen = _excess_dispersion(gk, gn, rt.rows)
    return float(np.sqrt(np.log1p(np.clip(real - gen, 0.0, 3.0))))


def _calibrate_errors(records, ui, theta, shared, layout, n_texts: int = 400, rounds: int = 2) -> tuple[float, float]:
    """Shifts of logit(error rate) and log(detection delay) that make the generated Backspace bursts
    per character and their mean length match the data's.

    The raw estimates miss what the generator needs: errors that overlap are merged, the data's
    bursts also delete whole words, and a burst cannot run past the end of its text. One
    simulation of the same texts by the same typists, compared with the recording, closes the gap.
    Matching bursts (not Backspace presses) keeps how many texts go without any correction.
    """
    rt = _retyping(_random_texts(records, n_texts, 0), ui, layout)
    if not rt.texts:
        return 0.0, 0.0
    rate, length = _bursts([r.key for r in rt.recs])
    shift = np.zeros(2)
    for _ in range(rounds):
        th = theta.copy()
        th[:, P["logit_err"]] += shift[0]
        th[:, P["log_detect"]] += shift[1]
        g_rate, g_len = _bursts([e.key[e.type == "down"] for e in rt.type(th, shared, layout, 1)])
        if g_rate <= 0 or rate <= 0:
            break
        shift[0] += np.log(rate / g_rate)
        if g_len > 1 and length > 1:
            shift[1] += np.log((length - 1) / (g_len - 1))
    return float(np.clip(shift[0], -2.0, 2.0)), float(np.clip(shift[1], -2.0, 2.0))


def calibrate(records: list[Keystrokes], ui: dict[str, int], theta: np.ndarray, shared: Shared,
              layout: Layout) -> tuple[np.ndarray, Shared]:
    """The fitted typists (``theta``, one row per typist of ``ui``) and shared laws, calibrated by
    re-typing recorded texts: error rate and detection delay, how much texts differ in errors, the
    hold-to-next-interval link, the class medians, the far pause tail, each typist's spreads, and
    where in a text people pause -- in that order, each measured with the ones before it in place."""
    theta = theta.copy()
    d_err, d_detect = _calibrate_errors(records, ui, theta, shared, layout)
    shared = replace(shared, err_text_sd=_calibrate_error_spread(records, ui, theta, shared, layout))
    theta[:, P["logit_err"]] += d_err
    theta[:, P["log_detect"]] += d_detect
    theta[:, P["atanh_rho_h"]] += _calibrate_hold_link(records, ui, theta, shared, layout)
    theta += _calibrate_class_medians(records, ui, theta, shared, layout)
    # the far tail first: the spread calibration then widens each typist's core to the recorded width
    theta[:, P["pause_scale"]] += _calibrate_pause_tail(records, ui, theta, shared, layout)
    theta += _calibrate_spreads(records, ui, theta, shared, layout)
    # last: where in a text people pause, once everything else that lengthens intervals is in place
    return theta, replace(shared, place_pause_off=_calibrate_place_pauses(records, ui, theta, shared, layout))
