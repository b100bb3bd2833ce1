"""``hcisim locate``'s edges: JSON-lines descriptors in, one CSV row per target out (atomically)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from simulator.atomic import check_file_out, starts_with, write_atomic
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


def recorded_targets(dataset: Path) -> list[dict[str, Any]]:
    """The elements a recording acted on, as the recorder described them (``params.descriptor``), each once:
    an element clicked and then typed into is one target."""
    from simulator.dataset import read_dataset

    out, seen = [], set()
    for row in read_dataset(dataset).actions.to_pylist():
        d = json.loads(row.get("params") or "{}").get("descriptor")
        if not isinstance(d, dict) or not d.get("id") or not d.get("page"):
            continue
        d["id"], d["page"] = str(d["id"]), str(d["page"])
        if (d["page"], d["id"]) not in seen:
            seen.add((d["page"], d["id"]))
            out.append(d)
    if not out:
        raise HcisimError(f"{dataset}: no recorded element descriptors (datasets made by hcisim record carry them)")
    return out


def page_candidates(urls: list[str]) -> list[dict[str, Any]]:
    """Every visible element of each page, described as the recorder describes targets (a real Chromium)."""
    from replay.locate import CANDIDATES_JS
    from simulator.drivers.browser import BrowserDriver, refuse_unreachable

    for url in urls:
        refuse_unreachable(url)
    driver = BrowserDriver()
    try:
        driver.start_session("candidates")
        out = []
        for url in urls:
            driver.goto(url)
            out += driver.page.evaluate(CANDIDATES_JS)
        driver.end_session()
        return out
    finally:
        driver.close()


def read_inputs(refs: list[str], *, what: str) -> list[dict[str, Any]]:
    """Descriptors from each of ``refs``: a JSON-lines file, a dataset folder (targets: what it recorded) or
    a page's URL (candidates: what it shows now)."""
    urls = [r for r in refs if r.startswith(("http://", "https://"))]
    out: list[dict[str, Any]] = []
    for r in refs:
        if r in urls:
            continue
        path = Path(r)
        out += recorded_targets(path) if path.is_dir() else read_descriptors(path)
    if urls:
        out += page_candidates(urls)
    seen: set[tuple[str, str]] = set()
    for d in out:  # files were checked line by line; across several inputs an id may still repeat
        if (str(d["page"]), str(d["id"])) in seen:
            raise HcisimError(f"{what}: id {d['id']!r} appears twice on page {d['page']!r} across the inputs")
        seen.add((str(d["page"]), str(d["id"])))
    return out


def run(targets: list[str], candidates: list[str], out: Path, threshold: float | None = None) -> list[Located]:
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise HcisimError(f"--threshold must be in [0, 1], not {threshold}")
    files = {f"{what} being read": p for what, given in (("targets", targets), ("candidates", candidates))
             for p in given if "://" not in p}
    check_file_out(out, files, replaces=("an earlier locate result", starts_with(",".join(HEADER).encode())))
    wanted = read_inputs(targets, what="targets")
    if not wanted:  # "0/0 targets found", exit 0, read as a pass
        raise HcisimError(f"no targets to locate in {', '.join(targets)}")
    results = locate(wanted, read_inputs(candidates, what="candidates"), threshold)
    write_csv(out, results)
    return results
