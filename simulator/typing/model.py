"""Keystroke synthesis: intended texts + typists -> time-ordered key events.

Two stages, as people work: first *what* gets pressed (the intended characters, typos of four
kinds -- keyboard-neighbour substitution, insertion, omission, transposition -- noticed a few
characters later and corrected with a Backspace burst and re-typing, a few left in, CapsLock
toggles for capitals), then *when* (log press-to-press intervals from digraph class, word position,
frequent-word bursts and Shift, an AR(1) core with a per-text tempo, pauses by context with a slower
key after them; log holds by key kind; Shift pressed a fitted lead before its letter and released a
fitted lag after). The timing stage is vectorised over all keystrokes of all texts at once.
"""

from __future__ import annotations

import numpy as np
from scipy.signal import lfilter

from simulator.typing.context import C, CLASSES, keystroke_context
from simulator.typing.layout import LEFT, Layout
from simulator.typing.params import (
    B_COLS, CLASS_COLS, HOLD_COLS, P, PAUSE_COLS, PAUSE_THRESHOLD_SD, Typist, expit,
)
from simulator.typing.records import KeyEvents
from simulator.typing.text import apply_key_events

KINDS = ("substitution", "insertion", "omission", "transposition")


def plan_keystrokes(text: str, typist: Typist, kind_p: np.ndarray, layout: Layout, rng: np.random.Generator,
                    uncorrected: bool) -> tuple[list[str], list[bool], list[bool]]:
    """What one typist presses to type ``text``: characters and Backspaces, with error/correction flags.

    Errors are drawn for all positions at once; the loop runs over error events only (a few per text).
    """
    n = len(text)
    p_err, p_unc = float(expit(typist["logit_err"])), float(expit(typist["logit_unc"])) if uncorrected else 0.0
    detect = float(np.exp(typist["log_detect"]))
    u = rng.random(n)
    letter = np.fromiter((c.isalpha() and bool(layout.neighbours(c)) for c in text), bool, n)
    letter[0] = False
    err_at = np.flatnonzero(letter & (u < p_err + p_unc))
    corrected = u[err_at] < p_err
    kinds = rng.choice(len(KINDS), size=len(err_at), p=kind_p)
    extra = rng.geometric(1.0 / (1.0 + detect), size=len(err_at)) - 1
    pick = rng.random(len(err_at))
    keys: list[str] = []
    err: list[bool] = []
    cor: list[bool] = []

    def put(chars, e=False, c=False):
        keys.extend(chars)
        err.extend([e] * len(chars))
        cor.extend([c] * len(chars))

    pos = 0
    for i, fix, kind, k, r in zip(err_at, corrected, kinds, extra, pick):
        if i < pos:
            continue
        if KINDS[kind] == "transposition" and not (i + 1 < n and text[i + 1].isalpha() and text[i + 1] != text[i]):
            kind = 0
        put(text[pos:i])
        nb = layout.neighbours(text[i])
        wrong = nb[int(r * len(nb))]
        name = KINDS[kind]
        if name == "substitution":
            bad, right, span = [wrong], [text[i]], 1
        elif name == "insertion":
            bad, right, span = [text[i], wrong], [text[i]], 1
        elif name == "omission":
            bad, right, span = [], [text[i]], 1
        else:
            bad, right, span = [text[i + 1], text[i]], [text[i], text[i + 1]], 2
        put(bad, e=True)
        if not fix:
            pos = i + span
            continue
        k = int(min(max(k, 1 if name == "omission" else 0), n - (i + span)))
        after = text[i + span:i + span + k]
        put(after)
        put(["Backspace"] * (len(bad) + k), c=True)
        put(right + list(after), c=True)
        pos = i + span + k
    put(text[pos:])
    return keys, err, cor


