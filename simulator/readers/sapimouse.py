"""Reader for SapiMouse raw logs: ``client timestamp,button,state,x,y`` CSVs in ``user<N>/`` folders.

The subject is the folder's number before any dot (``user35.1`` and ``user35.2``
are one person recorded twice), so splits by subject keep them together.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from simulator.errors import HcisimError
import pyarrow as pa

from simulator.readers.common import PATTERNS, PointerLog, find_files, pointer_states, read_pointer_csv

COLUMNS = ["client timestamp", "button", "state", "x", "y"]


def subject_of(folder: str) -> str:
    m = re.match(r"user(\d+)", folder)
    return m.group(1) if m else folder


def person_of(f: Path, root: Path) -> str:
    """Whose file ``f`` (found under ``root``) is: a SapiMouse ``user<N>`` folder names its subject; elsewhere a
    file in a folder of its own is its folder's person, and a file given alone or lying loose in ``root`` is named
    by itself (``own/alice.csv``: alice). `hcisim import` and `hcisim fit` name people by this one rule."""
    if re.match(r"user\d+", f.parent.name):
        return subject_of(f.parent.name)
    if f == root or f.parent == root:
        return f.stem
    return f.parent.name


def read_rows(path: Path) -> pa.Table:
    """One SapiMouse CSV, checked (a Balabit file, whose times are seconds, is refused)."""
    return read_pointer_csv(path, "SapiMouse CSV", COLUMNS, foreign=("record timestamp",))


def read_file(path: Path, user: str, session: str) -> PointerLog:
    t, x, y, kind = pointer_states(read_rows(path))
    order = np.argsort(t, kind="stable")
    return PointerLog(user, session, t[order], x[order], y[order], kind[order])


def read_sapimouse(root: Path, users: set[str] | None = None) -> list[PointerLog]:
    """All sessions under ``root`` (the data set folder, one ``user<N>`` folder, or one CSV)."""
    root = Path(root)
    if not root.exists():
        raise HcisimError(f"{root}: no such file or folder")
    files = [root] if root.is_file() else find_files(root, PATTERNS["sapimouse"])
    if not files:
        raise HcisimError(f"{root}: no SapiMouse CSV files found")
    logs = []
    for f in files:
        user = person_of(f, root)
        if users is not None and user not in users:
            continue
        logs.append(read_file(f, user, f"{f.parent.name}/{f.stem}"))
    return logs
