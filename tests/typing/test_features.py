"""The batched per-text features equal the per-text function they replaced, on recorded typing and edge cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.readers.aalto import read_aalto
from simulator.readers.pynput_log import read_log, segments
from simulator.typing.features import FEATURES, feature_matrix
from simulator.typing.layout import LEFT, RIGHT, Layout, get_layout
from simulator.typing.records import Keystrokes

# -- reference: the former per-text implementation, verbatim -------------------------------------------

PCTS = (5, 10, 25, 50, 75, 90, 95)


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
    lh_key = np.log(np.clip(rel[:-1] - press[:-1], 1, None))[hm] if n > 3 else np.zeros(0)
    hic = (float(np.corrcoef(lh_key, li[hm])[0, 1])
           if len(lh_key) > 3 and np.ptp(lh_key) > 0 and np.ptp(li[hm]) > 0 else np.nan)
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

# ---------------------------------------------------------------------------------------------------------


def _assert_matches(records: list[Keystrokes]) -> None:
    with np.errstate(divide="ignore"):   # the reference divides by a zero median interval (-> inf)
        want = np.stack([text_features(r) for r in records])
    got = feature_matrix(records)
    assert got.shape == (len(records), len(FEATURES))
    bad = ~np.isclose(got, want, rtol=1e-9, atol=1e-12, equal_nan=True)
    assert not bad.any(), [(FEATURES[j], int(i)) for i, j in zip(*np.nonzero(bad))][:5]


def _rec(press, release, keys) -> Keystrokes:
    return Keystrokes("u", "t", np.asarray(press, float), np.asarray(release, float),
                      np.asarray(keys, dtype=object), np.full(len(keys), None, dtype=object))


def test_equals_reference_on_recorded_texts(aalto_dir: Path, freetext_dir: Path):
    aalto = read_aalto(aalto_dir / "1002_keystrokes.txt")
    log = read_log(sorted((freetext_dir / "Facebook").glob("*"))[0])
    free = segments(log)
    assert len(aalto) > 5 and len(free) > 5
    _assert_matches(aalto + free)


def test_edge_cases_one_two_three_and_four_keys_ties_and_unreleased():
    _assert_matches([
        _rec([5], [np.nan], ["a"]),                                   # one key, never released
        _rec([0, 120], [80, 200], ["H", "i"]),
        _rec([0, 90, 90], [50, 150, 140], ["a", " ", "b"]),           # a tie in press times keeps order
        _rec([10, 5, 5, 40], [30, np.nan, 8, 60], ["Shift", "A", "b", " "]),  # out of order, NaN hold
        _rec([0, 100, 200, 300, 400], [50, 150, 250, 350, 450], list("aaaaa")),  # constant: no correlation
        _rec([0, 100, 2600, 2700], [100, 90, 2650, 2800], ["Backspace", "CapsLock", "é", "\n"]),
    ])


def test_empty_batch_and_empty_text():
    assert feature_matrix([]).shape == (0, len(FEATURES))
    row = feature_matrix([_rec([], [], [])])[0]
    assert row[FEATURES.index("n_keys")] == 0 and np.isnan(row[1:]).all()
