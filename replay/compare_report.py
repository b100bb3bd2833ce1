"""HTML for `hcisim compare`: both pointer paths over the reference's screenshots, and the scores."""

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
from replay.compare import Comparison  # noqa: E402


def _path(ds, sid: str) -> tuple[np.ndarray, np.ndarray]:
    ev = ds.events.filter(pc.and_(pc.equal(ds.events.column("session_id"), sid),
                                  pc.equal(ds.events.column("type"), "move")))
    return ev.column("x").to_numpy(), ev.column("y").to_numpy()


def write_compare_report(reference: Path, candidate: Path, result: Comparison, out: Path, *,
                         ref_session: str | None = None, cand_session: str | None = None) -> Path:
    """The sessions compared (default: each dataset's first), over the reference session's first screenshot."""
    rds, cds = read_dataset(reference), read_dataset(candidate)
    rsid, csid = rds.session(ref_session), cds.session(cand_session)
    fig, ax = plt.subplots(figsize=(9, 5.6))
    frames = [f for f in rds.frames.to_pylist() if f["session_id"] == rsid]
    if frames:
        ax.imshow(plt.imread(rds.root / frames[0]["path"]))
    for ds, sid, color, label in ((rds, rsid, "#17bebb", "reference"), (cds, csid, "#e4572e", "candidate")):
        x, y = _path(ds, sid)
        ax.plot(x, y, "-", color=color, lw=1.2, alpha=0.85, label=label)
    ax.legend()
    ax.set_axis_off()
    body = (f"<p>reference {html.escape(str(reference))} (session {html.escape(rsid)})<br>"
            f"candidate {html.escape(str(candidate))} (session {html.escape(csid)})</p>"
            f"<h2>First divergence</h2><p>{html.escape(result.first_divergence or 'none')}</p>"
            f"{figure(fig, 'pointer paths')}<h2>Scores</h2>{table(list(vars(result).items()), ['score', 'value'])}")
    return write_page(out, "hcisim compare", body)
