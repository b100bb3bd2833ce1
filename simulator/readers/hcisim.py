"""Reader for the project's own datasets, as the fits, ``augment`` and ``fidelity`` read them -- one way.

A session's person is the manifest's ``people`` entry (``hcisim import`` and ``augment`` write it), else
the session itself. Pointer events become one `PointerLog` per session (positions beyond MAX_COORD, a
capture glitch such as Balabit's edge values, are not moves). Key events become one log per session, cut
into texts as the free-text logs are cut (Enter, pauses over 5 s) and where a ``type`` action began (a
field, a transcribed sentence: Aalto sentences ran together, 3-5 to a pause), a pause inside an action's
span cutting nothing; a text that is exactly one ``type`` action's carries its intended and typed text, so
a typing fit learns errors from them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from simulator.dataset import Dataset, read_dataset
from simulator.dataset.validate import time_reversals, unlisted_sessions, untimed_sessions
from simulator.errors import HcisimError
from simulator.readers.balabit import MAX_COORD
from simulator.readers.common import MOVE, OTHER, PRESS_LEFT, RELEASE, PointerLog
from simulator.readers.pynput_log import segments
from simulator.segments import session_rows
from simulator.typing.records import WITHHELD, Keystrokes, pair_events


def people_of(ds: Dataset) -> dict[str, str]:
    """Session id -> person id, every session of the dataset.

    A manifest that disagrees with what the dataset holds is refused (`validate` names the same): docs/augment.md
    has people map their sessions by hand, and a misspelt session made its session a person of its own without
    a word; a ``sessions`` list cut short had the fits take the unlisted sessions' events as well. Events whose time
    goes backwards (in ``seq`` order) or is not a finite number are refused too: the fits read each session in that order, and such a
    dataset was fitted without a word (a key "pressed" 3 s before the one typed before it)."""
    strangers = sorted(set(ds.manifest.people) - set(ds.sessions))
    unlisted = unlisted_sessions(ds.sessions, ds.events)
    for wrong, what in ((strangers, "the manifest's people name session(s) it does not list"),
                        (unlisted, "events of session(s) the manifest does not list"),
                        (untimed_sessions(ds.events), "t_ms not a finite number in session(s)"),
                        (sorted({s for s, *_ in time_reversals(ds.events)}), "time goes backwards in session(s)")):
        if wrong:
            raise HcisimError(f"{ds.root}: {what}: {', '.join(map(str, wrong[:3]))}{' ...' if len(wrong) > 3 else ''}"
                              f" (edited by hand?); `hcisim validate {ds.root}` lists what is wrong")
    return {s: ds.manifest.people.get(s, s) for s in ds.sessions}


def session_of(record: Keystrokes) -> str:
    """The session a text read by `read_typing` comes from (its ``text_id`` is ``session#n``)."""
    return record.text_id.rsplit("#", 1)[0]


def pointer_logs(events: pa.Table, people: dict[str, str]) -> dict[str, PointerLog]:
    """Each session's pointer events as the mouse fit reads them, with ``user`` = the session's person."""
    cols = {c: events.column(c).to_numpy(zero_copy_only=False)
            for c in ("session_id", "t_ms", "type", "x", "y", "button", "device")}
    out = {}
    mouse = np.flatnonzero(cols["device"] == "mouse")
    for sid, rows in session_rows(cols["session_id"][mouse].astype(str)).items():
        m = mouse[rows]
        ty, bt = cols["type"][m], cols["button"][m]
        x, y = cols["x"][m].astype(float), cols["y"][m].astype(float)
        kind = np.full(len(m), OTHER, np.int8)
        kind[ty == "move"] = MOVE
        kind[(ty == "down") & (bt == "left")] = PRESS_LEFT
        kind[ty == "up"] = RELEASE
        glitch = (np.abs(x) > MAX_COORD) | (np.abs(y) > MAX_COORD) | ~np.isfinite(x) | ~np.isfinite(y)
        kind[glitch & (kind == MOVE)] = OTHER
        out[sid] = PointerLog(people.get(sid, sid), sid, cols["t_ms"][m].astype(float), x, y, kind)
    return out


def keystroke_logs(events: pa.Table, people: dict[str, str],
                   unreleased_ms: float | None = 100.0) -> dict[str, Keystrokes]:
    """Each session's key events as press rows with releases, ``user`` = the session's person (a press never
    released: see `pair_events`)."""
    cols = {c: events.column(c).to_numpy(zero_copy_only=False)
            for c in ("session_id", "t_ms", "device", "type", "key", "code")}
    m = (cols["device"] == "keyboard") & np.isin(cols["type"], ["key_down", "key_up"])
    keys = {c: v[m] for c, v in cols.items()}
    out = {}
    for sid, rows in session_rows(keys["session_id"].astype(str)).items():
        pick = lambda c: keys[c][rows]  # noqa: E731  (events are in seq order already)
        out[sid] = pair_events(pick("t_ms"), pick("type"), pick("key"), pick("code"), user=people.get(sid, sid),
                               text_id=sid, unreleased_ms=unreleased_ms)
    return out


def typing_tasks(ds: Dataset) -> dict[str, list[tuple[float, float, str | None, str | None]]]:
    """Per session, its ``type`` actions in time order: (start, end, intended text, typed text)."""
    a = ds.actions
    if a.num_rows == 0:
        return {}
    cols = {c: a.column(c).to_pylist() for c in ("kind", "session_id", "t_start_ms", "t_end_ms", "text_intended",
                                                  "text_typed")}
    out: dict[str, list] = {}
    for k, s, t0, t1, want, got in zip(*cols.values()):
        if k == "type" and t0 is not None:
            out.setdefault(str(s), []).append((float(t0), float(t1 if t1 is not None else t0), want, got))
    return {s: sorted(v, key=lambda r: r[0]) for s, v in out.items()}


def typed_texts(log: Keystrokes, tasks: list[tuple[float, float, str | None, str | None]] | None
                ) -> tuple[list[Keystrokes], list[np.ndarray]]:
    """The log cut into texts (see the module docstring), and each text's rows of the log."""
    breaks = np.array([t[0] for t in tasks], float) if tasks else None
    spans = np.array([(t[0], t[1]) for t in tasks], float) if tasks else None
    recs = segments(log, breaks=breaks, whole=spans)
    keep = np.flatnonzero(log.key != "Enter")  # segments() drops Enter and keeps the rest in order
    rows = np.split(keep, np.cumsum([len(r) for r in recs])[:-1]) if recs else []
    if tasks:
        owner = [next((j for j, t in enumerate(tasks)
                       if t[0] - 1.0 <= log.press_ms[ix[0]] and log.press_ms[ix[-1]] <= t[1] + 1.0), None)
                 for ix in rows]
        for r, j in zip(recs, owner):
            if j is not None and owner.count(j) == 1 and tasks[j][2]:  # the whole task's typing, nothing else
                r.intended, r.submitted = tasks[j][2], tasks[j][3]
    return recs, rows


def read_pointer(root: Path) -> list[PointerLog]:
    """Every session's pointer log (``user`` = its person)."""
    ds = read_dataset(Path(root))
    return list(pointer_logs(ds.events, people_of(ds)).values())


def read_typing(root: Path, progress=None) -> list[Keystrokes]:
    """Every session's texts (``user`` = its person, ``text_id`` = ``session#n``) but those holding a withheld
    character: what was typed there is unknown, so its keys cannot be placed on the keyboard."""
    ds = read_dataset(Path(root))
    logs = keystroke_logs(ds.events, people_of(ds))
    tasks = typing_tasks(ds)
    out = []
    for k, (sid, log) in enumerate(logs.items()):
        out.extend(typed_texts(log, tasks.get(sid))[0])
        if progress:
            progress(k + 1, len(logs))
    known = [r for r in out if not r.withheld]
    if out and not known:
        raise HcisimError(f"{root}: every text's characters were withheld ({WITHHELD}: a password field, or "
                          f"`record --desktop` without --keep-text); no typing to read")
    return known
