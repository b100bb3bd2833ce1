"""Keystroke synthesis: intended texts + typists -> time-ordered key events.

Two stages, as people work: first *what* gets pressed (the intended characters, typos of four
kinds -- keyboard-neighbour substitution, insertion, omission, transposition -- noticed a few
characters later and corrected with a Backspace burst and re-typing, a few left in, CapsLock
toggles for capitals), then *when* (log press-to-press intervals from digraph class, word position,
frequent-word bursts and Shift, an AR(1) core with a per-text tempo, pauses by context with a slower
key after them; log holds by key kind; Shift (and AltGr on layouts that have it) pressed a fitted fraction
into the gap before its key and released a fitted time after the last key it modifies). The timing stage is vectorised over all keystrokes of all texts at once.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np

from simulator.typing.autorepeat import AutoRepeat, hold_bursts, held
from simulator.typing.context import digraph_names, key_names, keystroke_context, lookup
from simulator.typing.layout import LEFT, Layout, code_for, released_keys
from simulator.typing.params import (
    B_COLS, CLASS_COLS, CLOCKS, HOLD_COLS, P, PAUSE_COLS, PAUSE_THRESHOLD_SD, Typist, expit,
)
from simulator.typing.records import KeyEvents
from simulator.typing.text import apply_key_events

RELEASE_GAP_MS = 30.0
"""Typical time a key is up between two presses of it (lognormal around this)."""
MAX_IKI_MS = 10_000.0
"""Longest press-to-press interval inside a text the fit considers."""
MAX_HOLD_MS = 2_000.0
"""Longest hold of a tapped key the fit considers; generated taps stop here (a Backspace held down to
auto-repeat has its own fitted limit, `simulator.typing.autorepeat`)."""
KINDS = ("substitution", "insertion", "omission", "transposition")


TEXT_EFFECTS = ("tempo", "log_left", "log_right", "h_tempo", "h_log_left", "h_log_right")
"""How one text differs from its typist's usual: interval level, spread below and above the median
(hesitant texts widen on the slow side only), and the same three for holds. People's texts differ in
all six, jointly; a per-text tempo alone makes every text of a typist the same shape."""

QUANTILE_LEVELS = np.r_[0.0005, 0.001, 0.0025, np.linspace(0.005, 0.995, 199), 0.9975, 0.999, 0.9995]
"""Levels at which the shapes of standardised residuals are stored."""


EDGE_KEYS = 3
"""A text's first and last this many intervals are its edges: people pause there more (composing the
first words, reading over before sending) than context alone says."""
SHORT_TEXT_KEYS = 40
"""Texts of fewer keystrokes are short: in composition they are typed more hesitantly throughout."""
PLACES = 4
"""How many places `text_place` tells apart (``Shared.place_pause_off`` has one offset per place)."""


def text_place(start: np.ndarray) -> np.ndarray:
    """Per keystroke of texts laid end to end (``start`` marks each text's first key), where in its text
    it is: 1 in the first EDGE_KEYS intervals, 2 in the last EDGE_KEYS (a short text's are both: last
    wins), 3 elsewhere in a text of fewer than SHORT_TEXT_KEYS keystrokes, 0 elsewhere."""
    n = len(start)
    first = np.flatnonzero(start)
    length = np.diff(np.r_[first, n])
    pos = np.arange(n) - np.repeat(first, length)
    left = np.repeat(length, length) - 1 - pos
    short = np.repeat(length < SHORT_TEXT_KEYS, length)
    return np.where(left < EDGE_KEYS, 2, np.where((pos >= 1) & (pos <= EDGE_KEYS), 1, np.where(short, 3, 0)))


@dataclass
class Shared:
    """Population-level parts every typist of a profile shares.

    ``core_q``/``hold_q``: quantiles (at QUANTILE_LEVELS) of standardised log-interval (pauses
    excluded) and log-hold residuals, one row per speed group centred at ``shape_mu`` (typists'
    log-interval level) -- people's distributions are skewed, and slow typists' more to the right,
    so a typist's spread scales the shape of their speed instead of a normal.
    ``kind_p``: shares of the four error kinds.
    """

    kind_p: np.ndarray
    core_q: np.ndarray                  # (groups, len(QUANTILE_LEVELS))
    hold_q: np.ndarray                  # (groups, len(QUANTILE_LEVELS))
    shape_mu: np.ndarray                # (groups,)
    clock_p: np.ndarray = None          # shares of CLOCKS among typists (new typists draw from it)
    integer_ms: bool = False            # the capture reports whole milliseconds (browser timestamps)
    max_iki_ms: float = 10_000.0        # longest interval inside one text in the data (segmenting rule)
    bksp_hold_q: np.ndarray = None      # shape of Backspace holds (some are held long to delete more)
    pause_q: np.ndarray = None          # how far past the threshold pauses go (quantiles, in spreads)
    class_scale: np.ndarray = None      # spread multiplier per digraph class (CLASSES)
    text_cov: np.ndarray = None         # (6, 6) covariance of per-text effects, see TEXT_EFFECTS
    err_text_sd: float = 0.0            # log-sd of a text's error rate around its typist's
    hold_scale: np.ndarray = None       # spread multiplier of holds per key kind (HOLD_KINDS)
    digraph_off: dict = None            # log-interval offset per digraph beyond its class ('th': -0.2)
    key_hold_off: dict = None           # log-hold offset per key beyond its kind ('a': +0.15)
    autorepeat: AutoRepeat | None = None  # Backspace held down to auto-repeat (None: always tapped)
    place_pause_off: np.ndarray = None  # pause log-odds offsets by place in the text (see text_place)

    @staticmethod
    def gaussian(kind_p) -> "Shared":
        from scipy.special import ndtri  # on use: scipy takes ~0.25 s to load, which commands
        # that draw no typist need not pay (`hcisim import`, augment's errors); so below too

        q = ndtri(QUANTILE_LEVELS)[None, :]
        return Shared(np.asarray(kind_p, float), q, q, np.zeros(1), np.eye(len(CLOCKS))[0], False,
                      MAX_IKI_MS, None, np.exp(ndtri(QUANTILE_LEVELS) - 1.0))


def _shape(z: np.ndarray, q: np.ndarray, centres: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Map standard-normal draws through the stored quantile function of each draw's speed group,
    interpolating between neighbouring groups (a Gaussian copula with speed-dependent marginals)."""
    from scipy.special import ndtr

    u = ndtr(z)
    if len(q) == 1:
        return np.interp(u, QUANTILE_LEVELS, q[0])
    pos = np.interp(mu, centres, np.arange(len(centres)))
    lo = np.minimum(np.floor(pos).astype(int), len(centres) - 2)
    w = pos - lo
    vals = np.stack([np.interp(u, QUANTILE_LEVELS, row) for row in q])
    idx = np.arange(len(z))
    return (1 - w) * vals[lo, idx] + w * vals[lo + 1, idx]


def _side_means(q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E[s; s<0] and E[s; s>0] of each stored shape (integrated over its quantile function)."""
    lv = QUANTILE_LEVELS
    return (np.trapezoid(np.minimum(q, 0), lv, axis=-1), np.trapezoid(np.maximum(q, 0), lv, axis=-1))


def _two_piece(z: np.ndarray, q: np.ndarray, centres: np.ndarray, mu: np.ndarray, skew: np.ndarray) -> np.ndarray:
    """Shaped draws with the left side scaled by exp(-skew/2) and the right by exp(+skew/2), centred
    so their mean stays that of the shape: the fitted level stays the typist's mean."""
    s = _shape(z, q, centres, mu)
    neg, pos = _side_means(q)
    if len(q) > 1:
        neg, pos = np.interp(mu, centres, neg), np.interp(mu, centres, pos)
    else:
        neg, pos = neg[0], pos[0]
    a, b = np.exp(-skew / 2), np.exp(skew / 2)
    return np.where(s < 0, s * a, s * b) - (neg * a + pos * b - (neg + pos))


def _joins_previous(c: str) -> bool:
    """A code point that makes one character with the one before it: a combining accent, a zero-width joiner,
    a variation selector, an emoji skin tone, a regional indicator (flags are pairs), an emoji tag. Chromium
    deletes such a character whole with one Backspace, so a correction stops short of running back over one
    (it would delete a correct character too many)."""
    o = ord(c)
    return (unicodedata.category(c) in ("Mn", "Me") or o == 0x200D or 0x1F3FB <= o <= 0x1F3FF
            or 0x1F1E6 <= o <= 0x1F1FF or 0xE0020 <= o <= 0xE007F)


def plan_keystrokes(text: str, typist: Typist, kind_p: np.ndarray, layout: Layout, rng: np.random.Generator,
                    uncorrected: bool, err_mult: float = 1.0) -> tuple[list[str], list[bool], list[bool]]:
    """What one typist presses to type ``text``: characters and Backspaces, with error/correction flags.

    Errors are drawn for all positions at once; the loop runs over error events only (a few per text).
    """
    if uncorrected:  # some people do not bother with capitals at all, some now and then
        low = rng.random(len(text)) < expit(typist["logit_nocase"])
        text = "".join(c.lower() if lo and c.isupper() else c for c, lo in zip(text, low))
    n = len(text)
    p_err = min(float(expit(typist["logit_err"])) * err_mult, 0.5)
    p_unc = float(expit(typist["logit_unc"])) if uncorrected else 0.0
    detect = float(np.exp(typist["log_detect"]))
    u = rng.random(n)
    eligible = np.fromiter((bool(layout.neighbours(c)) for c in text), bool, n)
    eligible[0] = False
    err_at = np.flatnonzero(eligible & (u < p_err + p_unc))
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
        if KINDS[kind] == "transposition" and not (i + 1 < n and eligible[i + 1] and text[i + 1] != text[i]):
            kind = 0
        put(text[pos:i])
        nb = layout.neighbours(text[i])
        wrong = nb[int(r * len(nb))]
        name = KINDS[kind]
        if name == "substitution":
            bad, right, span = [wrong], [text[i]], 1
        elif name == "insertion":
            put(text[i])
            bad, right, span = [wrong], [], 1
        elif name == "omission":
            bad, right, span = [], [text[i]], 1
        else:
            bad, right, span = [text[i + 1], text[i]], [text[i], text[i + 1]], 2
        put(bad, e=True)
        if not fix:
            pos = i + span
            continue
        k = int(min(max(k, 1 if name == "omission" else 0), n - (i + span)))
        k = next((j for j, c in enumerate(text[i + span:i + span + k]) if _joins_previous(c)), k)
        after = text[i + span:i + span + k]
        put(after)
        put(["Backspace"] * (len(bad) + k), c=True)
        put(right + list(after), c=True)
        pos = i + span + k
    put(text[pos:])
    return keys, err, cor


def _caps_runs(keys: np.ndarray, typist_caps: np.ndarray, text_idx: np.ndarray,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of capitals typed with CapsLock instead of Shift: (CapsLock-on positions, -off positions, caps mask)."""
    up_letter = np.fromiter((len(k) == 1 and k.isalpha() and k.isupper() for k in keys), bool, len(keys))
    new_text = np.r_[True, text_idx[1:] != text_idx[:-1]]
    starts = np.flatnonzero(up_letter & ~(np.r_[False, up_letter[:-1]] & ~new_text))
    ends = np.flatnonzero(up_letter & ~np.r_[up_letter[1:] & ~new_text[1:], False]) + 1
    use = rng.random(len(starts)) < typist_caps[text_idx[starts]]
    mask = np.zeros(len(keys), bool)
    for a, b in zip(starts[use], ends[use]):
        mask[a:b] = True
    return starts[use], ends[use], mask


def synthesise(texts: list[str], typists: list[Typist], shared: Shared, layout: Layout,
               rng: np.random.Generator, uncorrected: bool = True) -> list[KeyEvents]:
    """Key events for each text typed by the typist at the same index."""
    theta = np.stack([t.theta for t in typists])
    kind_p = shared.kind_p
    # --- what is pressed --------------------------------------------------------------------
    # people err in bursts: some texts go cleanly, others collect several slips (a lognormal
    # multiplier of the typist's rate per text, mean one)
    es = shared.err_text_sd
    mult = np.exp(es * rng.standard_normal(len(texts)) - es * es / 2)
    seqs = [plan_keystrokes(s, t, kind_p, layout, rng, uncorrected, m) for s, t, m in zip(texts, typists, mult)]
    lens = np.array([len(k) for k, _, _ in seqs])
    keys = np.array([k for ks, _, _ in seqs for k in ks], dtype=object)
    keys[keys == "\n"] = "Enter"
    keys[keys == "\t"] = "Tab"
    err = np.array([e for _, es, _ in seqs for e in es], bool)
    cor = np.array([c for _, _, cs in seqs for c in cs], bool)
    text_idx = np.repeat(np.arange(len(texts)), lens)
    on_at, off_at, caps = _caps_runs(keys, expit(theta[:, P["logit_caps"]]), text_idx, rng)
    ins_at = np.r_[on_at, off_at]
    ins_text = np.r_[text_idx[on_at], text_idx[off_at - 1]]  # a CapsLock-off belongs to the run before it
    o = np.argsort(ins_at, kind="stable")
    ins_at, ins_text = ins_at[o], ins_text[o]
    keys = np.insert(keys, ins_at, "CapsLock")
    err, cor, caps = np.insert(err, ins_at, False), np.insert(cor, ins_at, False), np.insert(caps, ins_at, False)
    text_idx = np.insert(text_idx, ins_at, ins_text)
    n = len(keys)
    start = np.r_[True, text_idx[1:] != text_idx[:-1]]
    ctx = keystroke_context(keys, start, layout)
    shifted = ctx.shifted & ~caps
    th = theta[text_idx]

    # --- when: press-to-press intervals -------------------------------------------------------
    cls = np.where(ctx.cls < 0, 0, ctx.cls)
    class_off = np.c_[np.zeros(len(theta)), theta[:, CLASS_COLS]][text_idx, cls]
    X = np.c_[ctx.row_diff, np.log1p(ctx.wordpos), ctx.frequent, shifted | ctx.altgr, ctx.nonletter, ctx.first,
              ctx.first_word, ctx.last_word]
    fx = _text_effects(shared, theta, rng)
    text_eff = fx[:, 0]
    names = key_names(keys)
    mean = (th[:, P["mu"]] + text_eff[text_idx] + class_off + np.einsum("ij,ij->i", X, th[:, B_COLS[:-1]])
            + lookup(shared.digraph_off, digraph_names(names, start)))
    sd = np.exp(th[:, P["log_sd"]] + 0.5 * (fx[:, 1] + fx[:, 2])[text_idx])
    if shared.class_scale is not None:
        sd = sd * shared.class_scale[cls]
    phi = np.tanh(th[:, P["atanh_phi"]])
    z = rng.standard_normal(n)
    core = _ar1(z, phi, start)
    resid = _two_piece(core, shared.core_q, shared.shape_mu, th[:, P["mu"]],
                       th[:, P["skew"]] + (fx[:, 2] - fx[:, 1])[text_idx]) * sd
    logit_pause = th[np.arange(n), np.asarray(PAUSE_COLS)[ctx.pause_ctx]]
    if shared.place_pause_off is not None:
        logit_pause = logit_pause + shared.place_pause_off[text_place(start)]
    p_pause = expit(logit_pause)
    pause = (rng.random(n) < p_pause) & ~start
    # pause length past the threshold: the data's shape times the typist's scale, truncated so no
    # interval exceeds the longest the data has inside a text
    unit = sd * np.exp(th[:, P["pause_scale"]])
    room = (np.log(shared.max_iki_ms) - mean - PAUSE_THRESHOLD_SD * sd) / unit
    pause &= room > 0.01
    u_max = np.interp(room, shared.pause_q, QUANTILE_LEVELS, left=0.0, right=1.0)
    excess = unit * np.interp(rng.random(n) * u_max, QUANTILE_LEVELS, shared.pause_q)
    resid = np.where(pause, PAUSE_THRESHOLD_SD * sd + excess, resid)
    post = np.r_[False, pause[:-1]] & ~start
    log_iki = mean + resid + post * th[:, P["b_post_pause"]]
    iki = np.where(start, 0.0, np.exp(np.minimum(log_iki, np.log(shared.max_iki_ms))))
    # long deletions: some bursts are one Backspace held down to auto-repeat (OS delay, then its rate)
    iki, rep, rep_lag = hold_bursts(shared.autorepeat, keys, start, iki, rng)

    # --- holds --------------------------------------------------------------------------------
    hold_off = np.c_[np.zeros(len(theta)), theta[:, HOLD_COLS]][text_idx, ctx.hold_kind]
    h_text = fx[:, 3]
    rho = np.tanh(th[:, P["atanh_rho_h"]])
    z_all = np.clip(resid / sd, -4, 4)
    z_next = np.r_[z_all[1:], 0.0] * ~np.r_[start[1:], True]  # the interval after this key, same text
    z_h = rho * z_next + np.sqrt(1 - rho * rho) * rng.standard_normal(n)
    h_skew = th[:, P["h_skew"]] + (fx[:, 5] - fx[:, 4])[text_idx]
    h_shaped = _two_piece(z_h, shared.hold_q, shared.shape_mu, th[:, P["mu"]], h_skew)
    if shared.bksp_hold_q is not None:
        bk = ctx.hold_kind == 2
        h_shaped[bk] = _two_piece(z_h[bk], shared.bksp_hold_q[None, :], shared.shape_mu[:1], th[bk, P["mu"]],
                                  h_skew[bk])
    h_sd = np.exp(th[:, P["log_h_sd"]] + 0.5 * (fx[:, 4] + fx[:, 5])[text_idx])
    if shared.hold_scale is not None:
        h_sd = h_sd * shared.hold_scale[ctx.hold_kind]
    hold_off = hold_off + lookup(shared.key_hold_off, names)
    hold = np.minimum(np.exp(th[:, P["h_mu"]] + hold_off + h_text[text_idx] + h_shaped * h_sd), MAX_HOLD_MS)
    # a key pressed again (double letters, Backspace bursts) must come up first: the finger lifts,
    # then strikes again, so the interval is at least the hold plus a short release gap
    codes = np.array([code_for(k, layout.name) for k in keys], dtype=object)
    # which physical key: its code, or for a character no key makes (no code) the character itself
    phys = np.where(codes == None, keys, codes)  # noqa: E711 (elementwise)
    again = np.r_[False, (phys[1:] == phys[:-1]) & ~start[1:]] & ~rep
    lift = np.exp(np.log(RELEASE_GAP_MS) + 0.4 * rng.standard_normal(n))
    iki = np.where(again, np.maximum(iki, np.r_[0.0, hold[:-1]] + lift), iki)
    if rep.any():
        # a held run's one release ends all its presses: the next key comes after it (the finger leaves
        # Backspace first), and each press of the run is held until then
        run_end = np.flatnonzero(rep & ~np.r_[rep[1:], False])
        nxt = run_end[run_end + 1 < n] + 1
        nxt = nxt[~start[nxt]]
        iki[nxt] = np.maximum(iki[nxt], rep_lag[nxt - 1] + lift[nxt])
    t = np.cumsum(iki)
    t -= np.repeat(t[start], np.diff(np.r_[np.flatnonzero(start), n]))
    if rep.any():
        run = np.cumsum(~rep) - 1  # each repeat belongs to the last non-repeat press before it
        end_t = np.full(n, np.nan)
        end_t[run[run_end]] = t[run_end] + rep_lag[run_end]
        hold = np.where(held(rep), end_t[run] - t, hold)

    # --- Shift around runs of shifted characters, AltGr around runs of AltGr characters ----------
    s_start, sh_down, sh_up = _modifier_runs(shifted, start, t, iki, th, rng)
    left = np.array([getattr(layout.key(k), "hand", -1) == LEFT for k in keys[s_start]], bool)
    p_r = expit(th[s_start, P["logit_rshift"]])
    right = rng.random(len(s_start)) < np.where(left, p_r, 0.1 * p_r)
    mod_at, mod_down, mod_up = s_start, sh_down, sh_up
    mod_key = np.full(len(s_start), "Shift", object)
    mod_code = np.where(right, "ShiftRight", "ShiftLeft").astype(object)
    if ctx.altgr.any():  # (a US layout has none: its typing draws nothing more)
        a_start, ag_down, ag_up = _modifier_runs(ctx.altgr, start, t, iki, th, rng)
        mod_at, mod_down, mod_up = np.r_[mod_at, a_start], np.r_[mod_down, ag_down], np.r_[mod_up, ag_up]
        mod_key = np.r_[mod_key, np.full(len(a_start), "AltGraph", object)]
        mod_code = np.r_[mod_code, np.full(len(a_start), "AltRight", object)]

    # --- assemble and order events ----------------------------------------------------------------
    # an OS repeat is a down without an up of its own (its run's first press carries the release)
    u = np.flatnonzero(~rep)
    m, ns = len(u), len(mod_at)
    ups = _release_before_repress(np.r_[t[u], mod_down], np.r_[t[u] + hold[u], mod_up],
                                  np.r_[text_idx[u], text_idx[mod_at]], np.r_[phys[u], mod_code])
    ev_t = np.r_[t, ups[:m], mod_down, ups[m:]]
    ev_text = np.r_[text_idx, text_idx[u], text_idx[mod_at], text_idx[mod_at]]
    ev_type = np.r_[np.full(n, "down", object), np.full(m, "up", object),
                    np.full(ns, "down", object), np.full(ns, "up", object)]
    ev_key = np.r_[keys, keys[u], mod_key, mod_key]
    ev_code = np.r_[codes, codes[u], mod_code, mod_code]
    ev_err = np.r_[err, err[u], np.zeros(2 * ns, bool)]
    ev_cor = np.r_[cor, cor[u], np.zeros(2 * ns, bool)]
    ev_true = ev_t
    ev_t = _capture_clock(ev_t, theta[ev_text, P["clock_ms"]], len(texts), ev_text, shared.integer_ms, rng)
    order, ev_t = _in_true_order(ev_t, ev_true, ev_text)
    ev_text = ev_text[order]
    ev_key = released_keys(ev_type[order], ev_key[order], ev_code[order], ev_text, layout.name)
    bounds = np.flatnonzero(np.r_[True, ev_text[1:] != ev_text[:-1], True])
    out = []
    for j, (a, b) in enumerate(zip(bounds[:-1], bounds[1:])):
        o = order[a:b]
        tt = ev_t[a:b]
        key = ev_key[a:b]
        d = {"type": ev_type[o], "key": key}
        out.append(KeyEvents(t_ms=tt - tt[0], type=ev_type[o], key=key, code=ev_code[o], error=ev_err[o],
                             correction=ev_cor[o], text=apply_key_events(d), intended=texts[j],
                             user=typists[j].id))
    return out


def _modifier_runs(mask: np.ndarray, start: np.ndarray, t: np.ndarray, iki: np.ndarray, th: np.ndarray,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A modifier held around each run of keystrokes in ``mask`` (a run ends with its text): the run's first
    keystroke, and the modifier's press and release times. Pressed a fitted fraction into the gap before
    the run's first key (a text's first key has no gap: a fitted lead of its own), released a fitted time
    after the run's last key went down and before the next key goes down -- Shift's laws, which AltGr follows."""
    s_start = np.flatnonzero(mask & ~(np.r_[False, mask[:-1]] & ~start))
    s_end = np.flatnonzero(mask & ~np.r_[mask[1:] & ~start[1:], False])
    n = len(t)
    ts = th[s_start]
    f = expit(ts[:, P["lead_logit"]] + np.exp(ts[:, P["log_lead_sd"]]) * rng.standard_normal(len(s_start)))
    first = np.exp(ts[:, P["first_lead_mu"]] + np.exp(ts[:, P["log_first_lead_sd"]]) * rng.standard_normal(len(s_start)))
    lead = np.where(start[s_start], first, f * iki[s_start])
    nxt = np.minimum(s_end + 1, n - 1)
    has_next = (s_end + 1 < n) & ~start[nxt]
    gap_after = np.where(has_next, t[nxt] - t[s_end], 1.5 * np.exp(th[s_end, P["mu"]]))
    lag = np.exp(th[s_end, P["lag_mu"]] + np.exp(th[s_end, P["log_lag_sd"]]) * rng.standard_normal(len(s_end)))
    lag = np.where(has_next, np.minimum(lag, gap_after - 1.0), lag)
    return s_start, t[s_start] - lead, t[s_end] + np.maximum(lag, 1.0)


def _text_effects(shared: Shared, theta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Per-text effects (TEXT_EFFECTS), jointly normal with the fitted covariance; the two tempo
    effects keep each typist's own spread over texts, their correlations with the rest are the population's."""
    n = len(theta)
    if shared.text_cov is None:
        fx = np.zeros((n, len(TEXT_EFFECTS)))
        fx[:, 0], fx[:, 3] = rng.standard_normal(n), rng.standard_normal(n)
    else:
        w, v = np.linalg.eigh(shared.text_cov)
        z = np.clip(rng.standard_normal((n, len(TEXT_EFFECTS))), -3.0, 3.0)
        fx = z @ (v * np.sqrt(np.maximum(w, 0.0))).T
        sd = np.sqrt(np.maximum(np.diag(shared.text_cov), 1e-12))
        fx[:, 0] /= sd[0]
        fx[:, 3] /= sd[3]
    fx[:, 0] *= np.exp(theta[:, P["log_text_sd"]])
    fx[:, 3] *= np.exp(theta[:, P["log_h_text_sd"]])
    return fx


def _ar1(z: np.ndarray, phi: np.ndarray, start: np.ndarray, lags: int = 24) -> np.ndarray:
    """Unit-variance AR(1) noise with a coefficient per keystroke, restarted at each text.

    The impulse response is truncated after ``lags`` steps (|phi| <= 0.8: the rest is < 0.5 %), so
    all texts and typists are filtered at once with shifted sums instead of one filter per typist.
    """
    n = len(z)
    pos = np.arange(n) - np.maximum.accumulate(np.where(start, np.arange(n), 0))  # index within text
    out = z.copy()
    w = np.ones(n)
    for k in range(1, min(lags, n - 1 if n > 1 else 0) + 1):
        w = w * phi
        out[k:] += np.where(pos[k:] >= k, w[k:] * z[:-k], 0.0)
    return out * np.sqrt(1 - phi * phi)


def _release_before_repress(down: np.ndarray, up: np.ndarray, text: np.ndarray, code: np.ndarray) -> np.ndarray:
    """Cap each release before the next press of the same physical key in the same text."""
    codes = np.unique(code.astype(str), return_inverse=True)[1]
    o = np.lexsort((down, codes, text))
    same = np.r_[(text[o][1:] == text[o][:-1]) & (codes[o][1:] == codes[o][:-1]), False]
    nxt = np.r_[down[o][1:], np.inf]
    limit = np.where(same, nxt - np.minimum(RELEASE_GAP_MS / 3, 0.5 * (nxt - down[o])), np.inf)
    out = up.copy()
    out[o] = np.minimum(up[o], limit)
    return out


def _in_true_order(clock: np.ndarray, true: np.ndarray, text: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The events by text in the order they happened, and the clock's times of each text handed out in that
    order (sorted, so never decreasing within a text). A capture stack hands
    events over in that order, so its clock's jitter moves times but never swaps two events; swapped, a Shift
    released 0.3 ms after the next letter went down would type that letter in capitals, and a Backspace
    repeat could come after its own release. Sorting keeps the clock's own values (no ties are made up) and
    leaves a text whose times were already in order as it was."""
    by_true = np.lexsort((np.arange(len(clock)), true, text))
    return by_true, clock[np.lexsort((clock, text))]


def _capture_clock(t: np.ndarray, grid: np.ndarray, n_texts: int, text: np.ndarray, integer_ms: bool,
                   rng: np.random.Generator) -> np.ndarray:
    """What the capture clock reports: times floored to the typist's timer grid at a random phase,
    then whole milliseconds where the source (a browser) reports those, else with the sub-millisecond
    jitter OS timestamps carry around their grid."""
    phase = rng.random(n_texts)[text]
    g = np.where(grid > 0, grid, 1.0)
    q = np.where(grid > 0, (np.floor(t / g + phase) - phase) * g, t)
    if integer_ms:
        return np.round(q)
    return np.round(q + np.where(grid > 1, rng.normal(0.0, 0.2, len(q)), 0.0), 3)
