"""Per-text keystroke features: what a keystroke-dynamics detector looks at.

The realism benchmark trains its discriminator on these, the fit report compares recorded and
generated typing with them, and tests use them to tell typists apart. Input is a `Keystrokes`
record (press/release per key), so recorded and generated texts are measured identically.
"""

from __future__ import annotations

import numpy as np

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


def _ratio(a, b):
    return float(np.median(a) / np.median(b)) if len(a) and len(b) else np.nan


def text_features(r: Keystrokes, layout: Layout | None = None) -> np.ndarray:
    layout = layout or get_layout()
    o = np.argsort(r.press_ms, kind="stable")
    press, rel, key = r.press_ms[o], r.release_ms[o], r.key[o]
    n = len(press)
    iki = np.diff(press)
    hold = rel - press
    hold = hold[np.isfinite(hold) & (hold > 0)]
    li = np.log(np.clip(iki, 1, None)) if len(iki) else np.array([np.nan])
    lh = np.log(hold) if len(hold) else np.array([np.nan])
    dur = press[-1] - press[0] if n > 1 else np.nan
    roll = float(np.mean(press[1:] < rel[:-1])) if n > 1 else np.nan
    hands = np.array([getattr(layout.key(k), "hand", -1) if k != " " else -1 for k in key])
    letter = np.array([isinstance(k, str) and len(k) == 1 and k.isalpha() for k in key])
    both = letter[1:] & letter[:-1]
    alt = both & (hands[1:] != hands[:-1]) & np.isin(hands[1:], (LEFT, RIGHT))
    same = both & (hands[1:] == hands[:-1])
    space = key == " "
    around_space = space[1:] | space[:-1]
    shift = key == "Shift"
    sl = np.flatnonzero(shift[:-1])
    lead = press[sl + 1] - press[sl]
    if len(li) > 2:
        a, b = li[1:] - li.mean(), li[:-1] - li.mean()
        acf = float(np.sum(a * b) / max(np.sum((li - li.mean()) ** 2), 1e-9))
    else:
        acf = np.nan
    hm = np.isfinite(rel[:-1] - press[:-1])
    lh_key = np.log(np.clip(rel[:-1] - press[:-1], 1, None))[hm] if n > 3 else np.zeros(0)  # each key's hold
    hic = (float(np.corrcoef(lh_key, li[hm])[0, 1])
           if len(lh_key) > 3 and np.ptp(lh_key) > 0 and np.ptp(li[hm]) > 0 else np.nan)  # undefined if constant
    return np.array([
        n, (n - 1) / dur * 1000 if dur and dur > 0 else np.nan,
        *np.percentile(li, PCTS), li.mean(), li.std(),
        *np.percentile(lh, PCTS), lh.mean(), lh.std(),
        roll, np.mean(iki > 500) if len(iki) else np.nan, np.mean(iki > 1000) if len(iki) else np.nan,
        np.mean(iki > 2000) if len(iki) else np.nan,
        np.mean(key == "Backspace"), np.mean(shift), np.mean(key == "CapsLock"),
        _ratio(iki[alt], iki[same]), _ratio(iki[around_space], iki[both]),
        float(np.median(lead)) if len(lead) else np.nan, acf, hic,
    ], float)


def feature_matrix(records: list[Keystrokes], layout: Layout | None = None) -> np.ndarray:
    return np.stack([text_features(r, layout) for r in records]) if records else np.zeros((0, len(FEATURES)))
