"""The recorder's journal: what a recording has captured so far, on disk as it arrives.

An append-only JSON-lines file (flushed and fsynced every batch) plus the screenshots beside it, in a hidden
folder next to the dataset being recorded. `replay.record` writes it; `replay.convert` turns it into the
dataset, after the recording or after a crash.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from simulator.errors import HcisimError
from simulator.jsonl import read_jsonl

JOURNAL = "journal.jsonl"


def journal_dir(out: Path) -> Path:
    return out.parent / f".{out.name}.recording"


class Journal:
    """Append-only JSON-lines log, fsynced every batch."""

    def __init__(self, root: Path) -> None:
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self._fh = open(root / JOURNAL, "a", encoding="utf-8")

    def write(self, records: list[dict[str, Any]]) -> None:
        for r in records:
            self._fh.write(json.dumps(r, separators=(",", ":")) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def add_frame(self, name: str, png: bytes, t_epoch_ms: float, kind: str) -> None:
        (self.root / "frames").mkdir(exist_ok=True)
        tmp = self.root / "frames" / (name + ".tmp")
        tmp.write_bytes(png)
        tmp.replace(self.root / "frames" / name)
        self.write([{"type": "frame", "t": t_epoch_ms, "file": name, "kind": kind}])

    def close(self) -> None:
        self._fh.close()


def read_journal(root: Path) -> list[dict[str, Any]]:
    path = root / JOURNAL
    if not path.is_file():
        raise HcisimError(f"{root}: no recording journal")
    return read_jsonl(path, cut_short_ok=True)  # the last line of a killed recorder may be cut short
