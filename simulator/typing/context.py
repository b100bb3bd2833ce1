"""What each keystroke is, in the terms the timing model conditions on.

Recorded and generated keystroke streams go through the same function, so the fitted effects and
the sampled ones mean the same thing: the digraph class (same key / same finger / same hand /
alternating hands, to and from Space, into, within and out of Backspace bursts), row distance,
position in the word, whether the word is a frequent one (typed as a burst), Shift, and the pause
context (inside a word, at a word boundary, after a sentence end, around a correction).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.typing.layout import Layout

CLASSES = ("alt", "same_hand", "same_finger", "same_key", "to_space", "from_space",
           "into_bksp", "bksp_bksp", "from_bksp", "other")
C = {name: i for i, name in enumerate(CLASSES)}
PAUSE_CONTEXTS = (*CLASSES, "sentence")
"""Where pauses happen: each digraph class has its own rate (a word's first letter, the first key
after a correction, ...), and after a sentence end."""
HOLD_KINDS = ("letter", "space", "bksp", "punct", "named", "capslock")
"""Key kinds with their own hold level (CapsLock: some systems report it down and up at once)."""

# the most frequent English words (typed as practised bursts)
FREQUENT_WORDS = frozenset("""
the of and to a in is it you that he was for on are with as i his they be at one have this from or
had by not but what some we can out other were all there when up use your how said an each she which
do their time if will way about many then them would write like so these her long make thing see him
two has look more day could go come did my no most who over know than call first people been its now
find any new work part take get made after back only just also well our year very me here thank
""".split())

_SENT_END = frozenset(".?!")


@dataclass
class Context:
    """Per-keystroke covariates of a concatenation of texts (index i = keystroke i)."""

    cls: np.ndarray          # digraph class of (previous keystroke, this one); -1 at a text's first key
    row_diff: np.ndarray     # |row difference| for same-hand digraphs, else 0
    wordpos: np.ndarray      # position of this character within its word (0 = first letter)
    frequent: np.ndarray     # inside a frequent word, not its first letter
    shifted: np.ndarray      # needs Shift
    nonletter: np.ndarray    # digit or punctuation
    pause_ctx: np.ndarray    # index into PAUSE_CONTEXTS
    first: np.ndarray        # second keystroke of a text (the slower start)
    first_word: np.ndarray   # inside a text's first word (getting going)
    last_word: np.ndarray    # inside a text's last word and what follows it (checking, finishing)
    hold_kind: np.ndarray    # index into HOLD_KINDS
    is_char: np.ndarray      # a printable character on the layout
    altgr: np.ndarray        # made with AltGr held (held around it as Shift is; slower as shifted keys are)


def keystroke_context(keys: np.ndarray, text_start: np.ndarray, layout: Layout) -> Context:
    """Covariates for a keystroke stream; ``text_start`` marks the first keystroke of each text.

    ``keys`` holds DOM keys of the keystrokes the rhythm is made of: characters, ``Backspace``,
    ``Enter`` and other named keys (Shift is not a keystroke here: it is timed around its letter).
    """
    keys = np.asarray(keys, dtype=object)
    n = len(keys)
    start = np.asarray(text_start, bool)
    uniq, inv = np.unique(keys.astype(str), return_inverse=True)
    info = [layout.key(u) for u in uniq]
    hand = np.array([k.hand if k else -1 for k in info])[inv]
    finger = np.array([k.finger if k else -1 for k in info])[inv]
    row = np.array([k.row if k else -1 for k in info])[inv]
    shifted = np.array([bool(k and k.shift) for k in info])[inv]
    altgr = np.array([bool(k and k.altgr) for k in info])[inv]
    is_char = np.array([k is not None and u != "\n" for u, k in zip(uniq, info)])[inv]
    is_letter = np.array([len(u) == 1 and u.isalpha() for u in uniq])[inv]
    is_space = keys == " "
    is_bksp = keys == "Backspace"
    named = ~is_char & ~is_bksp
    sent_end = np.array([u in _SENT_END for u in uniq])[inv]

    prev = np.r_[0, np.arange(n - 1)]
    p_hand, p_finger, p_row = hand[prev], finger[prev], row[prev]
    p_space, p_bksp, p_named = is_space[prev], is_bksp[prev], named[prev]
    cls = np.full(n, C["alt"])
    hands_ok = (hand >= 0) & (p_hand >= 0) & (hand != 2) & (p_hand != 2)
    same_hand = hands_ok & (hand == p_hand)
    cls[same_hand] = C["same_hand"]
    cls[same_hand & (finger == p_finger)] = C["same_finger"]
    cls[same_hand & (keys == keys[prev])] = C["same_key"]
    cls[is_space] = C["to_space"]
    cls[p_space & ~is_space] = C["from_space"]
    cls[named | p_named] = C["other"]
    cls[is_bksp] = C["into_bksp"]
    cls[is_bksp & p_bksp] = C["bksp_bksp"]
    cls[~is_bksp & p_bksp] = C["from_bksp"]
    cls[start] = -1
    row_diff = np.where(same_hand, np.abs(row - p_row), 0)

    # word position: keystrokes since the word's first letter (Backspace keeps the count going)
    sep_key = ~is_letter & ~is_bksp
    sep = sep_key | start
    idx = np.arange(n)
    word_start = is_letter & (start | sep_key[prev] & ~start)
    last_ws = np.maximum.accumulate(np.where(word_start, idx, 0))
    wordpos = np.where(is_letter, idx - last_ws, 0)
    # frequent words: the letter run between separators spells a frequent word
    run_id = np.cumsum(sep)
    frequent = np.zeros(n, bool)
    letters_only = is_letter.copy()
    if letters_only.any():
        ids = run_id[letters_only]
        chars = np.char.lower(keys[letters_only].astype(str))
        cut = np.flatnonzero(np.r_[True, ids[1:] != ids[:-1]])
        words = np.array(["".join(w) for w in np.split(chars, cut[1:])], dtype=object)
        freq_word = np.array([w in FREQUENT_WORDS for w in words])
        counts = np.diff(np.r_[cut, len(ids)])
        fw = np.repeat(freq_word, counts)
        frequent[letters_only] = fw
    frequent &= wordpos > 0

    pause_ctx = np.where(cls < 0, 0, cls)
    prev2 = np.r_[0, 0, np.arange(n - 2)][:n]
    pause_ctx[(sent_end[prev] | (p_space & sent_end[prev2])) & ~is_bksp] = len(CLASSES)
    first = np.r_[False, start[:-1]] & ~start
    wid = np.cumsum(word_start)
    tstart = np.maximum.accumulate(np.where(start, idx, 0))
    ends = np.r_[np.flatnonzero(start)[1:] - 1, n - 1]
    tend = np.repeat(ends, np.diff(np.r_[np.flatnonzero(start), n]))
    # a text opening with a non-letter (a quote, a digit) has its first word one start later
    first_word = (wid - wid[tstart] <= (~word_start[tstart]).astype(int)) & ~start
    last_word = (wid == wid[tend]) & ~first_word & ~start

    hold_kind = np.zeros(n, int)
    hold_kind[is_space] = 1
    hold_kind[is_bksp] = 2
    hold_kind[is_char & ~is_letter & ~is_space] = 3
    hold_kind[named] = 4
    hold_kind[keys == "CapsLock"] = 5
    return Context(cls, row_diff, wordpos, frequent, shifted, is_char & ~is_letter & ~is_space, pause_ctx,
                   first, first_word, last_word, hold_kind, is_char, altgr)


def key_names(keys: np.ndarray) -> np.ndarray:
    """Each keystroke's character in lower case ('' for named keys): the key a hold offset belongs to."""
    return np.array([k.lower() if isinstance(k, str) and len(k) == 1 else "" for k in keys], dtype=object)


