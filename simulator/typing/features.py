"""Per-text keystroke features: what a keystroke-dynamics detector looks at.

The realism benchmark trains its discriminator on these, the fit report compares recorded and
generated typing with them, and tests use them to tell typists apart. Input is a `Keystrokes`
record (press/release per key), so recorded and generated texts are measured identically.
"""

from __future__ import annotations

import numpy as np

from simulator.segments import csr_offsets, mean_std, median, percentiles, seg_max, seg_sum
from simulator.typing.layout import LEFT, RIGHT, Layout, get_layout
from simulator.typing.records import Keystrokes

PCTS = (5, 10, 25, 50, 75, 90, 95)
FEATURES = (
    "n_keys", "keys_per_s",
    *(f"iki_p{p}" for p in PCTS), "iki_mean_log", "iki_sd_log",
    *(f"hold_p{p}" for p in PCTS), "hold_mean_log", "hold_sd_log",
    "rollover", "pause_500", "pause_1000", "pause_2000", "backspace_share", "shift_share", "capslock_share",
    "alt_over_same_hand", "word_boundary_ratio", "shift_lead_med", "iki_acf1", "hold_iki_corr",
)
UNITS = {
    "n_keys": "keys", "keys_per_s": "keys/s",
    **{f"{what}_{stat}": "ln ms" for what in ("iki", "hold") for stat in (*(f"p{p}" for p in PCTS), "mean_log")},
    "iki_sd_log": "sd of ln ms", "hold_sd_log": "sd of ln ms", "rollover": "share of key pairs",
    **dict.fromkeys(("pause_500", "pause_1000", "pause_2000"), "share of intervals"),
    **dict.fromkeys(("backspace_share", "shift_share", "capslock_share"), "share of keys"),
    "alt_over_same_hand": "ratio of median intervals", "word_boundary_ratio": "ratio of median intervals",
    "shift_lead_med": "ms", "iki_acf1": "correlation", "hold_iki_corr": "correlation",
}
"""What each feature is measured in, for the axes of the reports that plot them: the interval and hold
percentiles are natural logs of milliseconds (4.6 is 100 ms), which an unlabelled axis left to guess."""


def _hands_and_letters(keys: np.ndarray, layout: Layout) -> tuple[np.ndarray, np.ndarray]:
    """Per key: the hand that types it (-1 for Space and keys off the layout) and whether it is a letter."""
    hand, letter = {}, {}
    for k in set(keys.tolist()):
        hand[k] = getattr(layout.key(k), "hand", -1) if k != " " else -1
        letter[k] = isinstance(k, str) and len(k) == 1 and k.isalpha()
    return (np.fromiter((hand[k] for k in keys), np.int64, len(keys)),
            np.fromiter((letter[k] for k in keys), bool, len(keys)))


def feature_matrix(records: list[Keystrokes], layout: Layout | None = None) -> np.ndarray:
    """(texts, len(FEATURES)): each text's features, NaN where one is undefined (no Shift, too few keys).

    All texts are reduced together (`simulator.segments`): the typing critic scores 16 drawn texts per
    text, and a loop over texts took almost half of synth-typing's time."""
    layout = layout or get_layout()
    R = len(records)
    if R == 0:
        return np.zeros((0, len(FEATURES)))
    n = np.array([len(r) for r in records], np.intp)
    rec = np.repeat(np.arange(R), n)
    press = np.concatenate([r.press_ms for r in records]).astype(float)
    o = np.lexsort((press, rec))                # by text, then press time; stable: ties keep their order
    press = press[o]
    rel = np.concatenate([r.release_ms for r in records]).astype(float)[o]
    key = np.concatenate([np.asarray(r.key, dtype=object) for r in records])[o]
    off = csr_offsets(n)

    # keys
    hold = rel - press
    ok_hold = np.isfinite(hold) & (hold > 0)
    lh = np.log(hold[ok_hold])
    lh_off = csr_offsets(seg_sum(ok_hold, rec, R).astype(np.intp))
    lh_mean, lh_sd = mean_std(lh, rec[ok_hold], np.diff(lh_off))
    hands, letter = _hands_and_letters(key, layout)
    space, shift = key == " ", key == "Shift"

    # consecutive pairs of keys within a text: the press-to-press interval and what it joins
    first = np.flatnonzero(rec[1:] == rec[:-1])  # index of a pair's first key
    pr = rec[first]
    m = np.maximum(n - 1, 0)                    # pairs per text
    p_off = csr_offsets(m)
    iki = press[first + 1] - press[first]
    li = np.log(np.clip(iki, 1, None))
    li_mean, li_sd = mean_std(li, pr, m)
    both = letter[first + 1] & letter[first]
    alt = both & (hands[first + 1] != hands[first]) & np.isin(hands[first + 1], (LEFT, RIGHT))
    same = both & (hands[first + 1] == hands[first])
    around_space = space[first + 1] | space[first]

    def med(mask: np.ndarray) -> np.ndarray:
        return median(iki[mask], csr_offsets(seg_sum(mask, pr, R).astype(np.intp)))

    def share(flags: np.ndarray, seg: np.ndarray, cnt: np.ndarray) -> np.ndarray:
        return np.where(cnt > 0, seg_sum(flags, seg, R) / np.maximum(cnt, 1), np.nan)

    ends = np.append(press, np.nan)            # so empty texts index safely
    dur = np.where(n > 1, ends[np.maximum(off[1:] - 1, 0)] - ends[off[:-1]], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        kps = np.where(dur > 0, (n - 1) / dur * 1000, np.nan)
        # lag-1 autocorrelation of log intervals (texts with 3+ intervals)
        dev = li - li_mean[pr]
        lag = pr[1:] == pr[:-1]                 # pairs j and j + 1 of one text
        num = seg_sum((dev[1:] * dev[:-1])[lag], pr[1:][lag], R)
        den = np.maximum(seg_sum(dev ** 2, pr, R), 1e-9)
        acf = np.where(m > 2, num / den, np.nan)
        # correlation of a key's hold with the interval to the next press (texts of 4+ keys)
        h1 = rel[first] - press[first]
        hm = np.isfinite(h1) & (n[pr] > 3)
        x, y, s = np.log(np.clip(h1[hm], 1, None)), li[hm], pr[hm]
        c = seg_sum(np.ones(len(s)), s, R)
        xm, ym = seg_sum(x, s, R) / np.maximum(c, 1), seg_sum(y, s, R) / np.maximum(c, 1)
        sxy = seg_sum((x - xm[s]) * (y - ym[s]), s, R)
        sxx, syy = seg_sum((x - xm[s]) ** 2, s, R), seg_sum((y - ym[s]) ** 2, s, R)
        s_off = csr_offsets(c.astype(np.intp))
        varies = (seg_max(x, s_off) > -seg_max(-x, s_off)) & (seg_max(y, s_off) > -seg_max(-y, s_off))
        hic = np.where((c > 3) & varies, sxy / np.sqrt(sxx * syy), np.nan)
        alt_same = med(alt) / med(same)
        boundary = med(around_space) / med(both)

    return np.column_stack([
        n, kps,
        percentiles(li, p_off, PCTS), li_mean, li_sd,
        percentiles(lh, lh_off, PCTS), lh_mean, lh_sd,
        share(press[first + 1] < rel[first], pr, m),  # rollover; NaN below two keys (no pairs)
        share(iki > 500, pr, m), share(iki > 1000, pr, m), share(iki > 2000, pr, m),
        share(key == "Backspace", rec, n), share(shift, rec, n), share(key == "CapsLock", rec, n),
        alt_same, boundary, med(shift[first]), acf, hic,
    ]).astype(float)
