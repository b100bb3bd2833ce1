"""Reader for the Aalto "136M Keystrokes" files (``<id>_keystrokes.txt``, tab-separated).

Rows are sorted by PRESS_TIME (KEYSTROKE_ID follows release order in the source). LETTER is a
character or a name (SHIFT, BKSP, ...) and empty in about a tenth of rows, where the JavaScript
keyCode decides; named keys follow the keyCode (LETTER may show ``%`` for ArrowLeft or a raw ``\\x08``).
Keystrokes with impossible times (release before press, holds over 2 s) keep their press and get
a NaN release, so timing fits skip them without shifting the sequence.

Dataset: Dhakal, Feit, Kristensson, Oulasvirta, "Observations on Typing from 136 Million
Keystrokes", CHI 2018 -- free for non-commercial use with attribution.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from simulator.errors import HcisimError
from simulator.readers.common import PATTERNS, find_files, unreadable
from simulator.typing.layout import code_for
from simulator.typing.records import Keystrokes

_NAMES = {
    "SHIFT": "Shift", "BKSP": "Backspace", "CAPS_LOCK": "CapsLock", "CTRL": "Control", "ALT": "Alt",
    "ARW_LEFT": "ArrowLeft", "ARW_RIGHT": "ArrowRight", "ARW_UP": "ArrowUp", "ARW_DOWN": "ArrowDown",
    "DELETE": "Delete", "END": "End", "HOME": "Home", "INSERT": "Insert", "MENU": "ContextMenu",
    "NUM_LK": "NumLock", "PAUSE": "Pause", "PG_DOWN": "PageDown", "PG_UP": "PageUp", "SCR_LK": "ScrollLock",
    "WIN": "Meta", "TAB": "Tab", "ENTER": "Enter",
}
_CODE_NAMES = {8: "Backspace", 9: "Tab", 13: "Enter", 16: "Shift", 17: "Control", 18: "Alt", 20: "CapsLock",
               32: " ", 37: "ArrowLeft", 38: "ArrowUp", 39: "ArrowRight", 40: "ArrowDown", 46: "Delete",
               186: ";", 187: "=", 188: ",", 189: "-", 173: "-", 190: ".", 191: "/", 192: "`", 219: "[",
               220: "\\", 221: "]", 222: "'", 110: "."}
_SHIFTED = dict(zip("`1234567890-=[]\\;',./", "~!@#$%^&*()_+{}|:\"<>?"))
_COLUMNS = ["PARTICIPANT_ID", "TEST_SECTION_ID", "SENTENCE", "USER_INPUT", "PRESS_TIME", "RELEASE_TIME",
            "LETTER", "KEYCODE"]


def _dom_key(letter: str | None, keycode: int, shift_held: bool) -> str:
    if keycode in _CODE_NAMES and len(_CODE_NAMES[keycode]) > 1:  # named keys: keyCode is reliable
        return _CODE_NAMES[keycode]
    if letter:
        return _NAMES.get(letter, letter) if len(letter) > 1 else letter
    if 65 <= keycode <= 90:
        c = chr(keycode).lower()
        return c.upper() if shift_held else c
    if 48 <= keycode <= 57 or 96 <= keycode <= 105:
        d = str((keycode - 48) % 48 if keycode <= 57 else keycode - 96)
        return _SHIFTED[d] if shift_held and keycode <= 57 else d
    ch = _CODE_NAMES.get(keycode)
    if ch is None:
        return "Unidentified"
    return _SHIFTED.get(ch, ch) if shift_held and len(ch) == 1 else ch


def _files(path: Path) -> list[Path]:
    path = Path(path)
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(find_files(path, PATTERNS["aalto"]), key=lambda p: (len(p.name), p.name))
        if files:
            return files
        raise HcisimError(f"{path}: no Aalto *_keystrokes.txt files found")
    raise HcisimError(f"{path}: no such file or folder")


MAX_BAD_ROW_SHARE = 0.01
"""Rows with the wrong number of fields (a tab typed into a sentence) are skipped while they are rare; past
this share of a file, the file is not what it should be and reading it stops with the first such line."""


def _cut_short(f: Path, last_bad: str) -> bool:
    """Whether the file's last line lacks its newline and is the row skipped last for too few fields. Why: a rare
    bad row is skipped, so a file cut part way (a download stopped) was read silently, its last sentence typed
    only part way yet labelled with the whole sentence."""
    with open(f, "rb") as fh:
        fh.seek(max(0, fh.seek(0, 2) - len(last_bad.encode()) - 2))
        tail = fh.read()
    return not tail.endswith(b"\n") and tail.rsplit(b"\n", 1)[-1].decode("utf-8", "replace") == last_bad


def _read_table(f: Path) -> pa.Table:
    bad: list[str] = []

    def skip(row) -> str:
        bad.append(row.text)  # pyarrow knows no line numbers when it reads in parallel
        return "skip"

    try:
        t = pacsv.read_csv(
            f, parse_options=pacsv.ParseOptions(delimiter="\t", quote_char=False, invalid_row_handler=skip),
            convert_options=pacsv.ConvertOptions(
                include_columns=_COLUMNS,
                column_types={"PARTICIPANT_ID": pa.string(), "TEST_SECTION_ID": pa.string(), "SENTENCE": pa.string(),
                              "USER_INPUT": pa.string(), "LETTER": pa.string(), "PRESS_TIME": pa.float64(),
                              "RELEASE_TIME": pa.float64(), "KEYCODE": pa.int64()},
                strings_can_be_null=True, null_values=[""]),
            read_options=pacsv.ReadOptions(encoding="utf-8"))
    except (pa.ArrowInvalid, KeyError, UnicodeDecodeError) as e:
        raise unreadable(f, "an Aalto keystroke file", e) from None
    if bad and _cut_short(f, bad[-1]):
        raise HcisimError(f"{f}: ends part way through a line ({bad[-1][:60]!r}): the file is cut short; not an "
                          f"intact Aalto keystroke file")
    if len(bad) > MAX_BAD_ROW_SHARE * (t.num_rows + len(bad)):
        raise HcisimError(f"{f}: {len(bad)} of {t.num_rows + len(bad)} rows have the wrong number of fields "
                          f"(such as {bad[0][:60]!r}); not an intact Aalto keystroke file")
    if t.num_rows == 0:  # (a header alone ended `fit typing` in an IndexError)
        raise HcisimError(f"{f}: no keystrokes")
    who = pc.unique(t["PARTICIPANT_ID"].drop_null()).to_pylist()
    if len(who) != 1:  # (import made one person of such a file, the fit two: the study writes one file each)
        raise HcisimError(f"{f}: an Aalto keystroke file holds one participant's keystrokes; this one has "
                          + (f"{len(who)} PARTICIPANT_IDs ({', '.join(sorted(who)[:3])}"
                             f"{', ...' if len(who) > 3 else ''}); split it by participant" if who
                             else "no PARTICIPANT_ID"))
    return t


def read_aalto(path: Path, users: set[str] | None = None, progress=None) -> list[Keystrokes]:
    """All texts in an Aalto file or folder (optionally only ``users``), one `Keystrokes` per sentence."""
    files = _files(path)
    if users is not None:
        files = [f for f in files if f.name.split("_")[0] in users]
    out: list[Keystrokes] = []
    for i, f in enumerate(files):
        t = _read_table(f)
        cols = {c: t.column(c).to_numpy(zero_copy_only=False) for c in _COLUMNS}
        sec = cols["TEST_SECTION_ID"]
        order = np.lexsort((cols["PRESS_TIME"], sec))
        sec = sec[order]
        bounds = np.flatnonzero(np.r_[True, sec[1:] != sec[:-1], True])
        for a, b in zip(bounds[:-1], bounds[1:]):
            idx = order[a:b]
            press = cols["PRESS_TIME"][idx]
            rel = cols["RELEASE_TIME"][idx]
            if not np.all(np.isfinite(press)):
                continue
            letters, codes = cols["LETTER"][idx], cols["KEYCODE"][idx]
            keys, shift_until = [], -np.inf
            for p, r, let, kc in zip(press, rel, letters, codes):
                k = _dom_key(let, int(kc), p < shift_until)
                if k == "Shift":
                    shift_until = r
                keys.append(k)
            hold = rel - press
            bad = ~np.isfinite(hold) | (hold < 0) | (hold > 2000)
            t0 = press[0]
            out.append(Keystrokes(
                user=str(cols["PARTICIPANT_ID"][idx[0]]), text_id=str(sec[a]),
                press_ms=press - t0, release_ms=np.where(bad, np.nan, rel - t0),
                key=np.asarray(keys, dtype=object),
                code=np.asarray([None if k == "Shift" else code_for(k) for k in keys], dtype=object),  # side unknown
                intended=cols["SENTENCE"][idx[0]] or "", submitted=cols["USER_INPUT"][idx[0]] or ""))
        if progress:
            progress(i + 1, len(files))
    return out


def aalto_users(path: Path) -> list[str]:
    """Participant ids in a folder, from the file names (no parsing)."""
    return [f.name.split("_")[0] for f in _files(path)]
