"""Fit typists and a population from recorded keystrokes.

Population effects first (pooled regression of log press-to-press interval on the keystroke context,
with per-text intercepts so tempo differences between texts do not leak into the effects), then
each typist as a ridge step from the population, so a typist with little data stays near it, and
the same shrinkage for holds, Shift timing, pauses and error rates. The population is the mean and
covariance of the typists' parameter vectors. Only summary statistics leave this module: nobody's
sequence of keystrokes is stored.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from simulator.typing.context import (
    CLASSES, HOLD_KINDS, digraph_names, key_names, keystroke_context, lookup, name_offsets,
)
from simulator.typing import autorepeat
from simulator.typing.calibrate import calibrate
from simulator.typing.layout import LEFT, Layout, get_layout, infer_layout
from simulator.typing.model import KINDS, MAX_HOLD_MS, MAX_IKI_MS, QUANTILE_LEVELS, Shared
from simulator.typing.params import (
    B_COLS, CLASS_COLS, CLOCKS, HOLD_COLS, P, PARAMS, PAUSE_COLS, PAUSE_THRESHOLD_SD, logit,
)
from simulator.typing.records import MODIFIERS, Keystrokes

DHAKAL_UNCORRECTED = 0.012
"""Uncorrected errors per character (Dhakal et al. 2018), used when the data has no intended text."""
RIDGE = 20.0       # pseudo-observations pulling a typist's effects to the population
SHRINK = 20.0       # pseudo-observations for rates and means


@dataclass
class Stream:
    """All texts' rhythm keystrokes (modifiers removed), concatenated."""

    key: np.ndarray
    press: np.ndarray
    release: np.ndarray
    text: np.ndarray
    user: np.ndarray
    start: np.ndarray
    held: np.ndarray     # a press of a Backspace held down to auto-repeat (its first press or an OS repeat)


@dataclass
class FitResult:
    users: dict[str, np.ndarray]
    mean: np.ndarray
    cov: np.ndarray
    shared: Shared
    stats: dict = field(default_factory=dict)


def _stream(records: list[Keystrokes], user_index: dict[str, int]) -> Stream:
    keys, press, rel, text, user, held_ = [], [], [], [], [], []
    for j, r in enumerate(records):
        m = ~np.isin(r.key, list(MODIFIERS))
        if m.sum() < 2:
            continue
        held_.append(autorepeat.held(autorepeat.repeats(r))[m])
        keys.append(r.key[m])
        press.append(r.press_ms[m])
        rel.append(r.release_ms[m])
        text.append(np.full(m.sum(), j))
        user.append(np.full(m.sum(), user_index[r.user]))
    text_arr = np.concatenate(text)
    return Stream(np.concatenate(keys), np.concatenate(press), np.concatenate(rel), text_arr,
                  np.concatenate(user), np.r_[True, text_arr[1:] != text_arr[:-1]], np.concatenate(held_))


def _group_mean(values, groups, n, weights=None):
    w = np.ones_like(values) if weights is None else weights
    s = np.bincount(groups, values * w, minlength=n)
    c = np.bincount(groups, w, minlength=n)
    return s / np.maximum(c, 1e-12), c


def _shrunk(values, groups, n, prior, k=SHRINK, speed=None):
    """Per-typist mean with ``k`` pseudo-observations of ``prior``.

    With ``speed`` (typists' log-interval level) the prior is the weighted line of the typists' raw
    means on speed, so shrinking a sparse typist keeps how the quantity goes with speed (fast
    typists lead Shift less, pause less) instead of pulling everyone to the grand mean.
    """
    s = np.bincount(groups, values, minlength=n)
    c = np.bincount(groups, minlength=n)
    if speed is not None and np.sum(c > 0) > 5:
        raw = s / np.maximum(c, 1)
        wt = c / (c + k)
        A = np.c_[np.ones(n), speed] * np.sqrt(wt)[:, None]
        coef = np.linalg.lstsq(A, raw * np.sqrt(wt), rcond=None)[0]
        prior = coef[0] + coef[1] * speed
    return (s + k * prior) / (c + k), c


def _design(ctx, post_pause):
    cls = np.where(ctx.cls < 0, 0, ctx.cls)
    onehot = np.zeros((len(cls), len(CLASSES) - 1))
    m = cls > 0
    onehot[np.flatnonzero(m), cls[m] - 1] = 1.0
    return np.c_[onehot, ctx.row_diff, np.log1p(ctx.wordpos), ctx.frequent, ctx.shifted | ctx.altgr, ctx.nonletter,
                 ctx.first, ctx.first_word, ctx.last_word, post_pause]


