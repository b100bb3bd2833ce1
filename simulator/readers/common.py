"""Pointer logs from any outside format, and the one rule that cuts them into pointing movements.

Every mouse reader returns `PointerLog`s (one per recorded session) so fitting,
the fit report and the realism benchmark all see movements cut the same way:
the rule the issue's benchmark uses, so a fitted profile matches what it is
judged against.
"""

from __future__ import annotations

import codecs
import fnmatch
import os
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from simulator.errors import HcisimError


PATTERNS = {"sapimouse": "*.csv", "balabit": "session_*", "aalto": "*_keystrokes.txt", "pynput": "*.csv"}
"""The files each shared format's reader reads in a folder."""

NOTES = (".md", ".html", ".pdf", ".json")
"""Files a data folder holds beside its recordings: read-me's, licences, reports, profiles."""


def unread_files(root: Path, fmt: str) -> list[Path]:
    """Files under folder ``root`` that ``fmt``'s reader passes over (hidden files and notes such as SOURCE.md
    aside): said, so a folder of mixed formats is not fitted on part of itself without a word."""
    root = Path(root)
    if not root.is_dir() or fmt not in PATTERNS:
        return []
    read = set(find_files(root, PATTERNS[fmt]))
    return [f for f in find_files(root, "*")
            if f not in read and not f.name.startswith(".") and f.suffix.lower() not in NOTES
            and not any(w in f.stem.lower() for w in ("readme", "licen", "source"))]


def say_unread(data: Path, fmt: str, note) -> None:
    """Tell ``note`` of the files `unread_files` finds, in one line."""
    left = unread_files(data, fmt)
    if left and note is not None:
        note(f"{data}: {len(left)} file(s) not read as {fmt} data, such as {left[0].relative_to(data)} "
             f"({fmt} files are named {PATTERNS[fmt]})")


def find_files(root: Path, pattern: str) -> list[Path]:
    """Files under folder ``root`` whose name matches ``pattern``, sorted, following linked folders (a folder of
    links to the shared data's ``user<N>`` folders found nothing with ``rglob``, which does not enter them);
    a folder reached twice (a link loop) is read once. A link named like a data file that leads nowhere is an
    error: skipped, a moved or unmounted data set was read as a smaller one and said nothing."""
    out, seen = [], set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen:
            dirs[:] = []
            continue
        seen.add(real)
        dirs.sort()
        named = [Path(folder) / f for f in files if fnmatch.fnmatch(f, pattern)]
        broken = next((f for f in named if f.is_symlink() and not f.exists()), None)
        if broken is not None:
            raise HcisimError(f"{broken}: a link to {os.readlink(broken)}, which does not exist")
        out += [f for f in named if f.is_file()]
    return sorted(out)


MOVE, PRESS_LEFT, RELEASE, OTHER = 0, 1, 2, 3
"""Event kinds: a pointer move, a left-button press, any button release, anything else
(drag moves, other presses, wheel) -- everything but MOVE ends a run of moves."""

GAP_MS = 1000.0
MIN_SAMPLES = 4
MIN_DIST_PX = 20.0
MAX_COORD_PX = 1e6
"""Coordinates and sizes beyond this are not screen pixels (1e308 made NaN paths with exit 0)."""


WHOLE = re.compile(r"(\d+)(?:\.0*)?")
"""A whole number as a spreadsheet or pandas may write an id: ``1``, or ``1.0`` (pandas writes a column of
numbers with an empty cell as floats)."""


def find_person(given: str, known: Collection[str], alias: Callable[[str], str]) -> str | None:
    """The id in ``known`` that ``given`` names, or None: the id itself, the id the data set's own file or folder
    name holds (``alias``: SapiMouse's "user12" is 12, the free-text log "f_01" is 01), or the one id equal to it
    as a number (a spreadsheet writes "01" as 1, pandas as 1.0). Mouse and typing profiles name their people by
    this rule."""
    given = given.strip()
    if given in known:
        return given
    name = alias(given)
    if name in known:
        return name
    number = WHOLE.fullmatch(name)
    same = [u for u in known if number and u.isdigit() and int(u) == int(number[1])]
    return same[0] if len(same) == 1 else None


