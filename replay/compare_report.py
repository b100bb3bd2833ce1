"""HTML for `hcisim compare`: both pointer paths over the reference's screen, and the scores."""

from __future__ import annotations

import html
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pyarrow.compute as pc  # noqa: E402

from simulator.dataset import read_dataset  # noqa: E402
from simulator.report.page import figure, table, write_page  # noqa: E402
from simulator.report.screen import read_screenshot, screen_axes  # noqa: E402
from replay.compare import Comparison  # noqa: E402


def _path(ds, sid: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A session's pointer moves: times, x, y."""
    ev = ds.events.filter(pc.and_(pc.equal(ds.events.column("session_id"), sid),
                                  pc.equal(ds.events.column("type"), "move")))
    return (ev.column("t_ms").to_numpy(), ev.column("x").to_numpy(zero_copy_only=False),
            ev.column("y").to_numpy(zero_copy_only=False))


def backdrop(ds, sid: str) -> str | None:
    """The session's screen when its pointer first moved: the last screenshot taken by then, else its first.
    The first screenshot of a live browser session is the blank page before the app loaded, which left the
    paths over white."""
    frames = sorted((f for f in ds.frames.to_pylist() if f["session_id"] == sid), key=lambda f: f["t_ms"])
    if not frames:
        return None
    t = _path(ds, sid)[0]
    before = [f for f in frames if len(t) and f["t_ms"] <= t.min()]
    return (before[-1] if before else frames[0])["path"]


def _paths_figure(rds, rsid: str, cds, csid: str) -> tuple[str, str]:
    """The figure of both paths and the sentence saying what it shows."""
    fig, ax = plt.subplots(figsize=(9, 5.6))
    shot = backdrop(rds, rsid)
    if shot is not None:
        ax.imshow(read_screenshot(rds.root, shot))
        ax.set_axis_off()
        under = "over the reference's screen when its pointer first moved"
    else:
        screen_axes(ax, rds.manifest.coordinate_space)
        under = "on the screen's axes (the reference has no screenshots)"
    for ds, sid, color, who in ((rds, rsid, "#17bebb", "reference"), (cds, csid, "#e4572e", "candidate")):
        _, x, y = _path(ds, sid)
        ax.plot(x, y, "-", color=color, lw=1.2, alpha=0.85,
                label=f"{who}: {len(x)} pointer moves" if len(x) else f"{who}: no pointer moves")
    ax.legend()
    return figure(fig, "pointer paths"), f"Both sessions' pointer paths, every page of them, {under}."


def _scores(result: Comparison) -> str:
    """Every field of the comparison (as `compare --json` names them): one-number scores in a table, where a list
    counts its items and a state diff its fields; then each list's items and the final state's differences,
    written out (a Python list in a table cell is not read, it is decoded)."""
    found = {k: v for k, v in vars(result).items() if isinstance(v, (list, dict))}
    rows = [[k, len(v) if k in found else v] for k, v in vars(result).items()]
    details = "".join(f"<h3>{html.escape(k.replace('_', ' '))} ({len(v)})</h3><ul>"
                      + "".join(f"<li>{html.escape(str(item))}</li>" for item in v) + "</ul>"
                      for k, v in found.items() if isinstance(v, list) and v)
    state = found.get("final_state_diff") or {}
    if state:
        details += ("<h3>final state: fields that differ</h3>"
                    + table([[k, repr(d["reference"]), repr(d["candidate"])] for k, d in state.items()],
                            ["field", "reference", "candidate"]))
    return f"<h2>Scores</h2>{table(rows, ['score', 'value'])}{details}"


def write_compare_report(reference: Path, candidate: Path, result: Comparison, out: Path, *,
                         ref_session: str | None = None, cand_session: str | None = None) -> Path:
    """The sessions compared (default: each dataset's first), drawn over the reference session's screen."""
    rds, cds = read_dataset(reference), read_dataset(candidate)
    rsid, csid = rds.session(ref_session), cds.session(cand_session)
    img, meaning = _paths_figure(rds, rsid, cds, csid)
    body = (f"<p>reference {html.escape(str(reference))} (session {html.escape(rsid)})<br>"
            f"candidate {html.escape(str(candidate))} (session {html.escape(csid)})</p>"
            f"<h2>First divergence</h2><p>{html.escape(result.first_divergence or 'none')}</p>"
            f"<figure>{img}<figcaption>{html.escape(meaning)}</figcaption></figure>"
            f"{_scores(result)}")
    return write_page(out, "hcisim compare", body)
