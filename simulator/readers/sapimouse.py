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

from simulator.readers.common import PointerLog, pointer_states, read_pointer_csv

COLUMNS = ["client timestamp", "button", "state", "x", "y"]


def subject_of(folder: str) -> str:
    m = re.match(r"user(\d+)", folder)
    return m.group(1) if m else folder


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
    files = [root] if root.is_file() else sorted(root.rglob("*.csv"))
    if not files:
        raise HcisimError(f"{root}: no SapiMouse CSV files found")
    logs = []
    for f in files:
        folder = f.parent.name if f.parent != root or root.name.startswith("user") else f.stem
        user = subject_of(folder)
        if users is not None and user not in users:
            continue
        logs.append(read_file(f, user, f"{f.parent.name}/{f.stem}"))
    return logs
