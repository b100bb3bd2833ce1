"""What a replay shows a person: a terminal summary and an HTML page with the first divergence."""

from __future__ import annotations

import base64
import html
from pathlib import Path

from rich.table import Table
from rich.text import Text

from replay.replayer import Checkpoint, ReplayResult, StepResult
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
        console.print(f"first divergence: step {first.index + 1} ({first.step}): {_why(first)}", highlight=False)
    for k, v in result.timing.items():
        console.print(f"{k}: {v}", highlight=False)
    console.print(_verdict(result), style="green" if result.passed else "red", highlight=False)


def _why(step: StepResult) -> str:
    """Why a step diverged: its message, else the checkpoints it failed."""
    return step.message or "checkpoint failed: " + ", ".join(c.name for c in step.checkpoints if not c.ok)


def _verdict(result: ReplayResult) -> str:
    """PASSED or FAILED, and what retargeted steps mean for it."""
    moved = sum(s.status == "retargeted" for s in result.steps)
    note = (f" ({moved} step(s) retargeted: " + ("the flow works, tests using their old locators break)"
                                                 if result.passed else "their elements moved or changed)")
            if moved else "")
    return ("PASSED" if result.passed else "FAILED") + note


def _img(path: Path | str | None, root: Path) -> str:
    if not path:
        return "<em>no screenshot</em>"
    p = Path(path)
    p = p if p.is_absolute() else root / p
    if not p.is_file():
        return "<em>no screenshot</em>"
    return img(base64.b64encode(p.read_bytes()).decode(), "screenshot")


def _divergence(result: ReplayResult, root: Path) -> str:
    """The first step that diverged, with the recorded and replayed screens; or, when every step passed, the
    final values that differ (the page said "every step and checkpoint passed" under "Replay FAILED")."""
    first = result.first_divergence
    if first is not None:
        return (f"<h2>First divergence: step {first.index + 1} — {html.escape(first.step)}</h2>"
                f"<p>{html.escape(_why(first))}</p><div class='pair'>"
                f"<figure>{_img(first.recorded_frame, root)}<figcaption>recorded</figcaption></figure>"
                f"<figure>{_img(first.after_frame, root)}<figcaption>replay</figcaption></figure></div>")
    wrong = [c for c in result.final_values if not c.ok]
    if wrong:
        return (f"<p>Every step passed, but {len(wrong)} field(s) ended with another value than recorded: "
                f"{html.escape(', '.join(c.name for c in wrong))} (see Final values).</p>")
    return "<p>No divergence: every step, checkpoint and final value passed.</p>"


def _checks(checkpoints: list[Checkpoint]) -> str:
    return "; ".join(f"{c.name}: " + ("ok" if c.ok else "FAILED " + c.detail) for c in checkpoints)


def write_replay_report(result: ReplayResult) -> Path:
    root = result.out
    rows = "".join(
        f"<tr class='{'failed' if s.diverged else s.status}'><td>{s.index + 1}</td><td>{html.escape(s.step)}</td>"
        f"<td>{s.status}</td><td>{s.strategy or ''}</td><td>{'' if s.score is None else s.score}</td>"
        f"<td>{html.escape(_checks(s.checkpoints) + ('; ' if s.checkpoints and s.message else '') + s.message)}"
        f"</td></tr>" for s in result.steps)
    finals = "".join(f"<tr class='{'' if c.ok else 'failed'}'><td>{html.escape(c.name)}</td>"
                     f"<td>{'ok' if c.ok else 'FAILED'}</td><td>{html.escape(c.detail)}</td></tr>"
                     for c in result.final_values)
    timing = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v))}</td></tr>"
                     for k, v in result.timing.items())
    verdict = _verdict(result)  # the title says PASSED or FAILED; this line only what retargeting means for it
    body = (("" if verdict in ("PASSED", "FAILED") else f"<p><b>{html.escape(verdict)}</b></p>")
            + f"{_divergence(result, root)}"
            f"<h2>Steps</h2><table><tr><th>#</th><th>step</th><th>status</th><th>found by</th>"
            f"<th>score</th><th>checkpoints</th></tr>{rows}</table>"
            + (f"<h2>Final values</h2><table><tr><th>field</th><th>status</th><th>detail</th></tr>{finals}</table>"
               if finals else "")
            + "<h2>Timing</h2>" + (f"<table>{timing}</table>" if timing else "<p>none measured</p>"))
    style = (".failed{background:#fdd}.retargeted{background:#ffc}td{text-align:left}"
             ".pair{display:flex;gap:1em}.pair img{max-width:620px;border:1px solid #999}")
    return write_page(root / "replay-report.html", f"Replay {'PASSED' if result.passed else 'FAILED'}", body, style)
