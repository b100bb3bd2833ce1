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


def _path(ds) -> tuple[np.ndarray, np.ndarray]:
    sid = ds.sessions[0]
    ev = ds.events.filter(pc.and_(pc.equal(ds.events.column("session_id"), sid),
                                  pc.equal(ds.events.column("type"), "move")))
    return ev.column("x").to_numpy(), ev.column("y").to_numpy()


def write_compare_report(reference: Path, candidate: Path, result: Comparison, out: Path) -> Path:
    rds, cds = read_dataset(reference), read_dataset(candidate)
    fig, ax = plt.subplots(figsize=(9, 5.6))
    frames = rds.frames.to_pylist()
    if frames:
        ax.imshow(plt.imread(rds.root / frames[0]["path"]))
    for ds, color, label in ((rds, "#17bebb", "reference"), (cds, "#e4572e", "candidate")):
        x, y = _path(ds)
        ax.plot(x, y, "-", color=color, lw=1.2, alpha=0.85, label=label)
    ax.legend()
    ax.set_axis_off()
    body = (f"<p>reference {html.escape(str(reference))}<br>candidate {html.escape(str(candidate))}</p>"
            f"<h2>First divergence</h2><p>{html.escape(result.first_divergence or 'none')}</p>"
            f"{figure(fig, 'pointer paths')}<h2>Scores</h2>{table(list(vars(result).items()), ['score', 'value'])}")
    return write_page(out, "hcisim compare", body)
