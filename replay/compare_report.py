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
from simulator.report.html import figure_png, img  # noqa: E402
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
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>"
                   for k, v in vars(result).items())
    page = ("<!doctype html><meta charset='utf-8'><title>hcisim compare</title>"
            "<style>body{font-family:system-ui,sans-serif;margin:2em}img{max-width:100%}</style>"
            f"<h1>Compare</h1><p>reference {html.escape(str(reference))}<br>candidate {html.escape(str(candidate))}</p>"
            f"<h2>First divergence</h2><p>{html.escape(result.first_divergence or 'none')}</p>"
            f"{img(figure_png(fig), 'pointer paths')}<h2>Scores</h2><table border=1 cellspacing=0>{rows}</table>")
    tmp = out.with_suffix(out.suffix + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(out)
    return out