def _demean(A, groups, n, w):
    mean, _ = _group_mean(A, groups, n, w) if A.ndim == 1 else (None, None)
    if A.ndim == 1:
        return A - mean[groups]
    s = np.stack([np.bincount(groups, A[:, j] * w, minlength=n) for j in range(A.shape[1])], 1)
    c = np.bincount(groups, w, minlength=n)[:, None]
    return A - (s / np.maximum(c, 1e-12))[groups]


def _shift_timing(records: list[Keystrokes], user_index: dict[str, int], layout: Layout):
    """Where Shift goes down inside the gap before its key (a fraction of that gap), when it comes up
    after the last key it shifts was pressed (ms), sides, CapsLock use.

    The lead is a fraction: Shift is pressed while the previous key is still being typed, so it
    scales with the typist's rhythm and never reaches back past the previous key. The release is
    in milliseconds: it goes with the shifted key's own stroke (recorded: 34-176 ms after its press,
    10th-90th percentile), not with how long the typist then waits before the next key.
    """
    lead_u, lead_v, lag_u, lag_v, side_u, side_v, caps_u, runs_u = [], [], [], [], [], [], [], []
    first_u, first_v = [], []
    for r in records:
        u = user_index[r.user]
        keys, press, rel, codes = r.key, r.press_ms, r.release_ms, r.code
        real = ~np.isin(keys, list(MODIFIERS))
        caps_u.extend([u] * int(np.sum(keys == "CapsLock")))
        for j in np.flatnonzero(keys == "Shift"):
            after = np.flatnonzero(real[j + 1:]) + j + 1
            before = np.flatnonzero(real[:j])
            if not len(after):
                continue
            nxt = after[0]
            k = layout.key(keys[nxt])
            if k is None or not k.shift:
                continue
            runs_u.append(u)
            if len(before) and press[nxt] > press[before[-1]]:
                lead_u.append(u)
                lead_v.append((press[nxt] - press[j]) / (press[nxt] - press[before[-1]]))
            elif not len(before) and press[nxt] > press[j]:
                first_u.append(u)
                first_v.append(press[nxt] - press[j])
            if np.isfinite(rel[j]):
                held = after[(press[after] > press[j]) & (press[after] < rel[j])]
                if len(held):
                    lag_u.append(u)
                    lag_v.append(rel[j] - press[held[-1]])
            if codes[j] in ("ShiftLeft", "ShiftRight") and k.hand == LEFT:
                side_u.append(u)
                side_v.append(codes[j] == "ShiftRight")
    arr = lambda a, t=float: np.asarray(a, t)  # noqa: E731
    return (arr(lead_u, int), arr(lead_v), arr(lag_u, int), arr(lag_v), arr(side_u, int), arr(side_v),
            arr(caps_u, int), arr(runs_u, int), arr(first_u, int), arr(first_v))


def _case_ignored(records: list[Keystrokes], ui: dict[str, int], nu: int) -> tuple[np.ndarray, np.ndarray]:
    """Per typist: capitals in the intended texts, and how many were submitted in lower case."""
    meant, lowered = np.zeros(nu), np.zeros(nu)
    for r in records:
        if not r.intended or not r.submitted:
            continue
        u = ui[r.user]
        for op, a0, a1, b0, b1 in difflib.SequenceMatcher(None, r.intended.lower(), r.submitted.lower(),
                                                          autojunk=False).get_opcodes():
            if op != "equal":
                continue
            a, b = r.intended[a0:a1], r.submitted[b0:b1]
            meant[u] += sum(c.isupper() for c in a)
            lowered[u] += sum(x.isupper() and y.islower() for x, y in zip(a, b))
    return meant, lowered


def _uncorrected(records: list[Keystrokes], user_index: dict[str, int], n_users: int):
    """Uncorrected errors per character per typist and kind counts, from intended vs submitted text."""
    errs = np.zeros(n_users)
    chars = np.zeros(n_users)
    kinds: Counter = Counter()
    for r in records:
        if not r.intended or r.submitted is None:
            continue
        u = user_index[r.user]
        chars[u] += len(r.intended)
        # case-only differences are modelled by logit_nocase, so they are not counted here
        ops = [o for o in difflib.SequenceMatcher(None, r.intended.lower(), r.submitted.lower(),
                                                  autojunk=False).get_opcodes()]
        skip = set()
        for j in range(len(ops) - 2):  # a swap shows as insert x, one equal char, delete x (or the reverse)
            (o1, a0, a1, b0, b1), (o2, c0, c1, _, _), (o3, e0, e1, f0, f1) = ops[j:j + 3]
            if o2 == "equal" and c1 - c0 == 1 and {o1, o3} == {"insert", "delete"} and max(a1 - a0, b1 - b0) == 1 \
                    and max(e1 - e0, f1 - f0) == 1:
                x = r.submitted[b0:b1] if o1 == "insert" else r.intended[a0:a1]
                y = r.intended[e0:e1] if o3 == "delete" else r.submitted[f0:f1]
                if x == y:
                    skip.update((j, j + 2))
                    kinds["transposition"] += 1
                    errs[u] += 1
        for j, (op, a0, a1, b0, b1) in enumerate(ops):
            if op == "equal" or j in skip:
                continue
            la, lb = a1 - a0, b1 - b0
            if op == "replace" and la == lb == 2 and r.intended[a0:a1] == r.submitted[b0:b1][::-1]:
                kinds["transposition"] += 1
                errs[u] += 1
            elif op == "replace":
                kinds["substitution"] += min(la, lb)
                kinds["insertion" if lb > la else "omission"] += abs(lb - la)
                errs[u] += max(la, lb)
            elif op == "insert":
                kinds["insertion"] += lb
                errs[u] += lb
            else:
                kinds["omission"] += la
                errs[u] += la
    return errs, chars, kinds


