"""What a replay shows a person: a terminal summary and an HTML page with the first divergence."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from rich.table import Table
from rich.text import Text

from replay.replayer import ReplayResult
from simulator.report.page import img, write_page

STATUS_STYLE = {"ok": "green", "retargeted": "yellow", "failed": "red"}


def print_summary(result: ReplayResult, console) -> None:
    t = Table(title="replay", title_justify="left")
    for col in ("#", "step", "status", "found by", "score", "checkpoints"):
        t.add_column(col)
    for s in result.steps:
        cps = ", ".join(f"{c.name}{'' if c.ok else ' FAILED'}" for c in s.checkpoints)
        t.add_row(str(s.index + 1), s.step[:60], Text(s.status, style=STATUS_STYLE.get(s.status, "white")),
                  s.strategy or "", "" if s.score is None else f"{s.score:.1f}", cps or s.message[:60])
    console.print(t)
    for c in result.final_values:
        console.print(f"{c.name}: {'ok' if c.ok else 'FAILED'} {c.detail}", highlight=False)
    first = result.first_divergence
    if first is not None:
        failed = ", ".join(c.name for c in first.checkpoints if not c.ok)
        console.print(f"first divergence: step {first.index + 1} ({first.step}): "
                      f"{first.message or f'checkpoint failed: {failed}'}", highlight=False)
    for k, v in result.timing.items():
        console.print(f"{k}: {v}", highlight=False)
    moved = sum(s.status == "retargeted" for s in result.steps)
    note = (f" ({moved} step(s) retargeted: " + ("the flow works, tests using their old locators break)"
                                                 if result.passed else "their elements moved or changed)")
            if moved else "")
    console.print(("PASSED" if result.passed else "FAILED") + note, style="green" if result.passed else "red",
                  highlight=False)


def _img(path: Path | str | None, root: Path) -> str:
    if not path:
        return "<em>no screenshot</em>"
    p = Path(path)
    p = p if p.is_absolute() else root / p
    if not p.is_file():
        return "<em>no screenshot</em>"
    return img(base64.b64encode(p.read_bytes()).decode(), "screenshot")


def write_replay_report(result: ReplayResult) -> Path:
    root = result.out
    rows = "".join(
        f"<tr class='{s.status}'><td>{s.index + 1}</td><td>{html.escape(s.step)}</td><td>{s.status}</td>"
        f"<td>{s.strategy or ''}</td><td>{'' if s.score is None else s.score}</td>"
        f"<td>{html.escape('; '.join(f'{c.name}: ' + ('ok' if c.ok else 'FAILED ' + c.detail) for c in s.checkpoints))}"
        f"{html.escape(s.message)}</td></tr>" for s in result.steps)
    first = result.first_divergence
    div = "<p>No divergence: every step and checkpoint passed.</p>"
    if first is not None:
        div = (f"<h2>First divergence: step {first.index + 1} — {html.escape(first.step)}</h2>"
               f"<p>{html.escape(first.message or 'a checkpoint failed')}</p><div class='pair'>"
               f"<figure>{_img(first.recorded_frame, root)}<figcaption>recorded</figcaption></figure>"
               f"<figure>{_img(first.after_frame, root)}<figcaption>replay</figcaption></figure></div>")
    body = (f"{div}<h2>Steps</h2><table><tr><th>#</th><th>step</th><th>status</th><th>found by</th>"
            f"<th>score</th><th>checkpoints</th></tr>{rows}</table>"
            f"<h2>Timing</h2><pre>{html.escape(str(result.timing))}</pre>")
    style = (".failed{background:#fdd}.retargeted{background:#ffc}td{text-align:left}"
             ".pair{display:flex;gap:1em}.pair img{max-width:620px;border:1px solid #999}")
    return write_page(root / "replay-report.html", f"Replay {'PASSED' if result.passed else 'FAILED'}", body, style)
