"""``hcisim import``: the shared data sets' own formats -> a normal hcisim dataset.

One session per recorded session, every recorded event kept (moves, drags, presses, releases,
wheel notches, key downs and ups with DOM key/code), times in ms from the session's first event,
and the person who produced each session in the manifest's ``people``. The readers in
`simulator.readers` cut recordings into what the models fit on; this module keeps everything,
so it parses the files itself but shares the readers' naming rules (subject, typist, keys).

Session ids and people:

| format | session id | person | coordinates |
|---|---|---|---|
| sapimouse | ``user12-3min``, ``user12-1min``, ``user35.1-3min`` | ``12`` (``35`` for 35.1, 35.2) | viewport_css_px |
| balabit | ``user7-session_0041905381`` | ``7`` | screen_px |
| aalto | ``p1002`` (one session per participant) | ``1002`` | viewport_css_px |
| pynput | ``f_01`` (one session per log) | ``01`` | screen_px |
"""

from __future__ import annotations

import fnmatch
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from simulator.atomic import refuse_overlap
from simulator.dataset import DatasetWriter, Manifest
from simulator.dataset.schema import EVENTS
from simulator.errors import HcisimError
from simulator.progress import Progress
from simulator.readers.common import PATTERNS, find_files

FORMATS = ("sapimouse", "balabit", "aalto", "pynput")
COORDINATES = {"sapimouse": "viewport_css_px", "balabit": "screen_px", "aalto": "viewport_css_px",
               "pynput": "screen_px"}
WHEEL_NOTCH_PX = 100.0
"""Balabit logs wheel notches without a size; one notch is 100 px (Chromium, most toolkits)."""
_BUTTONS = {"Left": "left", "Right": "right", "Middle": "middle", "NoButton": None}

@dataclass
class Session:
    """One recorded session in the project's terms: its id, its person, its events and actions."""

    session_id: str
    person: str
    source: str                           # path relative to the source folder (what --sessions matches)
    events: pa.Table
    actions: list[dict] = field(default_factory=list)


# -- files and names ---------------------------------------------------------------------------

def _session_files(fmt: str, src: Path) -> list[Path]:
    if not src.exists():
        raise HcisimError(f"{src}: no such file or folder")
    if src.is_file():
        return [src]
    files = find_files(src, PATTERNS[fmt])
    if not files:
        raise HcisimError(f"{src}: no {fmt} files found")
    return files


def _names(fmt: str, f: Path, root: Path) -> tuple[str, str]:
    """(session id, person) of one source file found under ``root`` (an Aalto file's person is read from it)."""
    f, root = f.resolve(), root.resolve()  # a file named relative to the working folder has a folder name too
    if fmt == "sapimouse":
        from simulator.readers.sapimouse import person_of

        length = re.sub(r"^session_", "", f.stem)  # session_3min -> 3min
        return f"{f.parent.name}-{length}", person_of(f, root)
    if fmt == "balabit":
        return f"{f.parent.name}-{f.name}", f.parent.name.removeprefix("user")
    if fmt == "aalto":
        return f"p{f.stem.split('_')[0]}", ""  # the person: the file's PARTICIPANT_ID, read with its keys
    from simulator.readers.pynput_log import typist_id

    return f.stem, typist_id(f)


# -- per-format parsing -----------------------------------------------------------------------

def _events(n: int, sid: str, t: np.ndarray, device, type_, **cols) -> pa.Table:
    """An events table for one session; ``t`` already ordered (validated non-decreasing)."""
    data = {"session_id": pa.array([sid] * n, pa.string()), "seq": pa.array(np.arange(n, dtype=np.int64)),
            "t_ms": pa.array(np.asarray(t, float)), "device": pa.array(device, pa.string()),
            "type": pa.array(type_, pa.string())}
    for name in ("x", "y", "button", "key", "code", "dx", "dy"):
        typ = EVENTS.field(name).type
        # from_pandas: a NaN (no wheel delta on a move) is stored as null, as every other dataset has it
        data[name] = pa.array(cols[name], typ, from_pandas=True) if name in cols else pa.nulls(n, typ)
    data["action_id"] = pa.nulls(n, pa.int64())
    data["planned_t_ms"] = pa.nulls(n, pa.float64())
    return pa.table(data, schema=EVENTS)