def recorded_layout(records: list[Keystrokes], given: str | None = None, codes_recorded: bool = True
                    ) -> tuple[Layout, str]:
    """The keyboard the records were typed on and how that is known: ``given``, read from the key codes the
    events name (a German ``z`` is ``KeyY``), or US by default -- also when the source records no codes of
    its own (``codes_recorded=False``: the Aalto and pynput readers fill codes in from the US table)."""
    if given:
        return get_layout(given), "given"
    found = codes_recorded and infer_layout((k for r in records for k in r.key), (c for r in records for c in r.code))
    return get_layout(found or "qwerty-us"), "key codes" if found else "default (no key codes recorded)"


def fit_records(records: list[Keystrokes], layout: Layout, progress=None) -> FitResult:
    """Per-typist parameter vectors, their population, and error-kind shares."""
    users = sorted({r.user for r in records}, key=lambda s: (len(s), s))
    ui = {u: i for i, u in enumerate(users)}
    nu = len(users)
    st = _stream(records, ui)
    nt = len(records)
    ctx = keystroke_context(st.key, st.start, layout)
    iki = np.diff(st.press, prepend=st.press[0])
    # OS repeats are the machine's timing, not the typist's (fitted apart: simulator.typing.autorepeat)
    repeat = st.held & np.r_[False, st.held[:-1] & ~st.start[1:]]
    ok = ~st.start & (iki >= 5) & (iki <= MAX_IKI_MS) & (ctx.cls >= 0) & ~repeat
    y = np.log(np.clip(iki, 5, None))
    theta = np.zeros((nu, len(PARAMS)))

    # -- population regression, two rounds: the second knows which intervals are pauses ----------
    pause = np.zeros(len(y), bool)
    beta = np.zeros(len(CLASSES) - 1 + len(B_COLS))
    for _ in range(3):
        post = np.r_[False, pause[:-1]] & ~st.start
        X = _design(ctx, post)
        w = (ok & ~pause).astype(float)
        Xd, yd = _demean(X, st.text, nt, w), _demean(y, st.text, nt, w)
        sel = w > 0
        beta = np.linalg.lstsq(Xd[sel], yd[sel], rcond=None)[0]
        resid = yd - Xd @ beta
        mad = _group_mean(np.abs(resid) * sel, st.user, nu, w)[0] * 1.2533
        pause = ok & (resid > PAUSE_THRESHOLD_SD * mad[st.user])
    # which two keys follow each other matters beyond their class (population offsets, shrunk
    # to the class); from here on intervals are measured net of them
    names = key_names(st.key)
    digraphs = digraph_names(names, st.start)
    digraph_off = name_offsets(digraphs, resid, ok & ~pause)
    y = y - lookup(digraph_off, digraphs)
    if progress:
        progress(1, 4)

    # -- per typist: ridge step from the population effects ---------------------------------------
    post = np.r_[False, pause[:-1]] & ~st.start
    X = _design(ctx, post)
    w = (ok & ~pause).astype(float)
    Xd, yd = _demean(X, st.text, nt, w), _demean(y, st.text, nt, w)
    order = np.argsort(st.user, kind="stable")
    cuts = np.searchsorted(st.user[order], np.arange(nu + 1))
    # each typist's level first (their mean log interval after the population effects), so the
    # ridge prior can follow speed: hand alternation pays off for touch typists, not for the
    # hunt-and-peck ones, and a fixed prior would pull every slow typist to a fast typist's pattern
    level, _ = _group_mean(y - X @ beta, st.user, nu, w)
    betas = _ridge_betas(Xd, yd, w, order, cuts, nu, np.tile(beta, (nu, 1)))
    n_u = np.bincount(st.user, w, minlength=nu)
    if nu > 10:
        A = np.c_[np.ones(nu), level - np.average(level, weights=n_u)] * np.sqrt(n_u)[:, None]
        coef = np.linalg.lstsq(A, betas * np.sqrt(n_u)[:, None], rcond=None)[0]
        prior = np.c_[np.ones(nu), level - np.average(level, weights=n_u)] @ coef
        betas = _ridge_betas(Xd, yd, w, order, cuts, nu, prior)
    theta[:, CLASS_COLS] = betas[:, :len(CLASSES) - 1]
    theta[:, B_COLS] = betas[:, len(CLASSES) - 1:]
    # intercepts per text, then per typist tempo and its spread over texts
    fitted = np.einsum("ij,ij->i", X, betas[st.user])
    text_int, text_n = _group_mean(y - fitted, st.text, nt, w)
    text_user = np.zeros(nt, int)
    text_user[st.text] = st.user
    valid_t = text_n >= 3
    # tempo: keystroke-weighted, so short fragments (an e-mail address, a one-word reply) do not set it
    mu, _ = _group_mean(text_int[valid_t], text_user[valid_t], nu, text_n[valid_t])
    resid = y - fitted - text_int[st.text]
    var_u, _ = _group_mean(resid ** 2, st.user, nu, w)
    sd_u = np.sqrt(np.maximum(var_u, 1e-4))
    theta[:, P["mu"]] = mu
    # pauses, final definition: the generator's -- residual above PAUSE_THRESHOLD_SD x the typist's
    # (geometric-mean) spread -- so the core shape ends exactly where pauses begin
    # spreads differ by digraph class too (a word's first letter varies far more than a letter
    # inside a practised word): a population scale per class, normalised to mean square one
    cls0 = np.where(ctx.cls < 0, 0, ctx.cls)
    class_scale = np.ones(len(CLASSES))
    for _ in range(4):
        scaled = resid / class_scale[cls0]
        lo, hi, std_resid = _two_piece(scaled, w > 0, st.user, nu)
        pause = ok & (scaled > PAUSE_THRESHOLD_SD * np.sqrt(lo * hi)[st.user])
        w = (ok & ~pause).astype(float)
        ms = np.bincount(cls0, (std_resid ** 2) * w, minlength=len(CLASSES)) / np.maximum(
            np.bincount(cls0, w, minlength=len(CLASSES)), 1)
        class_scale = class_scale * np.sqrt(np.where(ms > 0, ms, 1.0))
        class_scale /= np.sqrt(np.sum(np.bincount(cls0, w, minlength=len(CLASSES)) * class_scale ** 2) / w.sum())
    resid = resid / class_scale[cls0]  # from here on, residuals are in class-scaled units
    theta[:, P["log_sd"]] = 0.5 * np.log(lo * hi)
    theta[:, P["skew"]] = np.log(hi / lo)
    groups, shape_mu = _speed_groups(mu)
    core_q = _group_quantiles(std_resid, (w > 0), groups[st.user], len(shape_mu))
    # AR(1) of the core residuals within texts
    r0 = np.where(w > 0, resid, 0.0)
    pair = (w > 0) & np.r_[False, w[:-1] > 0] & ~st.start
    r_prev = np.r_[0.0, r0[:-1]]
    cov1 = np.bincount(st.user[pair], r0[pair] * r_prev[pair], minlength=nu)
    cnt1 = np.bincount(st.user[pair], minlength=nu)
    phi = (cov1 / np.maximum(cnt1, 1)) / sd_u ** 2
    phi = phi + _group_mean(1.0 / np.maximum(text_n[valid_t], 2), text_user[valid_t], nu)[0]  # demeaning bias
    phi = (phi * cnt1) / (cnt1 + SHRINK)
    theta[:, P["atanh_phi"]] = np.arctanh(np.clip(phi, -0.5, 0.8))

    # -- pauses by context -------------------------------------------------------------------------
    for c, col in enumerate(PAUSE_COLS):
        m = ok & (ctx.pause_ctx == c)
        pop = (pause[m].sum() + 1) / (m.sum() + 2)
        rate, _ = _shrunk(pause[m].astype(float), st.user[m], nu, pop, speed=mu)
        rate = np.clip(rate, 1e-4, 0.9)
        theta[:, col] = logit(rate)
    # pause length past the threshold, in units of the typist's spread: a pooled shape (quantiles)
    # times a per-typist scale -- a lognormal put far too much weight on very long pauses
    sd_g = np.exp(theta[st.user, P["log_sd"]])
    exc = np.maximum((resid - PAUSE_THRESHOLD_SD * sd_g)[pause] / sd_g[pause], 1e-3)
    pause_q = np.quantile(exc, QUANTILE_LEVELS) if len(exc) > 50 else np.quantile(np.r_[exc, 0.5, 1, 2], QUANTILE_LEVELS)
    lexc = np.log(exc)
    theta[:, P["pause_scale"]] = _shrunk(lexc - lexc.mean(), st.user[pause], nu, 0.0, speed=mu)[0] if len(exc) else 0.0
    if progress:
        progress(2, 4)

    # -- holds -------------------------------------------------------------------------------------
    hold = st.release - st.press
    # CapsLock on some systems is reported down and up within a millisecond: those holds are kept
    # (a per-typist level of the CapsLock kind), other sub-millisecond holds are capture noise
    caps_key = ctx.hold_kind == HOLD_KINDS.index("capslock")
    hm = np.isfinite(hold) & ((hold > 1) | (caps_key & (hold >= 0))) & (hold < MAX_HOLD_MS) & ~st.held
    lh = np.log(np.where(hm, np.maximum(hold, 0.5), 1.0))
    # each key has its own hold (left-hand and little-finger keys are held longer): population
    # offsets against the text's mean hold of that key kind, then holds are measured net of them
    grp = st.text * len(HOLD_KINDS) + ctx.hold_kind
    gm, _ = _group_mean(lh, grp, nt * len(HOLD_KINDS), hm.astype(float))
    key_hold_off = name_offsets(names, lh - gm[grp], hm & (ctx.hold_kind != 2))
    lh = lh - lookup(key_hold_off, names)
    letter = hm & (ctx.hold_kind == 0)
    pop_h = lh[letter].mean()
    theta[:, P["h_mu"]] = _shrunk(lh[letter], st.user[letter], nu, pop_h, speed=mu)[0]
    base = theta[st.user, P["h_mu"]]
    for kind, col in zip(range(1, len(HOLD_KINDS)), HOLD_COLS):
        m = hm & (ctx.hold_kind == kind)
        d = lh[m] - base[m]
        theta[:, col] = _shrunk(d, st.user[m], nu, d.mean() if m.any() else 0.0)[0]
    hfit = base + np.c_[np.zeros(nu), theta[:, HOLD_COLS]][st.user, ctx.hold_kind]
    h_text, h_n = _group_mean(lh - hfit, st.text, nt, hm.astype(float))
    hres = lh - hfit - h_text[st.text]
    # spreads differ by key kind (a Space is struck the same way every time, letters vary with the
    # finger): a population scale per kind, normalised to mean square one over typing keys
    kind_scale = np.ones(len(HOLD_KINDS))
    for _ in range(3):
        h_lo, h_hi, h_std = _two_piece(hres / kind_scale[ctx.hold_kind], hm, st.user, nu)
        ms = np.bincount(ctx.hold_kind[hm], h_std[hm] ** 2, minlength=len(HOLD_KINDS)) / np.maximum(
            np.bincount(ctx.hold_kind[hm], minlength=len(HOLD_KINDS)), 1)
        kind_scale = kind_scale * np.sqrt(np.where(ms > 0, ms, 1.0))
        kind_scale[2] = 1.0  # Backspace has its own shape (some are held down to delete more)
        kind_scale /= kind_scale[0]
    h_lo, h_hi, h_std = _two_piece(hres / kind_scale[ctx.hold_kind], hm, st.user, nu)
    theta[:, P["log_h_sd"]] = 0.5 * np.log(h_lo * h_hi)
    theta[:, P["h_skew"]] = np.log(h_hi / h_lo)
    text_cov, text_sd = _text_cov(y - fitted - mu[st.user], ok, lh - hfit, hm, st.text, st.user, st.start, nu)
    theta[:, P["log_text_sd"]] = np.log(np.maximum(text_sd[:, 0], 0.03))
    theta[:, P["log_h_text_sd"]] = np.log(np.maximum(text_sd[:, 1], 0.02))
    typing_keys = hm & (ctx.hold_kind != 2)
    hold_q = _group_quantiles(h_std, typing_keys, groups[st.user], len(shape_mu)) if typing_keys.sum() > 50 else None
    bk_m = hm & (ctx.hold_kind == 2)
    bksp_hold_q = np.quantile(h_std[bk_m], QUANTILE_LEVELS) if bk_m.sum() > 100 else None
    # hold of a key vs the (core) interval that follows it
    z_core = np.where(ok, np.clip(resid / sd_u[st.user], -4, 4), np.nan)  # pauses included: holds lengthen before them
    nxt = np.r_[z_core[1:], np.nan]
    nxt[np.r_[st.start[1:], True]] = np.nan
    m = hm & np.isfinite(nxt)
    cross = np.bincount(st.user[m], h_std[m] * nxt[m], minlength=nu)
    zz = np.bincount(st.user[m], nxt[m] ** 2, minlength=nu)
    cnt = np.bincount(st.user[m], minlength=nu)
    rho = cross / np.maximum(zz, 1e-9)  # regression slope of the hold on the next interval's score
    rho = (rho * cnt + SHRINK * (cross.sum() / max(zz.sum(), 1e-9))) / (cnt + SHRINK)
    theta[:, P["atanh_rho_h"]] = np.arctanh(np.clip(rho, -0.6, 0.6))

    # -- Shift and CapsLock ------------------------------------------------------------------------
    lead_u, lead_v, lag_u, lag_v, side_u, side_v, caps_u, runs_u, first_u, first_v = _shift_timing(records, ui, layout)
    lead_scale = lambda v: logit(np.clip(v, 0.02, 0.98))  # noqa: E731  (a share of the gap)
    lag_scale = lambda v: np.log(np.clip(v, 1.0, 3000.0))  # noqa: E731  (ms)
    for (uu, vv, to, mcol, scol, pm_, ps_) in ((lead_u, lead_v, lead_scale, "lead_logit", "log_lead_sd", 0.0, 1.0),
                                              (lag_u, lag_v, lag_scale, "lag_mu", "log_lag_sd", np.log(80.0), 0.6)):
        lv = to(vv)
        pm_ = lv.mean() if len(lv) > 10 else pm_
        ps_ = lv.std() if len(lv) > 10 else ps_
        theta[:, P[mcol]] = _shrunk(lv, uu, nu, pm_, k=8, speed=mu)[0]
        theta[:, P[scol]] = 0.5 * np.log(_shrunk((lv - theta[uu, P[mcol]]) ** 2, uu, nu, ps_ ** 2)[0])
    m = (first_v > 1) & (first_v < 3000)
    lv, uu = np.log(first_v[m]), first_u[m]
    pm_, ps_ = (lv.mean(), lv.std()) if len(lv) > 10 else (np.log(200), 0.6)
    theta[:, P["first_lead_mu"]] = _shrunk(lv, uu, nu, pm_, k=5, speed=mu)[0]
    theta[:, P["log_first_lead_sd"]] = 0.5 * np.log(_shrunk((lv - theta[uu, P["first_lead_mu"]]) ** 2, uu, nu,
                                                            ps_ ** 2)[0])
    caps = np.bincount(caps_u, minlength=nu) / 2.0
    runs = np.bincount(runs_u, minlength=nu)
    pop_caps = (caps.sum() + 0.5) / (caps.sum() + runs.sum() + 1)
    theta[:, P["logit_caps"]] = logit((caps + 5 * pop_caps) / (caps + runs + 5))
    pop_r = (side_v.sum() + 1) / (len(side_v) + 3) if len(side_v) else 0.3
    theta[:, P["logit_rshift"]] = logit(_shrunk(side_v.astype(float), side_u, nu, pop_r, k=5)[0])
    if progress:
        progress(3, 4)

    # -- errors ------------------------------------------------------------------------------------
    is_b = st.key == "Backspace"
    burst_start = is_b & ~(np.r_[False, is_b[:-1]] & ~st.start)
    burst_id = np.cumsum(burst_start) - 1
    blen = np.bincount(burst_id[is_b], minlength=burst_start.sum()) if burst_start.any() else np.zeros(0)
    chars = np.bincount(st.user[~is_b], minlength=nu)
    bursts = np.bincount(st.user[burst_start], minlength=nu)
    pop_err = bursts.sum() / max(chars.sum(), 1)
    rate, _ = _shrunk(np.r_[np.ones(bursts.sum()), np.zeros(chars.sum())],
                      np.r_[np.repeat(np.arange(nu), bursts), np.repeat(np.arange(nu), chars)], nu, pop_err,
                      k=SHRINK, speed=mu)
    theta[:, P["logit_err"]] = logit(np.clip(rate, 1e-4, 0.5))
    extra = np.maximum(blen - 1.0, 0.0)
    pop_det = extra.mean() if len(extra) else 0.5
    det, _ = _shrunk(extra, st.user[burst_start], nu, pop_det, k=5)
    theta[:, P["log_detect"]] = np.log(np.maximum(det, 0.05))
    unc, unc_chars, kinds = _uncorrected(records, ui, nu)
    caps_meant, caps_lowered = _case_ignored(records, ui, nu)
    pop_nc = (caps_lowered.sum() + 0.5) / (caps_meant.sum() + 1) if caps_meant.sum() else 1e-3
    theta[:, P["logit_nocase"]] = logit((caps_lowered + 3 * pop_nc) / (caps_meant + 3))
    if unc_chars.sum() > 0:
        pop_unc = unc.sum() / unc_chars.sum()
        theta[:, P["logit_unc"]] = logit((unc + 200 * pop_unc) / (unc_chars + 200))
        total = sum(kinds.values())
        kind_p = np.array([kinds[k] for k in KINDS], float) + 1
    else:
        pop_unc = DHAKAL_UNCORRECTED
        theta[:, P["logit_unc"]] = logit(pop_unc)
        total = 0
        kind_p = np.array([0.6, 0.15, 0.15, 0.1])  # Dhakal et al.-like shares when no intended text exists
    kind_p = kind_p / kind_p.sum()

    clocks, integer_ms = _clocks(records, ui, nu)
    theta[:, P["clock_ms"]] = np.asarray(CLOCKS)[clocks]
    clock_p = np.bincount(clocks, minlength=len(CLOCKS)) + 0.0
    if hold_q is None:
        hold_q = np.repeat(Shared.gaussian(kind_p).hold_q, len(shape_mu), axis=0)
    shared = Shared(kind_p, core_q, hold_q, shape_mu, clock_p / clock_p.sum(), integer_ms,
                    float(np.ceil(np.max(iki[ok]) / 100) * 100), bksp_hold_q, pause_q, class_scale, text_cov,
                    0.0, kind_scale, digraph_off, key_hold_off, autorepeat.fit_autorepeat(records))
    theta, shared = calibrate(records, ui, theta, shared, layout)

    mean = theta.mean(0)
    cov = np.cov(theta.T) if nu > 2 else np.diag(np.full(len(PARAMS), 1e-4))
    cov = cov + np.eye(len(PARAMS)) * 1e-6
    if progress:
        progress(4, 4)
    stats = {
        "typists": nu, "texts": nt, "keystrokes": int(len(st.key)),
        "median_iki_ms": float(np.median(iki[ok])), "median_hold_ms": float(np.median(hold[hm])),
        "pause_share": float(pause[ok].mean()), "backspace_share": float(is_b.mean()),
        "mean_burst_length": float(blen.mean()) if len(blen) else 0.0,
        "uncorrected_per_char": float(pop_unc), "error_kind_counts": {k: int(kinds[k]) for k in KINDS},
        "error_kinds_from": "intended vs submitted text" if total else "default shares (no intended text)",
        "population_effects": dict(zip([f"c_{c}" for c in CLASSES[1:]] + [PARAMS[i] for i in B_COLS], beta.round(4).tolist())),
    }
    return FitResult({u: theta[i] for i, u in enumerate(users)}, mean, cov, shared, stats)


