"""Reader for the Balabit Mouse Dynamics Challenge: ``user<N>/session_<id>`` CSV files.

Times are the RDP *client* timestamps (s -> ms): they carry the capture
stack's batching and repeated stamps, which the device layer is fitted to.
Rows are kept in file order (the logger's order), not re-sorted.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv

from simulator.errors import HcisimError
from simulator.readers.common import MOVE, OTHER, PRESS_LEFT, RELEASE, PointerLog

COLUMNS = ["record timestamp", "client timestamp", "button", "state", "x", "y"]
MAX_COORD = 10000.0  # the data's rare huge edge coordinates are not positions


def read_file(path: Path, user: str, session: str) -> PointerLog:
    try:
        tab = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            column_types={"x": "float64", "y": "float64", "client timestamp": "float64"}))
    except Exception as e:
        raise HcisimError(f"{path}: not a Balabit session file ({str(e).splitlines()[0]})") from None
    missing = [c for c in COLUMNS if c not in tab.column_names]
    if missing:
        raise HcisimError(f"{path}: not a Balabit session file, missing column(s) {', '.join(missing)}")
    t = tab["client timestamp"].to_numpy(zero_copy_only=False) * 1000.0
    x = tab["x"].to_numpy(zero_copy_only=False)
    y = tab["y"].to_numpy(zero_copy_only=False)
    state = np.asarray(tab["state"].to_pylist(), dtype=object)
    button = np.asarray(tab["button"].to_pylist(), dtype=object)
    kind = np.full(len(t), OTHER, np.int8)
    kind[state == "Move"] = MOVE
    kind[(state == "Pressed") & (button == "Left")] = PRESS_LEFT
    kind[state == "Released"] = RELEASE
    bad = (np.abs(x) > MAX_COORD) | (np.abs(y) > MAX_COORD)
    kind[bad & (kind == MOVE)] = OTHER
    return PointerLog(user, session, t, x, y, kind)


def read_balabit(root: Path, users: set[str] | None = None) -> list[PointerLog]:
    """All sessions under ``root`` (``training_files``, one user folder, or one session file)."""
    root = Path(root)
    if not root.exists():
        raise HcisimError(f"{root}: no such file or folder")
    files = [root] if root.is_file() else sorted(p for p in root.rglob("session_*") if p.is_file())
    if not files:
        raise HcisimError(f"{root}: no Balabit session files found")
    logs = []
    for f in files:
        user = f.parent.name.removeprefix("user")
        if users is not None and user not in users:
            continue
        logs.append(read_file(f, user, f.name))
    return logs
