"""Reader for pynput keyboard logs (``P|R,<key>,<ns timestamp>`` rows, no header).

Files are named ``<platform letter>_<typist id>.csv`` (e.g. ``f_01.csv``); the typist id is what
follows the first underscore, kept as text (``01`` is not ``1``). Releases are paired with presses
by physical key (DOM code): pynput may name the release differently from the press (``'A'`` then
``'a'``, ``'!'`` then ``'1'``). A log is cut into segments at Enter and at pauses over 5 s -- the
unit the free-text data set keeps or holds out.
"""

from __future__ import annotations

import ast
import csv
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from simulator.errors import HcisimError
from simulator.readers.common import PATTERNS, find_files, refuse_non_text
from simulator.typing.layout import code_for
from simulator.typing.records import Keystrokes

HOLD_LIMIT_MS = 2_000.0
"""Longest believable hold of a key that is tapped."""
HELD_LIMIT_MS = 10_000.0
"""Longest believable hold of Backspace (held down to auto-repeat)."""

_NAMED = {
    "space": " ", "backspace": "Backspace", "shift": "Shift", "shift_r": "Shift", "shift_l": "Shift",
    "enter": "Enter", "caps_lock": "CapsLock", "tab": "Tab", "ctrl": "Control", "ctrl_l": "Control",
    "ctrl_r": "Control", "cmd": "Meta", "cmd_r": "Meta", "cmd_l": "Meta", "alt": "Alt", "alt_l": "Alt",
    "alt_r": "Alt", "alt_gr": "AltGraph", "left": "ArrowLeft", "right": "ArrowRight", "up": "ArrowUp",
    "down": "ArrowDown", "esc": "Escape", "delete": "Delete", "home": "Home", "end": "End", "fn": "Fn",
}
_SIDE_CODES = {"shift_r": "ShiftRight", "ctrl_r": "ControlRight", "cmd_r": "MetaRight", "alt_r": "AltRight"}
SEGMENT_PAUSE_MS = 5000.0


def parse_key(raw: str) -> tuple[str, str | None]:
    """pynput's name for a key -> (DOM key, DOM code)."""
    if raw.startswith("Key."):
        name = raw[4:]
        key = _NAMED.get(name, "Unidentified")
        return key, _SIDE_CODES.get(name) or code_for(key)
    try:
        ch = ast.literal_eval(raw) if raw[:1] in "'\"" else None
    except (ValueError, SyntaxError):
        ch = None
    if not isinstance(ch, str) or len(ch) != 1 or not ch.isprintable():
        return "Unidentified", None
    return ch, code_for(ch)


def typist_id(path: Path) -> str:
    """The free-text data's ``<task letter>_<typist>.csv`` (``f_01``: 01) names its typist; any other file is
    its own typist (``alice_day1``: alice_day1, not day1 -- a name of several people's files once)."""
    stem = Path(path).stem
    m = re.fullmatch(r"[A-Za-z]_(.+)", stem)
    return m.group(1) if m else stem


def _files(path: Path) -> list[Path]:
    path = Path(path)
    if path.is_file():
        return [path]
    if path.is_dir():
        files = find_files(path, PATTERNS["pynput"])
        if files:
            return files
        raise HcisimError(f"{path}: no pynput *.csv logs found")
    raise HcisimError(f"{path}: no such file or folder")


def log_rows(f: Path) -> Iterator[tuple[bool, int, str, str | None]]:
    """Each P/R row of a log as (pressed, time in ns, key, code), keys named as the typing model names them."""
    refuse_non_text(f, "a pynput log")
    digits = None
    with open(f, newline="", encoding="utf-8-sig", errors="replace") as fh:  # -sig: a byte-order mark, as Excel saves
        for n, row in enumerate(csv.reader(fh)):
            if not row:
                continue
            if len(row) < 3 or row[0] not in ("P", "R"):
                raise HcisimError(f"{f}: line {n + 1} is not a pynput P/R,key,timestamp row")
            try:
                t_ns = int(row[-1])
            except ValueError:
                raise HcisimError(f"{f}: line {n + 1} has no integer nanosecond timestamp") from None
            if not 0 <= t_ns < 2 ** 63:  # a clock's nanoseconds since 1970 fit in int64 until 2262
                raise HcisimError(f"{f}: line {n + 1} has a timestamp out of range ({t_ns})")
            digits = digits or len(str(t_ns))
            if len(str(t_ns)) != digits:  # a stamp cut short is still an integer: it made a session of decades
                raise HcisimError(f"{f}: line {n + 1} has a timestamp of {len(str(t_ns))} digits ({t_ns}) where the "
                                  f"log's first has {digits}: cut short?")
            key, code = parse_key(",".join(row[1:-1]))
            yield row[0] == "P", t_ns, key, code