def _caps_runs(keys: np.ndarray, typist_caps: np.ndarray, text_idx: np.ndarray, layout: Layout,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Where CapsLock replaces Shift: returns (positions to insert a CapsLock press before, mask of caps letters)."""
    up_letter = np.fromiter((len(k) == 1 and k.isalpha() and k.isupper() for k in keys), bool, len(keys))
    starts = np.flatnonzero(up_letter & ~np.r_[False, up_letter[:-1]])
    ends = np.flatnonzero(up_letter & ~np.r_[up_letter[1:], False]) + 1
    use = rng.random(len(starts)) < typist_caps[text_idx[starts]]
    mask = np.zeros(len(keys), bool)
    for a, b in zip(starts[use], ends[use]):
        mask[a:b] = True
    return np.sort(np.r_[starts[use], ends[use]]), mask


def synthesise(texts: list[str], typists: list[Typist], kind_p: np.ndarray, layout: Layout,
               rng: np.random.Generator, uncorrected: bool = True) -> list[KeyEvents]:
    """Key events for each text typed by the typist at the same index."""
    theta = np.stack([t.theta for t in typists])
    # --- what is pressed --------------------------------------------------------------------
    seqs = [plan_keystrokes(s, t, kind_p, layout, rng, uncorrected) for s, t in zip(texts, typists)]
    lens = np.array([len(k) for k, _, _ in seqs])
    keys = np.array([k for ks, _, _ in seqs for k in ks], dtype=object)
    err = np.array([e for _, es, _ in seqs for e in es], bool)
    cor = np.array([c for _, _, cs in seqs for c in cs], bool)
    text_idx = np.repeat(np.arange(len(texts)), lens)
    ins_at, caps = _caps_runs(keys, expit(theta[:, P["logit_caps"]]), text_idx, layout, rng)
    keys = np.insert(keys, ins_at, "CapsLock")
    err, cor, caps = np.insert(err, ins_at, False), np.insert(cor, ins_at, False), np.insert(caps, ins_at, False)
    text_idx = np.insert(text_idx, ins_at, text_idx[np.minimum(ins_at, len(text_idx) - 1)])
    n = len(keys)
    start = np.r_[True, text_idx[1:] != text_idx[:-1]]
    ctx = keystroke_context(keys, start, layout)
    shifted = ctx.shifted & ~caps
    th = theta[text_idx]

    # --- when: press-to-press intervals -------------------------------------------------------
    cls = np.where(ctx.cls < 0, 0, ctx.cls)
    class_off = np.c_[np.zeros(len(theta)), theta[:, CLASS_COLS]][text_idx, cls]
    X = np.c_[ctx.row_diff, np.log1p(ctx.wordpos), ctx.frequent, shifted, ctx.nonletter, ctx.first]
    text_eff = rng.standard_normal(len(texts)) * np.exp(theta[:, P["log_text_sd"]])
    mean = th[:, P["mu"]] + text_eff[text_idx] + class_off + np.einsum("ij,ij->i", X, th[:, B_COLS[:6]])
    sd = np.exp(th[:, P["log_sd"]])
    phi = np.tanh(th[:, P["atanh_phi"]])
    z = rng.standard_normal(n)
    # AR(1) with per-keystroke phi: a scalar filter per distinct phi keeps it vectorised
    core = np.empty(n)
    for ph in np.unique(phi):
        m = phi == ph
        core[m] = lfilter([np.sqrt(1 - ph * ph)], [1, -ph], z[m])
    resid = core * sd
    p_pause = expit(th[np.arange(n), np.asarray(PAUSE_COLS)[ctx.pause_ctx]])
    pause = (rng.random(n) < p_pause) & ~start
    excess = np.exp(th[:, P["pause_mu"]] + np.exp(th[:, P["log_pause_sd"]]) * rng.standard_normal(n))
    resid = np.where(pause, PAUSE_THRESHOLD_SD * sd + excess, resid)
    post = np.r_[False, pause[:-1]] & ~start
    log_iki = mean + resid + post * th[:, P["b_post_pause"]]
    iki = np.where(start, 0.0, np.exp(log_iki))
    t = np.cumsum(iki)
    t -= np.repeat(t[start], np.diff(np.r_[np.flatnonzero(start), n]))

    # --- holds --------------------------------------------------------------------------------
    hold_off = np.c_[np.zeros(len(theta)), theta[:, HOLD_COLS]][text_idx, ctx.hold_kind]
    h_text = rng.standard_normal(len(texts)) * np.exp(theta[:, P["log_h_text_sd"]])
    hold = np.exp(th[:, P["h_mu"]] + hold_off + h_text[text_idx]
                  + np.exp(th[:, P["log_h_sd"]]) * rng.standard_normal(n))

    # --- Shift around runs of shifted characters -------------------------------------------------
    s_start = np.flatnonzero(shifted & ~(np.r_[False, shifted[:-1]] & ~start))
    s_end = np.flatnonzero(shifted & ~np.r_[shifted[1:] & ~start[1:], False])
    ts = th[s_start]
    lead = np.exp(ts[:, P["lead_mu"]] + np.exp(ts[:, P["log_lead_sd"]]) * rng.standard_normal(len(s_start)))
    prev_gap = np.where(start[s_start], np.inf, iki[s_start])
    lead = np.minimum(lead, 0.85 * prev_gap)
    lag = np.exp(th[s_end, P["lag_mu"]] + np.exp(th[s_end, P["log_lag_sd"]]) * rng.standard_normal(len(s_end)))
    nxt = np.minimum(s_end + 1, n - 1)
    has_next = (s_end + 1 < n) & ~start[nxt]
    lag = np.where(has_next, np.minimum(lag, np.maximum(t[nxt] - t[s_end] - 3.0, 3.0)), lag)
    sh_down, sh_up = t[s_start] - lead, t[s_end] + np.maximum(lag, 3.0)
    left = np.array([getattr(layout.keys.get(k), "hand", -1) == LEFT for k in keys[s_start]], bool)
    p_r = expit(ts[:, P["logit_rshift"]])
    right = rng.random(len(s_start)) < np.where(left, p_r, 0.1 * p_r)
    sh_code = np.where(right, "ShiftRight", "ShiftLeft").astype(object)

    # --- assemble and order events ----------------------------------------------------------------
    codes = np.array([_code(k, layout) for k in keys], dtype=object)
    ev_t = np.r_[t, t + hold, sh_down, sh_up]
    ev_text = np.r_[text_idx, text_idx, text_idx[s_start], text_idx[s_start]]
    ev_type = np.r_[np.full(n, "down", object), np.full(n, "up", object),
                    np.full(len(s_start), "down", object), np.full(len(s_start), "up", object)]
    ev_key = np.r_[keys, keys, np.full(len(s_start), "Shift", object), np.full(len(s_start), "Shift", object)]
    ev_code = np.r_[codes, codes, sh_code, sh_code]
    ev_err = np.r_[err, err, np.zeros(2 * len(s_start), bool)]
    ev_cor = np.r_[cor, cor, np.zeros(2 * len(s_start), bool)]
    order = np.lexsort((np.arange(len(ev_t)), ev_t, ev_text))
    ev_t, ev_text = ev_t[order], ev_text[order]
    bounds = np.flatnonzero(np.r_[True, ev_text[1:] != ev_text[:-1], True])
    out = []
    for j, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        o = order[a:b]
        tt = ev_t[a:b]
        d = {"type": ev_type[o], "key": ev_key[o]}
        out.append(KeyEvents(t_ms=tt - tt[0], type=ev_type[o], key=ev_key[o], code=ev_code[o], error=ev_err[o],
                             correction=ev_cor[o], text=apply_key_events(d), intended=texts[j],
                             user=typists[j].id))
    return out


def _code(key: str, layout: Layout) -> str | None:
    if key == "Backspace" or key == "CapsLock":
        return key
    if key == "\n":
        return "Enter"
    k = layout.keys.get(key)
    return k.code if k is not None else None