def _pointer(f: Path, sid: str, fmt: str) -> pa.Table:
    """SapiMouse and Balabit rows -> events: Move/Drag are moves, Pressed/Released downs/ups, Scroll wheel."""
    from simulator.readers import balabit, sapimouse

    tab = (sapimouse if fmt == "sapimouse" else balabit).read_rows(f)
    t = tab["client timestamp"].to_numpy(zero_copy_only=False) * (1.0 if fmt == "sapimouse" else 1000.0)
    if len(t) == 0:
        raise HcisimError(f"{f}: no rows")
    order = np.argsort(t, kind="stable")  # both data sets are in time order already; a stable sort keeps it so
    t = t[order] - t[order][0]
    state = np.asarray(tab["state"].to_pylist(), dtype=object)[order]
    button = np.asarray(tab["button"].to_pylist(), dtype=object)[order]
    x = tab["x"].to_numpy(zero_copy_only=False)[order]
    y = tab["y"].to_numpy(zero_copy_only=False)[order]
    n = len(t)
    wheel = button == "Scroll"  # (states checked by the reader)
    press, release = state == "Pressed", state == "Released"
    device = np.where(wheel, "wheel", "mouse")
    type_ = np.where(wheel, "wheel", np.where(press, "down", np.where(release, "up", "move")))
    btn = [(_BUTTONS.get(b, "other") if p or r else None) for b, p, r in zip(button, press, release)]
    dy = np.where(wheel, np.where(state == "Down", WHEEL_NOTCH_PX, -WHEEL_NOTCH_PX), np.nan)
    return _events(n, sid, t, device, type_, x=x, y=y, button=btn, dx=np.where(wheel, 0.0, np.nan), dy=dy)


def _aalto(f: Path, sid: str) -> tuple[pa.Table, list[dict], str]:
    """One participant's 15 sentences: key downs and ups at the page's times, one ``type`` action per sentence;
    and the participant's id (the file's PARTICIPANT_ID, as the typing reader names them)."""
    from simulator.readers.aalto import _dom_key, _read_table  # the reader's key naming, shared
    from simulator.typing.layout import code_for

    tab = _read_table(f)
    press = tab["PRESS_TIME"].to_numpy(zero_copy_only=False)
    rel = tab["RELEASE_TIME"].to_numpy(zero_copy_only=False)
    letters = tab["LETTER"].to_pylist()
    codes = tab["KEYCODE"].to_numpy(zero_copy_only=False)
    sec = np.asarray(tab["TEST_SECTION_ID"].to_pylist(), dtype=object)
    ok = np.isfinite(press)
    if not ok.any():  # (every PRESS_TIME empty ended the import in an IndexError)
        raise HcisimError(f"{f}: no keystrokes with a press time")
    order = np.flatnonzero(ok)[np.argsort(press[ok], kind="stable")]
    keys, shift_until = {}, -np.inf
    for i in order:  # Shift state in press order decides the unnamed keys' case, as in the reader
        k = _dom_key(letters[i], int(codes[i]), press[i] < shift_until)
        if k == "Shift":
            shift_until = rel[i] if rel[i] >= press[i] else press[i]
        keys[i] = k
    rows_t, rows_type, rows_key = [], [], []
    for i in order:
        rows_t.append(press[i])
        rows_type.append("key_down")
        rows_key.append(keys[i])
        if rel[i] >= press[i]:  # a release logged before its press is a wrong time, left out as the reader does
            rows_t.append(rel[i])
            rows_type.append("key_up")
            rows_key.append(keys[i])
    t = np.asarray(rows_t, float)
    o = np.argsort(t, kind="stable")
    t0 = t[o][0]
    key = [rows_key[j] for j in o]
    events = _events(len(t), sid, t[o] - t0, ["keyboard"] * len(t), [rows_type[j] for j in o],
                     key=key, code=[None if k == "Shift" else code_for(k) for k in key])  # Shift: side unknown
    actions = []
    sentences = tab["SENTENCE"].to_pylist()
    typed = tab["USER_INPUT"].to_pylist()
    for a, s in enumerate(dict.fromkeys(sec[order])):
        m = sec == s
        idx = np.flatnonzero(m & ok)
        end = np.nanmax(np.r_[press[idx], np.where(rel[idx] >= press[idx], rel[idx], np.nan)])
        actions.append({"session_id": sid, "action_id": a, "kind": "type", "t_start_ms": float(press[idx].min() - t0),
                        "t_end_ms": float(end - t0), "step": f"transcribe sentence {s}",
                        "text_intended": sentences[idx[0]] or "", "text_typed": typed[idx[0]] or "",
                        "outcome": "ok"})
    return events, actions, str(tab["PARTICIPANT_ID"][0].as_py())


