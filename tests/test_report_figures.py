"""Every report's figures can be read: axes say what and in which unit, legends name every series, panels do
not run into each other (`tests.helpers.unreadable`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.helpers import figures_saved, unreadable

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "checkout_form-offline"


def _problems(figs) -> list[str]:
    return [p for fig in figs for p in unreadable(fig)]


def test_the_dataset_report_s_figures_are_readable(tmp_path, monkeypatch):
    """Live data too: one event sent 5 s late (a page load) drew every other one into a single bar, and the marks
    over the screenshots were not explained."""
    from simulator.dataset import DatasetWriter
    from simulator.report.html import OVERLAY_KEY, render
    from tests.dataset.sample import sample_manifest, sample_tables, tiny_png

    tables = sample_tables(("s0",))
    tables["events"][0]["planned_t_ms"] = -5000.0
    with DatasetWriter(tmp_path / "live", sample_manifest()) as w:
        w.add_session("s0", **tables)
        w.add_file("frames/s0/000000.png", tiny_png())
    figs = figures_saved(monkeypatch)
    assert OVERLAY_KEY not in render(FIXTURE) and OVERLAY_KEY in render(tmp_path / "live")
    assert len(figs) == 5 and _problems(figs) == []  # two plots of each dataset, one path over a screenshot
    dispatch = figs[2].axes[2]
    assert dispatch.get_xlim()[1] < 110 and dispatch.get_xlabel() == "ms (last bin: over 100, 20.0%)"


def test_the_mouse_fit_report_s_figures_are_readable_and_units_true(tmp_path, monkeypatch):
    """dev_max is divided by the start-end distance; the report called it px."""
    from simulator.mouse import load_profile, synth_moves
    from simulator.mouse.report import write_fit_report
    from simulator.readers.common import Movements

    prof = load_profile("sapimouse")
    rng = np.random.default_rng(0)
    n = 60
    x0, y0, x1, y1 = (rng.uniform(0, s, n) for s in (1200, 700, 1200, 700))
    who = [prof.users[i % 3] for i in range(n)]
    b = synth_moves(x0, y0, x1, y1, profile=prof, rng=rng, user=who)
    mv = Movements(b.t_ms, b.x, b.y, np.asarray(b.offsets), x1, y1, np.zeros(n), np.array(who), np.array(who))
    figs = figures_saved(monkeypatch)
    write_fit_report(prof, mv, tmp_path / "m.html")
    assert _problems(figs) == []
    units = {ax.get_title(): ax.get_xlabel() for fig in figs for ax in fig.axes}
    assert units["dev_max"] == "share of start-end distance" and units["duration"] == "ms"
    dots = figs[1].axes[0].collections[0]  # 60 movements: dots of 2 pt at 30 % were all but invisible
    assert dots.get_sizes()[0] >= 8 and dots.get_alpha() >= 0.5


def test_the_typing_fit_report_s_figures_are_readable(tmp_path, monkeypatch):
    from simulator.typing import load_profile, synth_typing
    from simulator.typing.report import write_fit_report

    from simulator.typing.records import Keystrokes

    prof = load_profile("aalto")
    texts = ["the quick brown fox jumps over the lazy dog", "pack my box with five dozen liquor jugs"] * 4
    records = [e.to_keystrokes() for e in synth_typing(texts, profile=prof, rng=np.random.default_rng(0))]
    arrows = np.array(["ArrowDown"] * 3, dtype=object)  # list navigation: nothing to type again
    records.append(Keystrokes("u", "nav", np.array([0.0, 200, 400]), np.array([80.0, 280, 480]), arrows, arrows))
    figs = figures_saved(monkeypatch)
    page = write_fit_report(prof, records, tmp_path / "t.html").read_text()
    assert len(figs) == 2 and _problems(figs) == []
    assert ("<h2>recorded vs generated (8 texts)</h2><p>All 9 texts fitted; 1 of them left out: they hold no "
            "character to type again (only keys such as Enter or arrows).</p>") in page
    # the tables are read too: every statistic and effect in words, no variable names (median_iki_ms, c_same_hand)
    tables = page[page.index("<h2>data</h2>"):page.index("<h2>recorded vs generated")]
    assert "_" not in tables and "{" not in tables
    assert "<td class='text'>errors by kind</td>" in tables and "substitution " in tables
