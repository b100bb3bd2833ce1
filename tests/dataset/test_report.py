"""`hcisim report`: a summary a person reads at a glance, plots, paths over screenshots, the actions."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from simulator.dataset import read_dataset, summarize
from simulator.report.html import _summary

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "checkout_form-offline"


def _rows(page: str) -> dict[str, str]:
    return dict(re.findall(r"<tr><th>([^<]*)</th><td>([^<]*)</td>", page))


def test_report_of_a_dataset_summarises_plots_and_lists_actions(tmp_path):
    out = tmp_path / "r.html"
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "report", str(FIXTURE), "--out", str(out)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    page = out.read_text()
    ds = read_dataset(FIXTURE)
    rows = _rows(page)
    assert rows["scenario"] == ds.manifest.scenario and rows["driver"] == "offline"
    assert rows["seed"] == str(ds.manifest.seed)
    assert rows["mouse profile"].startswith(ds.manifest.profiles["mouse"]["id"] + " (")
    assert "dispatch error p50 / p99 / max" not in rows  # an offline run sends nothing
    assert page.count("<img") >= 2 and "data:image/png;base64," in page
    assert page.count("</tr>") > ds.actions.num_rows  # summary rows plus one row per action
    assert not list(tmp_path.glob("*.tmp"))


def test_live_run_figures_are_read_as_ratios_and_times():
    s = summarize(read_dataset(FIXTURE))
    s.stats = {"clicks_checked": 15, "clicks_on_target": 14, "texts_checked": 10, "texts_exact": 10,
               "sessions_requested": 2, "sessions_completed": 1, "dispatch_error_ms_p50": 0.047,
               "dispatch_error_ms_p99": 2.439, "dispatch_error_ms_max": 5.4}
    rows = _rows(_summary(s))
    assert rows["presses on target"] == "14 / 15" and rows["texts exact"] == "10 / 10"
    assert rows["sessions"] == "1 / 2"
    assert rows["dispatch error p50 / p99 / max"] == "0.05 / 2.44 / 5.40 ms"


def test_one_key_is_no_nan(tmp_path):
    """A recording of one key press plotted "median nan" (with numpy warnings)."""
    import warnings

    import pyarrow as pa

    import simulator.report.html as report
    from simulator.dataset import DatasetWriter, Manifest
    from simulator.dataset.schema import EVENTS

    rows = [dict(session_id="r0", seq=0, t_ms=0.0, device="keyboard", type="key_down", key="x"),
            dict(session_id="r0", seq=1, t_ms=90.0, device="keyboard", type="key_up", key="x")]
    with DatasetWriter(tmp_path / "one", Manifest(driver="desktop-recorder", coordinate_space="screen_px")) as w:
        w.add_session("r0", events=pa.Table.from_pylist(rows, schema=EVENTS))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Mean of empty slice, invalid value in divide
        page = report.render(tmp_path / "one")
    assert "median nan" not in page and page.count("<img") == 1  # typing timing; no pointer panels of "nothing"
    assert "<p>No consecutive pointer moves and nothing sent live: no pointer timing to plot.</p>" in page


def test_the_actions_listing_holds_whole_sessions_and_the_outcomes_count_them_all(monkeypatch):
    """The listing was cut at 400 rows mid-session (a session's start without its end), and what it left out --
    misses, failures -- showed nowhere on the page."""
    import re

    import simulator.report.html as report
    from simulator.dataset import read_dataset

    actions = read_dataset(FIXTURE).actions
    first = actions.column("session_id").to_pylist().count("s00000")
    monkeypatch.setattr(report, "MAX_ACTION_ROWS", 5)  # fewer than the first session has: it is shown whole
    page = report.render(FIXTURE)
    assert (f"<p>The actions of the first 1 of 2 sessions ({first} of {actions.num_rows}; the dataset's actions "
            "table holds them all).</p>") in page
    listed = re.findall(r"<tr><td class='text'>(s\d+)</td><td>\d+</td>", page)
    assert listed == ["s00000"] * first
    outcomes = page[page.index("Outcomes of all actions"):]
    outcomes = outcomes[:outcomes.index("</table>")]
    totals = [int(t) for t in re.findall(r"<td>(\d+)</td></tr>", outcomes)]
    assert sum(totals) == actions.num_rows
    assert "<th>miss_corrected</th>" in outcomes  # the fixture's misses are counted, in whichever session
    monkeypatch.setattr(report, "MAX_ACTION_ROWS", actions.num_rows)
    page = report.render(FIXTURE)
    assert "The actions of the first" not in page
    assert len(re.findall(r"<tr><td class='text'>(s\d+)</td><td>\d+</td>", page)) == actions.num_rows


def test_a_key_held_while_shift_changes_its_name_still_has_a_hold(tmp_path, monkeypatch):
    """Shift+A goes down as `A` and, with Shift let go first, comes up as `a`: paired by name it had no hold, so
    every capital was missing from the hold histogram (the typing readers pair by code)."""
    import pyarrow as pa

    import simulator.report.html as report
    from simulator.dataset import DatasetWriter, Manifest
    from simulator.dataset.schema import EVENTS

    ev = [("key_down", "Shift", "ShiftLeft", 0.0), ("key_down", "A", "KeyA", 50.0), ("key_up", "Shift", "ShiftLeft",
                                                                                     90.0),
          ("key_up", "a", "KeyA", 130.0), ("key_down", "b", "KeyB", 200.0), ("key_up", "b", "KeyB", 270.0)]
    rows = [dict(session_id="r0", seq=i, t_ms=t, device="keyboard", type=ty, key=k, code=c)
            for i, (ty, k, c, t) in enumerate(ev)]
    with DatasetWriter(tmp_path / "caps", Manifest(driver="desktop-recorder", coordinate_space="screen_px")) as w:
        w.add_session("r0", events=pa.Table.from_pylist(rows, schema=EVENTS))
    plotted = {}
    monkeypatch.setattr(report, "_clipped_hist", lambda ax, values, top, bins, color, title, unit:
                        plotted.setdefault(title.split(" (")[0], sorted(values)))
    report.render(tmp_path / "caps")
    assert plotted["key hold"] == [70.0, 80.0, 90.0] and plotted["press-to-press interval"] == [50.0, 150.0]


def test_a_recording_s_summary_says_what_it_is(tmp_path):
    """An import's report said its driver was "browser (Chromium), desktop (X) or offline (no app)" and its
    session count was "completed / requested"; whose sessions they were went unsaid."""
    import pyarrow as pa

    from simulator.dataset import DatasetWriter, Manifest
    from simulator.dataset.schema import EVENTS

    m = Manifest(driver="import", coordinate_space="screen_px", people={"a": "7", "b": "7", "c": "9"},
                 source={"format": "balabit", "name": "training_files"})
    with DatasetWriter(tmp_path / "imp", m) as w:
        for sid in ("a", "b", "c"):
            w.add_session(sid, events=pa.Table.from_pylist(
                [dict(session_id=sid, seq=0, t_ms=0.0, device="mouse", type="move", x=1.0, y=1.0)], schema=EVENTS))
    page = _summary(summarize(read_dataset(tmp_path / "imp")))
    rows = dict((k, (v, meaning)) for k, v, meaning in
                re.findall(r"<tr><th>([^<]*)</th><td>([^<]*)</td><td>([^<]*)</td></tr>", page))
    assert rows["driver"] == ("import", "recorded data converted from another format")
    assert rows["source"][0] == "balabit files from training_files"
    assert rows["sessions"] == ("3", "sessions in the dataset") and rows["people"][0] == "2"


def test_a_pointer_only_recording_says_what_it_lacks_instead_of_an_empty_table(tmp_path):
    """An import of mouse logs (no keys, no actions) showed no word on typing and an actions table of headers only."""
    import pyarrow as pa

    import simulator.report.html as report
    from simulator.dataset import DatasetWriter, Manifest
    from simulator.dataset.schema import EVENTS

    rows = [dict(session_id="m0", seq=i, t_ms=16.0 * i, device="mouse", type="move", x=3.0 * i, y=2.0 * i)
            for i in range(5)]
    with DatasetWriter(tmp_path / "mouse", Manifest(driver="import", coordinate_space="screen_px")) as w:
        w.add_session("m0", events=pa.Table.from_pylist(rows, schema=EVENTS))
    page = report.render(tmp_path / "mouse")
    assert "<p>No key presses in this dataset: no typing timing to plot.</p>" in page
    assert "<h2>Actions (ground truth)</h2><p>None: this dataset holds input events but no actions.</p>" in page
    assert "<th>session</th>" not in page


def test_a_damaged_screenshot_is_one_error_line(tmp_path):
    """A truncated PNG in frames/ gave a decoder traceback ("SyntaxError: not a PNG file")."""
    from tests.dataset.sample import write_sample
    from tests.helpers import hcisim, one_line_error

    ds = write_sample(tmp_path / "ds")
    (ds / "frames" / "s0" / "000000.png").write_bytes(b"\x89PNG\r\n")
    line = one_line_error(hcisim("report", ds, "--out", tmp_path / "r.html"), code=2)
    assert line.startswith(f"error: {ds / 'frames' / 's0' / '000000.png'}: cannot read this screenshot")
    assert not (tmp_path / "r.html").exists()


def test_the_timing_plots_do_not_hold_every_event_as_python_strings(tmp_path):
    """Each event's type and session went through Python lists: ~300 bytes an event, 1.5 GB of memory for a
    2.25-million-event import of Balabit. Arrow compares them in place."""
    import tracemalloc

    import numpy as np
    import pyarrow as pa

    import simulator.report.html as report
    from simulator.dataset import DatasetWriter, Manifest

    n, sessions = 100_000, 20
    sid = np.repeat([f"s{i:02d}" for i in range(sessions)], n // sessions)
    events = pa.table({"session_id": sid, "seq": np.tile(np.arange(n // sessions), sessions),
                       "t_ms": np.tile(np.arange(n // sessions) * 8.0, sessions), "device": ["mouse"] * n,
                       "type": ["move"] * n, "x": np.arange(n) % 997.0, "y": np.arange(n) % 613.0})
    with DatasetWriter(tmp_path / "big", Manifest(driver="import", coordinate_space="screen_px")) as w:
        for s in dict.fromkeys(sid):
            w.add_session(s)
        w.add("events", events)
    ev, _ = report._plotted_events(read_dataset(tmp_path / "big"))  # read first: the plots' cost is measured
    tracemalloc.start()
    try:
        report._timing_plots(ev)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 150 * n, f"{peak / n:.0f} bytes an event"  # about 64 with Arrow, 376 with Python lists


def test_an_out_that_may_not_be_replaced_is_refused_before_the_plots_are_drawn(tmp_path, monkeypatch):
    """`hcisim report BIG --out notes.txt` drew every plot (seconds on a large import), then refused the file."""
    import pytest

    import simulator.report.html as report
    from simulator.errors import HcisimError

    (tmp_path / "notes.txt").write_text("mine")
    monkeypatch.setattr(report, "render", lambda root: pytest.fail("rendered before refusing"))
    with pytest.raises(HcisimError, match="notes.txt exists and is not an hcisim report"):
        report.write_report(FIXTURE, tmp_path / "notes.txt")
    with pytest.raises(HcisimError, match="not a dataset"):
        report.write_report(tmp_path, tmp_path / "notes.txt")


def test_the_paths_over_screenshots_say_where_they_were_cut(tmp_path, monkeypatch):
    """The page drew the first 12 steps of the first 3 sessions and said nothing of the rest."""
    import simulator.report.html as report
    from simulator.dataset import DatasetWriter
    from tests.dataset.sample import sample_manifest, sample_tables, tiny_png

    tables = sample_tables(("s0", "s1", "s2"))
    for sid in ("s0", "s1", "s2"):  # the typing step moves the pointer too, over a screenshot of its own
        tables["events"].append(dict(session_id=sid, seq=99, t_ms=135.0, device="mouse", type="move", x=50.0,
                                     y=40.0, action_id=1))
        tables["frames"].append(dict(session_id=sid, frame_id=1, t_ms=125.0, action_id=1, kind="before",
                                     path=f"frames/{sid}/000001.png", width=4, height=3))
    with DatasetWriter(tmp_path / "ds", sample_manifest()) as w:
        for sid in ("s0", "s1", "s2"):
            w.add_session(sid, **{k: [r for r in v if r["session_id"] == sid] for k, v in tables.items()})
            for n in (0, 1):
                w.add_file(f"frames/{sid}/00000{n}.png", tiny_png())
    monkeypatch.setattr(report, "MAX_OVERLAYS", 1)
    monkeypatch.setattr(report, "MAX_SESSIONS", 2)
    page = report.render(tmp_path / "ds")
    assert page.count(report.OVERLAY_KEY) == 1
    assert "<p>The first 2 sessions with pointer paths; 1 more session(s) have screenshots.</p>" in page
    assert page.count("<p>The first 1 of 2 steps that moved the pointer.</p>") == 2
    assert "<h3>Session s0</h3>" in page and "<h3>Session s1</h3>" in page and "Session s2" not in page


def test_report_and_inspect_read_a_sharded_dataset_a_file_at_a_time(tmp_path, monkeypatch):
    """Both read every event at once (0.2-0.4 GB for 400 sessions, growing with them): now `inspect`'s counts
    are summed file by file, and the plots are drawn from whole files up to PLOTTED_EVENTS, the cut said."""
    import simulator.report.html as report
    from simulator.dataset.reader import Dataset
    from simulator.runner import RunConfig, run

    ds_dir = tmp_path / "sharded"
    run(RunConfig(scenario="login", driver="offline", sessions=6, seed=3, out=ds_dir, shard_size=2,
                  screenshots="none", command=["test"]))
    whole = read_dataset(ds_dir).events
    assert len(read_dataset(ds_dir).manifest.tables["events"]) == 3
    monkeypatch.setattr(Dataset, "events", property(lambda self: pytest.fail("the whole events table was read")))
    s = summarize(read_dataset(ds_dir))
    assert s.events == whole.num_rows and sum(s.events_by_type.values()) == whole.num_rows
    assert s.events_by_type["move"] == sum(t == "move" for t in whole.column("type").to_pylist())
    two_files = sum(n for _, n in zip(range(2), (p.num_rows for _, p in read_dataset(ds_dir).parts("events"))))
    monkeypatch.setattr(report, "PLOTTED_EVENTS", two_files)
    page = report.render(ds_dir)
    assert f"From the first 4 of 6 sessions ({two_files:,} of {whole.num_rows:,} events)" in page
    assert page.count("data:image/png;base64,") >= 2