def digraph_names(names: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Each keystroke's digraph from its `key_names` -- the previous character and this one, lower case --
    or '' at a text's start and next to named keys. Which two keys follow each other matters beyond the
    digraph class: 'th' and 'he' are practised, 'ws' and 'ce' are not."""
    prev = np.r_[np.array([""], dtype=object), names[:-1]]
    ok = (names != "") & (prev != "") & ~np.asarray(start, bool)
    out = np.full(len(names), "", dtype=object)
    out[ok] = prev[ok] + names[ok]
    return out


def name_offsets(names: np.ndarray, r: np.ndarray, mask: np.ndarray, k: float = 20.0,
                 min_n: int = 20) -> dict[str, float]:
    """Mean of ``r`` per name, shrunk to zero by ``k`` pseudo-observations, for names seen ``min_n`` times."""
    m = mask & (names != "")
    u, inv, cnt = np.unique(names[m].astype(str), return_inverse=True, return_counts=True)
    off = np.bincount(inv, r[m]) / (cnt + k)
    return {str(n): round(float(o), 4) for n, o, c in zip(u, off, cnt) if c >= min_n}


def lookup(offsets: dict[str, float] | None, names: np.ndarray) -> np.ndarray:
    if not offsets:
        return np.zeros(len(names))
    return np.fromiter((offsets.get(n, 0.0) for n in names), float, len(names))
