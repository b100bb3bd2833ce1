"""``hcisim locate``'s edges: JSON-lines descriptors in, one CSV row per target out (atomically)."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from simulator.atomic import write_atomic
from simulator.errors import HcisimError
from simulator.jsonl import numbered_lines
from replay.locate.match import Located, locate

HEADER = ("target_id", "candidate_id", "score")


def read_descriptors(path: Path) -> list[dict[str, Any]]:
    """Descriptors of a JSON-lines file; the first bad line is named in one clear error."""
    path = Path(path)
    if not path.is_file():
        raise HcisimError(f"{path}: no such file")
    out: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for no, d in numbered_lines(path):
        if not isinstance(d, dict):
            raise HcisimError(f"{path}:{no}: expected a JSON object, got {type(d).__name__}")
        for key in ("id", "page"):
            if d.get(key) is None or isinstance(d.get(key), (dict, list)) or str(d.get(key)) == "":
                raise HcisimError(f"{path}:{no}: the descriptor has no {key!r}")
        d["id"], d["page"] = str(d["id"]), str(d["page"])
        if (d["page"], d["id"]) in seen:  # elements are matched page by page: ids need only differ within one
            raise HcisimError(f"{path}:{no}: id {d['id']!r} is used twice on page {d['page']!r}")
        seen.add((d["page"], d["id"]))
        out.append(d)
    return out


def write_csv(path: Path, results: list[Located]) -> None:
    """target_id,candidate_id,score -- written to a temporary file and renamed, never half-written."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    for r in results:
        w.writerow((r.target_id, r.candidate_id or "", f"{min(max(r.score, 0.0), 1.0):.4f}"))
    write_atomic(path, buf.getvalue())


def run(targets: Path, candidates: Path, out: Path, threshold: float | None = None) -> list[Located]:
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise HcisimError(f"--threshold must be in [0, 1], not {threshold}")
    results = locate(read_descriptors(targets), read_descriptors(candidates), threshold)
    write_csv(out, results)
    return results
