"""Small helpers shared by tests: whole datasets compared, the CLI run, a folder served."""

from __future__ import annotations

import contextlib
import functools
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator


def data_files(root: Path) -> dict[str, bytes]:
    """Every data file of a dataset by relative path, without the manifest (its created_at differs per run)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}


def hcisim(*args, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the CLI as a user would, capturing its output."""
    return subprocess.run([sys.executable, "-m", "simulator.cli", *map(str, args)], capture_output=True, text=True,
                          env=env)


def one_line_error(r: subprocess.CompletedProcess, *fragments: str, code: int | None = None) -> str:
    """The run failed (with ``code`` if given) and said why in exactly one line holding every fragment."""
    assert r.returncode != 0 if code is None else r.returncode == code, r.stderr
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()  # a blank line counts, and so would an X library's warning
    assert len(lines) == 1, r.stderr
    for f in fragments:
        assert f in lines[0], lines[0]
    return lines[0]


@contextlib.contextmanager
def serve_folder(root: Path) -> Iterator[str]:
    """A plain static server of ``root`` on a free loopback port (a page set of a test's own); yields its origin."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SimpleHTTPRequestHandler, directory=str(root)))
    httpd.RequestHandlerClass.log_message = lambda *a: None
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def figures_saved(monkeypatch) -> list:
    """Every matplotlib figure a report saves from now on, kept (not closed) so a test can read its axes."""
    from matplotlib.figure import Figure

    saved: list = []
    real = Figure.savefig

    def keep(fig, *args, **kwargs):
        saved.append(fig)
        return real(fig, *args, **kwargs)

    monkeypatch.setattr(Figure, "savefig", keep)
    return saved


def solid_png(rgb: tuple[int, int, int], w: int = 40, h: int = 25) -> bytes:
    """A PNG of one colour: which screenshot a page drew shows in its pixels."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def unreadable(fig) -> list[str]:
    """What a person could not read off a report's figure: a data axis with no label (what and in which unit), a
    series no legend names, a legend over a bar, panels whose titles or tick labels run into each other. Empty when
    readable."""
    from matplotlib.patches import Rectangle

    def named(axis) -> bool:  # ticks that are names (classes, people) say what the axis is by themselves
        texts = [t.get_text().replace("\u2212", "-") for t in axis.get_ticklabels()]
        return any(t and not t.startswith("$") and not t.lstrip("-").replace(".", "", 1).isdigit() for t in texts)

    problems = []
    fig.canvas.draw()
    shown = [ax for ax in fig.axes if ax.axison and (ax.lines or ax.patches or ax.collections or ax.images)]
    legends = {t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()}
    legends |= {t.get_text() for lg in fig.legends for t in lg.get_texts()}
    for ax in shown:
        name = ax.get_title() or "an untitled panel"
        for axis, label in ((ax.xaxis, ax.get_xlabel()), (ax.yaxis, ax.get_ylabel())):
            if not label and not named(axis):
                problems.append(f"{name}: its {axis.axis_name} axis says neither what nor in which unit")
        for series in ax.get_legend_handles_labels()[1]:
            if series not in legends:
                problems.append(f"{name}: no legend names the series {series!r}")
        bars = [p for p in ax.patches if isinstance(p, Rectangle) and p.get_height() > 0]
        legend = ax.get_legend()
        if legend is not None and len(bars) <= 12:  # a bar chart's, not a histogram's many bins
            if any(legend.get_window_extent().overlaps(p.get_window_extent()) for p in bars):
                problems.append(f"{name}: its legend covers a bar")
    boxes = [(ax.get_title(), ax.get_tightbbox()) for ax in shown]
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1:]:
            w = min(box_a.x1, box_b.x1) - max(box_a.x0, box_b.x0)
            h = min(box_a.y1, box_b.y1) - max(box_a.y0, box_b.y0)
            if w > 2 and h > 2:
                problems.append(f"{a!r} and {b!r} overlap ({w:.0f} x {h:.0f} px)")
    return problems
