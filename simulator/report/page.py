"""What every hcisim HTML page is made of: one stylesheet, figures embedded as PNG, tables.

A page is one self-contained file (images inline as base64), so it can be mailed or attached to a
CI run. The dataset report, the fit reports, the fidelity report, `hcisim compare` and the realism
benchmarks all build on these, so they look alike and a change of style happens in one place.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import numpy as np

from simulator.atomic import check_file_out, write_atomic

STYLE = ("body{font-family:system-ui,sans-serif;max-width:1300px;margin:2em auto;padding:0 1em}"
         "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
         "th,td.text{text-align:left}img{max-width:100%;margin:4px}figure{margin:1em 0}figcaption{max-width:900px}")


def figure_png(fig, dpi: int = 90) -> str:
    """A matplotlib figure as base64 PNG; the figure is closed."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def img(b64: str, alt: str = "") -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{b64}">'


def figure(fig, alt: str = "") -> str:
    """A matplotlib figure as an inline ``<img>``."""
    return img(figure_png(fig), alt)


def cell(v) -> str:
    """A table cell's text: floats to three decimals (nan and inf as such), missing values as a dash."""
    if v is None:
        return "–"
    if isinstance(v, (float, np.floating)):
        return f"{v:.3f}" if np.isfinite(v) else str(float(v))
    return html.escape(str(v))


def table(rows: list[list], header: list[str] | None = None) -> str:
    """Numbers right-aligned, words (names, paths, meanings) left-aligned; no header row when None."""
    head = "<tr>" + "".join(f"<th>{html.escape(str(h))}</th>" for h in header) + "</tr>" if header else ""
    body = "".join("<tr>" + "".join(f"<td>{cell(c)}</td>" if c is None or isinstance(c, (int, float, np.number))
                                    else f"<td class='text'>{cell(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table>{head}{body}</table>"


def say(v) -> str:
    """A value as a person reads it: nested records as ``key value, ...`` with words for the keys
    (``n_movements`` -> ``n movements``), lists joined, floats to four digits."""
    if isinstance(v, dict):
        return ", ".join(f"{k.replace('_', ' ')} {say(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        return ", ".join(map(say, v))
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def fields(meta: dict) -> list[list]:
    """A profile's metadata as (field, value) rows a person reads (`say`), words for the keys."""
    return [[k.replace("_", " "), say(v)] for k, v in meta.items()]


GENERATOR = "<meta name='generator' content='hcisim'>"


def page(title: str, body: str, style: str = "") -> str:
    """A whole HTML document: the shared stylesheet (plus ``style``), the title as heading, then ``body``."""
    return (f"<!doctype html><html><head><meta charset='utf-8'>{GENERATOR}<title>{html.escape(title)}</title>"
            f"<style>{STYLE}{style}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>")


def is_report(path: Path) -> bool:
    """Is ``path`` a page hcisim wrote (earlier versions too: they carry its stylesheet, not the marker)?"""
    with open(path, "rb") as fh:
        head = fh.read(4096).decode("utf-8", "replace")
    return GENERATOR in head or STYLE[:80] in head


REPORT = ("an hcisim report", is_report)
"""For ``check_file_out(replaces=...)``: an earlier report may be replaced; a dataset's manifest or a user's
notes not."""


def write_page(path: Path, title: str, body: str, style: str = "") -> Path:
    """Write a page atomically (temp file, then rename); returns its path (`check_file_out` first)."""
    check_file_out(path, replaces=REPORT)
    return write_atomic(Path(path), page(title, body, style))
