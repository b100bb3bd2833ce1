"""Reader for the Balabit Mouse Dynamics Challenge: ``user<N>/session_<id>`` CSV files.

Times are the RDP *client* timestamps (s -> ms): they carry the capture
stack's batching and repeated stamps, which the device layer is fitted to.
Rows are put in time order by a stable sort, which keeps the logger's order of rows that share a stamp (the
data set's files are in time order already; `hcisim import` sorts them so too).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.errors import HcisimError
import pyarrow as pa

from simulator.readers.common import MOVE, OTHER, PATTERNS, PointerLog, find_files, pointer_states, read_pointer_csv

COLUMNS = ["record timestamp", "client timestamp", "button", "state", "x", "y"]
MAX_COORD = 10000.0  # the data's rare huge edge coordinates are not positions


def read_rows(path: Path) -> pa.Table:
    """One Balabit session file, checked (times in seconds)."""
    return read_pointer_csv(path, "Balabit session file", COLUMNS)


def read_file(path: Path, user: str, session: str) -> PointerLog:
    t, x, y, kind = pointer_states(read_rows(path))
    # a row whose time went backwards made a movement with a negative step (a whole file's times reversed fitted a
    # law of movements lasting 0 ms), where the import of the same file sorted it
    order = np.argsort(t, kind="stable")
    t, x, y, kind = t[order], x[order], y[order], kind[order]
    bad = (np.abs(x) > MAX_COORD) | (np.abs(y) > MAX_COORD)
    kind[bad & (kind == MOVE)] = OTHER
    return PointerLog(user, session, t * 1000.0, x, y, kind)


def read_balabit(root: Path, users: set[str] | None = None) -> list[PointerLog]:
    """All sessions under ``root`` (``training_files``, one user folder, or one session file)."""
    root = Path(root)
    if not root.exists():
        raise HcisimError(f"{root}: no such file or folder")
    files = [root] if root.is_file() else find_files(root, PATTERNS["balabit"])
    if not files:
        raise HcisimError(f"{root}: no Balabit session files found")
    logs = []
    for f in files:
        user = f.parent.name.removeprefix("user")
        if users is not None and user not in users:
            continue
        logs.append(read_file(f, user, f.name))
    return logs