def _ridge_betas(Xd, yd, w, order, cuts, nu, prior) -> np.ndarray:
    """Each typist's context effects as a ridge step from their prior row (RIDGE pseudo-observations)."""
    betas = prior.copy()
    for u in range(nu):
        idx = order[cuts[u]:cuts[u + 1]]
        idx = idx[w[idx] > 0]
        if len(idx) < 10:
            continue
        A = Xd[idx]
        betas[u] = np.linalg.solve(A.T @ A + RIDGE * np.eye(A.shape[1]), A.T @ yd[idx] + RIDGE * prior[u])
    return betas


def _half_stats(e: np.ndarray, m: np.ndarray, text: np.ndarray, half: np.ndarray, min_n: int = 8) -> np.ndarray:
    """(text, half) -> [median, log(median - q15), log(q85 - median)] of ``e`` over the kept keystrokes."""
    out = np.full((text.max() + 1, 2, 3), np.nan)
    idx = np.flatnonzero(m)
    o = np.lexsort((e[idx], half[idx], text[idx]))
    idx = idx[o]
    key = text[idx] * 2 + half[idx]
    cuts = np.flatnonzero(np.r_[True, key[1:] != key[:-1], True])
    for a, b in zip(cuts[:-1], cuts[1:]):
        if b - a < min_n:
            continue
        v = e[idx[a:b]]  # sorted
        q15, q50, q85 = np.quantile(v, (0.15, 0.5, 0.85))
        if q50 - q15 > 1e-6 and q85 - q50 > 1e-6:
            out[key[a] // 2, key[a] % 2] = (q50, np.log(q50 - q15), np.log(q85 - q50))
    return out


def _text_cov(e, ok, eh, hm, text, user, start, nu) -> tuple[np.ndarray | None, np.ndarray]:
    """Covariance over texts of how each text differs from its typist's usual (model.TEXT_EFFECTS),
    and each typist's own spread of text tempo and hold level (shrunk to the pooled one).

    Measured on the two halves of each text (first and second): the sampling noise of the halves
    is independent, so their cross-covariance is that of the texts' true effects alone -- a plain
    covariance of per-text statistics adds the noise of short texts and of the rhythm's drift
    within a text (the AR(1) core), and the generator adds both again when it types them.
    """
    pos = np.arange(len(text)) - np.maximum.accumulate(np.where(start, np.arange(len(text)), 0))
    length = np.bincount(text)[text]
    half = (2 * pos >= length).astype(int)
    s = np.concatenate([_half_stats(e, ok, text, half), _half_stats(eh, hm, text, half)], axis=2)
    good = np.all(np.isfinite(s), axis=(1, 2))
    if good.sum() < 30:
        return None, np.full((nu, 2), 0.1)
    tu = np.zeros(text.max() + 1, int)
    tu[text] = user
    a, b, u = s[good, 0], s[good, 1], tu[good]
    both = 0.5 * (a + b)
    for arr in (a, b):  # within-typist: remove each typist's mean text
        cnt = np.bincount(u, minlength=nu)[:, None]
        arr -= (np.stack([np.bincount(u, both[:, j], minlength=nu) for j in range(both.shape[1])], 1)
                / np.maximum(cnt, 1))[u]
    c = (a.T @ b + b.T @ a) / (2 * (len(a) - 1))
    w, v = np.linalg.eigh(c)
    cov = (v * np.maximum(w, 0.0)) @ v.T
    sd_u = np.empty((nu, 2))
    for j, col in enumerate((0, 3)):  # tempo and hold level: per typist, 5 texts' worth of the pooled value
        cross = a[:, col] * b[:, col]
        var, _ = _shrunk(cross, u, nu, max(float(np.mean(cross)), 0.0), k=5)
        sd_u[:, j] = np.sqrt(np.maximum(var, 0.0))
    return cov, sd_u


def _two_piece(r: np.ndarray, ok: np.ndarray, user: np.ndarray, nu: int, k: float = SHRINK):
    """Per-typist spread left and right of zero (RMS of negative / positive residuals, shrunk to the
    pooled values), and the residuals standardised by the spread of their side."""
    out = []
    for side in (r < 0, r > 0):
        m = ok & side
        pooled = np.mean(r[m] ** 2) if m.any() else 1e-2
        v, _ = _shrunk(r[m] ** 2, user[m], nu, pooled, k=k)
        out.append(np.sqrt(np.maximum(v, 1e-4)))
    lo, hi = out
    std = np.where(r < 0, r / lo[user], r / hi[user])
    return lo, hi, std


def _speed_groups(mu: np.ndarray, max_groups: int = 5, min_typists: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Typists split into speed groups by quantiles of their log-interval level; returns (group per typist, centres)."""
    k = int(np.clip(len(mu) // min_typists, 1, max_groups))
    edges = np.quantile(mu, np.linspace(0, 1, k + 1))
    g = np.clip(np.searchsorted(edges, mu, side="right") - 1, 0, k - 1)
    centres = np.array([np.median(mu[g == j]) for j in range(k)])
    return g, centres


def _group_quantiles(values: np.ndarray, ok: np.ndarray, group: np.ndarray, k: int) -> np.ndarray:
    pooled = np.quantile(values[ok], QUANTILE_LEVELS)
    return np.stack([np.quantile(values[ok & (group == j)], QUANTILE_LEVELS) if np.sum(ok & (group == j)) > 200
                     else pooled for j in range(k)])


def _clocks(records: list[Keystrokes], ui: dict[str, int], nu: int) -> tuple[np.ndarray, bool]:
    """Each typist's capture clock grid (index into CLOCKS), and whether all times are whole ms.

    The grid is the coarsest one that most press-to-press intervals sit on (within the rounding of
    whole-millisecond sources, or the sub-millisecond jitter of OS timestamps).
    """
    diffs: list[list[np.ndarray]] = [[] for _ in range(nu)]
    integer = True
    for r in records:
        t = np.r_[r.press_ms, r.release_ms[np.isfinite(r.release_ms)]]
        integer &= bool(np.all(np.abs(t - np.round(t)) < 1e-6))
        diffs[ui[r.user]].append(np.diff(np.sort(r.press_ms)))
    out = np.zeros(nu, int)
    tol, need = (1.01, 0.85) if integer else (0.5, 0.75)
    for u in range(nu):
        d = np.concatenate(diffs[u]) if diffs[u] else np.zeros(0)
        d = d[d > 0]
        if len(d) < 20:
            continue
        for k in range(len(CLOCKS) - 1, 0, -1):
            g = CLOCKS[k]
            off = np.abs(d - np.round(d / g) * g)
            if np.mean(off <= (tol if g > 1 else 1e-6 if integer else 0.01)) >= need:
                out[u] = k
                break
    return out, integer