# ASCII digits and spaces, as pandas reads numbers: Python's \d took a full-width "１" for the id 1 (beside a 1:
# two pairs, one id) and its \s a no-break space for a space
_INT = re.compile(r"\s*[+-]?\d+\s*", re.ASCII)
_FLOAT = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*", re.ASCII)
_BOOL = re.compile(r"\s*(true|false)\s*", re.IGNORECASE | re.ASCII)
_NONFINITE = re.compile(r"\s*[+-]?(nan|inf|infinity)\s*", re.IGNORECASE | re.ASCII)
_INT64 = 2**63
MISSING = frozenset({"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                     "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"})
"""What pandas reads as a missing number by default (R writes ``NA``, pandas' own nullable types ``<NA>``)."""


def numbers(values: Sequence[str | None]) -> np.ndarray | None:
    """A CSV column's numbers as float64 (an empty or missing field, as pandas reads one, NaN), or None when a value
    is not a decimal number as pandas reads one (``0x10`` is not 16; ``NaN`` and ``inf`` are numbers, for the caller
    to refuse by name)."""
    missing = [v is None or v.strip() in MISSING for v in values]
    if not all(m or _FLOAT.fullmatch(v) or _NONFINITE.fullmatch(v) for m, v in zip(missing, values)):
        return None
    return np.array([np.nan if m else float(v) for m, v in zip(missing, values)], np.float64)


def typed_ids(ids: Sequence[str]) -> pa.Array:
    """Ids of a CSV column (as written) typed as pandas' ``read_csv`` types the column, so an output's
    ``pair_id`` / ``text_id`` joins back to the input file a caller reads (ids 1, 2, 3 written as the strings
    '1', '2', '3' did not merge with pandas' integers): all whole numbers int64, all decimal numbers float64,
    all true/false bool, anything else text. Kept as text where a type would lose or change ids: whole numbers
    beyond int64 (as float64, 2**64 and 2**64 + 1 became one id), numbers that are not finite, and what a
    looser reader takes for numbers or booleans (pyarrow read ``0x10`` as 16, beside a 16; ``1``/``0`` as
    booleans beside ``true``)."""
    if ids and all(_INT.fullmatch(i) for i in ids):
        values = [int(i) for i in ids]
        if all(-_INT64 <= v < _INT64 for v in values):
            return pa.array(values, pa.int64())
    elif ids and all(_FLOAT.fullmatch(i) for i in ids):
        return pa.array([float(i) for i in ids], pa.float64())
    elif ids and all(_BOOL.fullmatch(i) for i in ids):
        return pa.array([i.strip().lower() == "true" for i in ids], pa.bool_())
    return pa.array(list(ids), pa.string())


TEXT_HEAD_BYTES = 65536
"""How much of a file `text_problem` looks at: enough to see a binary file's NULs or a wrong encoding's
first accented letter in any recording, little enough to cost nothing per file."""


def text_problem(path: Path) -> str | None:
    """Why ``path`` cannot be read as UTF-8 text, as the end of "the file is ..." (None: it can, as far
    as its first TEXT_HEAD_BYTES show).

    UTF-16/32 (a byte-order mark, or NULs between ASCII letters: Windows tools save so); binary (a NUL
    byte: an image, an archive, a program, whose bytes a CSV parser's complaint echoed, or whose column
    names ended in a UnicodeDecodeError traceback); another 8-bit encoding. A parser's own complaint (a
    missing column) would send the reader looking in the wrong place."""
    try:
        with open(path, "rb") as f:
            head = f.read(TEXT_HEAD_BYTES)
    except OSError:
        return None
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32 text; save it as UTF-8"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text; save it as UTF-8"
    start = head[:min(64, len(head) // 2 * 2)]  # whole 2-byte units of the first 64 bytes
    for text, zeros in ((start[0::2], start[1::2]), (start[1::2], start[0::2])):  # little-, big-endian ASCII
        if len(start) >= 8 and not zeros.strip(b"\x00") and all(32 <= b < 127 or b in b"\t\r\n" for b in text):
            return "UTF-16 text; save it as UTF-8"
    if b"\x00" in head:
        return "binary, not text"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a character cut at the end is fine
    except UnicodeDecodeError as e:
        return f"not UTF-8 text (byte 0x{head[e.start]:02X} at offset {e.start}); save it as UTF-8"
    return None


def refuse_non_text(path: Path, a_what: str) -> None:
    """Stop with one line when ``path`` is not UTF-8 text (see `text_problem`)."""
    problem = text_problem(path)
    if problem:
        raise HcisimError(f"{path}: not {a_what}: the file is {problem}")


def unreadable(path: Path, a_what: str, err: Exception) -> HcisimError:
    """The one-line error for a file a CSV parser could not read as ``a_what`` ("an Aalto keystroke file")."""
    refuse_non_text(path, a_what)
    return HcisimError(f"{path}: not {a_what} ({str(err).splitlines()[0]})")


def read_pointer_csv(path: Path, what: str, columns: list[str], foreign: tuple[str, ...] = ()) -> pa.Table:
    """The rows of a ``client timestamp, button, state, x, y`` CSV (the Balabit challenge's layout, which
    SapiMouse adopted), checked: every column of the format, none of ``foreign`` (the other format's own:
    SapiMouse and Balabit differ only by Balabit's ``record timestamp``, and in time unit), finite times and
    positions. ``what`` names the format in the one-line error a malformed or foreign file gets.
    """
    refuse_non_text(path, f"a {what}")  # (a binary file's column names were a UnicodeDecodeError traceback)
    try:
        tab = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            column_types={"x": "float64", "y": "float64", "client timestamp": "float64", "button": "string",
                          "state": "string"}))
    except Exception as e:  # pyarrow raises several types for malformed CSV
        raise unreadable(path, f"a {what}", e) from None
    missing = [c for c in columns if c not in tab.column_names]
    if missing:
        raise HcisimError(f"{path}: not a {what}, missing column(s) {', '.join(missing)}")
    alien = [c for c in foreign if c in tab.column_names]
    if alien:
        raise HcisimError(f"{path}: not a {what}: it has column(s) {', '.join(alien)} of another format")
    for c in ("client timestamp", "x", "y"):
        v = tab[c].to_numpy(zero_copy_only=False)
        if not np.isfinite(v).all():
            raise HcisimError(f"{path}: row {int(np.flatnonzero(~np.isfinite(v))[0]) + 2} has no number in {c!r}")
        if c != "client timestamp" and (np.abs(v) > MAX_COORD_PX).any():  # 1e300 fitted a profile of Infinity
            raise HcisimError(f"{path}: row {int(np.flatnonzero(np.abs(v) > MAX_COORD_PX)[0]) + 2} has {c} beyond "
                              f"{MAX_COORD_PX:,.0f} px")
    state = np.asarray(tab["state"].to_pylist(), dtype=object)
    known = np.isin(state, STATES) | (np.asarray(tab["button"].to_pylist(), dtype=object) == "Scroll")
    if not known.all():  # (fit took "Bar" as some other event; import refused it)
        raise HcisimError(f"{path}: unknown mouse state(s) {', '.join(sorted({str(s) for s in state[~known]}))}")
    return tab


STATES = ("Move", "Drag", "Pressed", "Released")
"""The ``state`` values of the format (a wheel row, button ``Scroll``, may have any)."""


def pointer_states(tab: pa.Table) -> tuple[np.ndarray, ...]:
    """A checked pointer table as times in the file's unit, positions and event kinds, in file order."""
    state = np.asarray(tab["state"].to_pylist(), dtype=object)
    button = np.asarray(tab["button"].to_pylist(), dtype=object)
    kind = np.full(tab.num_rows, OTHER, np.int8)
    kind[state == "Move"] = MOVE
    kind[(state == "Pressed") & (button == "Left")] = PRESS_LEFT
    kind[state == "Released"] = RELEASE
    t, x, y = (tab[c].to_numpy(zero_copy_only=False) for c in ("client timestamp", "x", "y"))
    return t, x, y, kind


@dataclass
class PointerLog:
    """One recorded session: event times (ms), integer-pixel positions and kinds."""

    user: str
    session: str
    t_ms: np.ndarray
    x: np.ndarray
    y: np.ndarray
    kind: np.ndarray


@dataclass
class Movements:
    """Pointing movements as flat arrays with CSR offsets (movement i is ``offsets[i]:offsets[i+1]``)."""

    t_ms: np.ndarray
    x: np.ndarray
    y: np.ndarray
    offsets: np.ndarray
    press_x: np.ndarray
    press_y: np.ndarray
    press_t: np.ndarray
    user: np.ndarray
    session: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def one(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        a, b = self.offsets[i], self.offsets[i + 1]
        return self.t_ms[a:b], self.x[a:b], self.y[a:b]

    def subset(self, idx: np.ndarray) -> Movements:
        idx = np.asarray(idx)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)
        parts = [np.arange(self.offsets[i], self.offsets[i + 1]) for i in idx]
        rows = np.concatenate(parts) if parts else np.zeros(0, int)
        lens = np.diff(self.offsets)[idx]
        return Movements(self.t_ms[rows], self.x[rows], self.y[rows], np.r_[0, np.cumsum(lens)],
                         self.press_x[idx], self.press_y[idx], self.press_t[idx], self.user[idx], self.session[idx])


def cut_movements(logs: list[PointerLog]) -> Movements:
    """Cut logs into pointing movements.

    A movement is the run of Move events that ends in a left-button press; it
    starts at the first Move after the previous non-move event or after more
    than 1 s without events; it keeps >= 4 samples and >= 20 px between its
    first Move and the press position. t = 0 at its first Move.
    """
    ts, xs, ys, lens, px, py, pt, us, ss = [], [], [], [], [], [], [], [], []
    for log in logs:
        k, t = log.kind, log.t_ms
        n = len(t)
        if n < 2:
            continue
        presses = np.flatnonzero(k == PRESS_LEFT)
        # run start: index after the last non-move or after the last >1 s gap
        brk = np.zeros(n, bool)
        brk[1:] = (k[:-1] != MOVE) | (np.diff(t) > GAP_MS)
        brk[0] = True
        start_of = np.maximum.accumulate(np.where(brk, np.arange(n), 0))
        for p in presses:
            if p == 0 or k[p - 1] != MOVE or t[p] - t[p - 1] > GAP_MS:
                continue
            a = start_of[p - 1]
            if p - a < MIN_SAMPLES:
                continue
            if np.hypot(log.x[p] - log.x[a], log.y[p] - log.y[a]) < MIN_DIST_PX:
                continue
            ts.append(t[a:p] - t[a])
            xs.append(log.x[a:p])
            ys.append(log.y[a:p])
            lens.append(p - a)
            px.append(log.x[p])
            py.append(log.y[p])
            pt.append(t[p] - t[a])
            us.append(log.user)
            ss.append(log.session)
    cat = (lambda v: np.concatenate(v).astype(float)) if ts else (lambda v: np.zeros(0))
    return Movements(cat(ts), cat(xs), cat(ys), np.r_[0, np.cumsum(lens)].astype(np.int64),
                     np.asarray(px, float), np.asarray(py, float), np.asarray(pt, float),
                     np.asarray(us, dtype=object), np.asarray(ss, dtype=object))