def read_log(f: Path) -> Keystrokes:
    """One whole log as press rows with release times (ms from the first press)."""
    press, release, keys, codes = [], [], [], []
    open_: dict[str, list[int]] = {}
    releases = 0
    for pressed, t_ns, key, code in log_rows(f):
        releases += not pressed
        t = t_ns / 1e6
        ident = code or key.lower()
        if pressed:  # an auto-repeat press is a keystroke of its own; one release ends them all
            open_.setdefault(ident, []).append(len(press))
            press.append(t)
            release.append(np.nan)
            keys.append(key)
            codes.append(code)
        elif open_.get(ident):
            for j in open_.pop(ident):
                release[j] = t
    if releases and not press:  # (a fit said only "too little typing to fit (0 text(s) ...)")
        raise HcisimError(f"{f}: {releases} key release(s) (R rows) and no key press (P rows): nothing typed to read")
    pr = np.asarray(press, float)
    rel = np.asarray(release, float)
    order = np.argsort(pr, kind="stable")
    pr, rel = pr[order], rel[order]
    t0 = pr[0] if len(pr) else 0.0
    # a release this long after its press is a lost pairing (logs cut into segments), not a hold --
    # except Backspace, which people hold down to auto-repeat through long deletions (up to ~9 s here)
    keys = np.asarray(keys, dtype=object)[order]
    limit = np.where(keys == "Backspace", HELD_LIMIT_MS, HOLD_LIMIT_MS)
    rel = np.where((rel - pr > limit) | (rel < pr), np.nan, rel)
    return Keystrokes(typist_id(f), Path(f).stem, pr - t0, rel - t0, keys, np.asarray(codes, dtype=object)[order])


def segments(log: Keystrokes, pause_ms: float = SEGMENT_PAUSE_MS, breaks: np.ndarray | None = None,
             whole: np.ndarray | None = None) -> list[Keystrokes]:
    """Cut a log at Enter presses and pauses over ``pause_ms``; Enter itself is dropped. ``breaks``: times
    (the log's clock) where a new text began by other means -- a field, a sentence of a transcription study --
    cut at the first press from each on. ``whole``: (start, end) spans of such texts, which a pause inside
    does not cut (a transcribed sentence with a 6 s pause in it is one text, as the study's reader reads it)."""
    if len(log) == 0:
        return []
    gap = np.diff(log.press_ms, prepend=log.press_ms[0])
    enter = log.key == "Enter"
    paused = gap > pause_ms
    if whole is not None and len(whole):
        spans = np.asarray(whole, float).reshape(-1, 2)
        inside = ((log.press_ms[:, None] > spans[:, 0]) & (log.press_ms[:, None] <= spans[:, 1])).any(axis=1)
        paused &= ~inside
    start = paused | np.r_[False, enter[:-1]]
    if breaks is not None and len(breaks):
        at = np.searchsorted(log.press_ms, np.asarray(breaks, float), side="left")
        start[at[(at > 0) & (at < len(log))]] = True
    seg_id = np.cumsum(start)
    out = []
    for s in np.unique(seg_id[~enter]):
        m = (seg_id == s) & ~enter
        idx = np.flatnonzero(m)
        t0 = log.press_ms[idx[0]]
        out.append(Keystrokes(log.user, f"{log.text_id}#{int(s)}", log.press_ms[idx] - t0,
                              log.release_ms[idx] - t0, log.key[idx], log.code[idx]))
    return out


def read_pynput(path: Path, progress=None) -> list[Keystrokes]:
    """All segments of the logs in a file or folder, each tagged with its typist id."""
    files = _files(path)
    out: list[Keystrokes] = []
    for i, f in enumerate(files):
        out.extend(segments(read_log(f)))
        if progress:
            progress(i + 1, len(files))
    return out