def _pynput(f: Path, sid: str) -> pa.Table:
    """Every P/R row of a pynput log as key_down/key_up, keys named as the typing reader names them."""
    from simulator.readers.pynput_log import log_rows

    t, type_, key, code = [], [], [], []
    for pressed, t_ns, k, c in log_rows(f):
        t.append(t_ns)  # ns; made relative before dividing, so no float rounding noise
        type_.append("key_down" if pressed else "key_up")
        key.append(k)
        code.append(c)
    if not t:
        raise HcisimError(f"{f}: no keystrokes")
    ta = np.asarray(t, np.int64)
    o = np.argsort(ta, kind="stable")
    pick = lambda v: [v[j] for j in o]  # noqa: E731
    return _events(len(ta), sid, (ta[o] - ta[o][0]) / 1e6, ["keyboard"] * len(ta), pick(type_), key=pick(key),
                   code=pick(code))


# -- the command ----------------------------------------------------------------------------------

def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise HcisimError(f"unknown import format {fmt!r} (known: {', '.join(FORMATS)})")


def iter_sessions(fmt: str, src: Path, sessions: str | None = None, progress: Progress = None) -> Iterator[Session]:
    """Recorded sessions of ``src`` in ``fmt``, optionally only those whose id or relative path matches ``sessions``."""
    check_format(fmt)
    src = Path(src)
    files = _session_files(fmt, src)
    picked = []
    for f in files:
        sid, person = _names(fmt, f, src)
        rel = f.name if src.is_file() else f.relative_to(src).as_posix()
        if sessions is None or fnmatch.fnmatch(sid, sessions) or fnmatch.fnmatch(rel, sessions):
            picked.append((f, sid, person, rel))
    if not picked:
        raise HcisimError(f"{src}: no {fmt} session matches --sessions {sessions!r}")
    seen: dict[str, str] = {}
    for i, (f, sid, person, rel) in enumerate(picked):
        if sid in seen:
            raise HcisimError(f"{f}: session id {sid!r} also used by {seen[sid]}; import the folders separately")
        seen[sid] = rel
        actions: list[dict] = []
        if fmt in ("sapimouse", "balabit"):
            events = _pointer(f, sid, fmt)
        elif fmt == "aalto":
            events, actions, person = _aalto(f, sid)
        else:
            events = _pynput(f, sid)
        yield Session(sid, person, rel, events, actions)
        if progress:
            progress(i + 1, len(picked))


def import_dataset(fmt: str, src: Path, out: Path, *, sessions: str | None = None, progress: Progress = None,
                   command: list[str] | None = None, overwrite: bool = False) -> Manifest:
    """Convert ``src`` into a dataset at ``out`` (atomically: nothing is left at ``out`` on failure)."""
    check_format(fmt)
    refuse_overlap(out, {"recorded data being imported": src})
    from simulator.typing.io import data_terms

    manifest = Manifest(driver="import", coordinate_space=COORDINATES[fmt], command=command or list(sys.argv),
                        source={"format": fmt, "name": Path(os.path.abspath(src)).name})  # "." too
    read: list[Path] = []
    with DatasetWriter(Path(out), manifest, overwrite=overwrite) as w:
        for s in iter_sessions(fmt, src, sessions, progress):
            w.add_session(s.session_id, events=s.events, actions=s.actions or None)
            manifest.people[s.session_id] = s.person
            read.append(Path(s.source))
        manifest.source |= data_terms(Path(src), fmt, read)  # of the files --sessions picked, not all beside them
    return manifest
