"""A run that stops part way keeps what it finished and replaces nothing it cannot finish."""

from __future__ import annotations

import pytest

from simulator import stop
from simulator.dataset import read_dataset, validate_dataset
from simulator.errors import HcisimError
from simulator.runner import RunConfig, run
from simulator.sessions import LAYOUT_DIR
from simulator.scenario import load_scenario


def test_ctrl_c_during_a_run_in_one_process_keeps_the_sessions_done(tmp_path, capsys):
    """Live runs (one process) lost every finished session to Ctrl-C: nothing was written."""
    login = load_scenario("login")

    def run_then_stop(s):
        if s.session_id == "s00002":
            raise KeyboardInterrupt
        login.run(s)

    scen = type(login)(name="login", description="", app="web", start="/login", run=run_then_stop, path=login.path)
    with pytest.raises(KeyboardInterrupt):
        run(RunConfig(scenario="login", driver="offline", sessions=4, seed=2, out=tmp_path / "o", command=["t"]),
            scenario_obj=scen)
    ds = read_dataset(tmp_path / "o")
    assert ds.sessions == ["s00000", "s00001"]
    # kept, and never taken for a whole run (validate passed it, and format.md says none looks complete)
    assert validate_dataset(tmp_path / "o") == ["stopped early: 2 of 4 requested session(s) completed"]
    assert ds.manifest.stats["sessions_completed"] == 2
    assert stop.message() == "interrupted: " + f"2 completed session(s) kept in {tmp_path / 'o'}"


def test_save_layout_records_one_browser(tmp_path):
    with pytest.raises(HcisimError, match="--save-layout records what one browser located: use --workers 1"):
        run(RunConfig(scenario="login", driver="browser", sessions=2, workers=2, out=tmp_path / "o",
                      save_layout=tmp_path / "l.json"))
    assert not (tmp_path / "l.json").exists()


def test_offline_controls_remember_what_the_session_did_to_them(tmp_path):
    """Offline, a select always started from the snapshot's option (choosing Australia after Canada sent
    Enter alone, which leaves Canada) and a ticked box still read as unticked."""
    script = tmp_path / "twice.py"
    script.write_text('"""Change my mind."""\nfrom simulator.locate import label\nAPP = "web"\nSTART = "/form"\n\n'
                      'def run(s):\n    s.select(label("Country"), "Canada")\n'
                      '    s.select(label("Country"), "Australia")\n'
                      '    s.check(label("I accept the terms and conditions"))\n'
                      '    s.check(label("I accept the terms and conditions"), on=False)\n')
    run(RunConfig(scenario=str(script), driver="offline", seed=3, out=tmp_path / "o",
                  layout=LAYOUT_DIR / "checkout_form.json", command=["t"]))
    acts = read_dataset(tmp_path / "o").actions.to_pylist()
    selects = [a["action_id"] for a in acts if a["kind"] == "select"]
    keys = [[k["text_intended"] for k in acts if k["parent_id"] == s and k["kind"] == "key"] for s in selects]
    assert keys == [["ArrowDown"] * 3 + ["Enter"], ["ArrowUp"] * 2 + ["Enter"]]
    assert sum(a["kind"] == "click" and a["parent_id"] is None for a in acts) == 2  # ticked, then unticked


def test_ctrl_c_before_any_session_finished_says_nothing_was_written(tmp_path, capsys):
    """It said only "interrupted"; whether anything was kept went unsaid."""
    login = load_scenario("login")

    def interrupt(s):
        raise KeyboardInterrupt

    scen = type(login)(name="login", description="", app="web", start="/login", run=interrupt, path=login.path)
    with pytest.raises(KeyboardInterrupt):
        run(RunConfig(scenario="login", driver="offline", sessions=2, out=tmp_path / "o", command=["t"]),
            scenario_obj=scen)
    assert not (tmp_path / "o").exists()
    assert stop.message() == "interrupted: " + f"no session had finished: nothing written to {tmp_path / 'o'}"


def test_a_browser_stopped_by_the_same_ctrl_c_fails_as_an_interrupt(tmp_path, capsys, monkeypatch):
    """A terminal's Ctrl-C reaches the browser too: Playwright's "target closed" could arrive before the
    KeyboardInterrupt, and the run ended in a traceback with its finished session lost. Without a stop
    request the same failure is still a failure."""
    login = load_scenario("login")

    def browser_gone(s):
        if s.session_id == "s00001":
            stop.request()  # what the CLI's SIGINT handler does
            raise RuntimeError("Target page, context or browser has been closed")
        login.run(s)

    monkeypatch.setattr(stop, "_signal", None)
    scen = type(login)(name="login", description="", app="web", start="/login", run=browser_gone, path=login.path)
    with pytest.raises(KeyboardInterrupt):
        run(RunConfig(scenario="login", driver="offline", sessions=3, seed=2, out=tmp_path / "o", command=["t"]),
            scenario_obj=scen)
    assert read_dataset(tmp_path / "o").sessions == ["s00000"]
    assert stop.message() == "interrupted: " + f"1 completed session(s) kept in {tmp_path / 'o'}"
    monkeypatch.setattr(stop, "_signal", None)
    monkeypatch.setattr(stop, "request", lambda: None)  # the same failure, nobody asked to stop
    with pytest.raises(RuntimeError, match="Target page"):
        run(RunConfig(scenario="login", driver="offline", sessions=3, seed=2, out=tmp_path / "p", command=["t"]),
            scenario_obj=scen)
    assert not (tmp_path / "p").exists()


@pytest.mark.parametrize("stopping", [KeyboardInterrupt, HcisimError])
def test_a_run_that_stops_part_way_leaves_the_dataset_it_would_overwrite(tmp_path, capsys, stopping):
    """With --overwrite, a run stopped (or failed) after its first session replaced a complete dataset with a
    partial one that validate refuses; format.md says a failed overwrite leaves the previous dataset."""
    login = load_scenario("login")
    run(RunConfig(scenario="login", driver="offline", sessions=2, seed=5, out=tmp_path / "o", command=["t"]))
    before = {p.name: p.read_bytes() for p in (tmp_path / "o").rglob("*") if p.is_file()}

    def second_stops(s):
        if s.session_id == "s00001":
            raise stopping("the app went away") if stopping is HcisimError else stopping
        login.run(s)

    scen = type(login)(name="login", description="", app="web", start="/login", run=second_stops, path=login.path)
    with pytest.raises(stopping):
        run(RunConfig(scenario="login", driver="offline", sessions=3, seed=8, out=tmp_path / "o", command=["t"],
                      overwrite=True), scenario_obj=scen)
    assert {p.name: p.read_bytes() for p in (tmp_path / "o").rglob("*") if p.is_file()} == before
    assert validate_dataset(tmp_path / "o") == []
    if stopping is KeyboardInterrupt:
        assert stop.message() == "interrupted: " + (f"stopped before the run was complete: the earlier dataset in "
                                                   f"{tmp_path / 'o'} is kept, not replaced by 1 of 3 session(s)")


def test_a_scroll_of_nothing_sends_no_wheel_event(tmp_path):
    """`s.scroll(dy=0)` (a computed distance that came out 0) sent one wheel event of 0 px, which no wheel sends."""
    script = tmp_path / "still.py"
    script.write_text('"""Scroll by nothing, then down."""\nAPP = "web"\nSTART = "/form"\n\n'
                      'def run(s):\n    s.scroll(dy=0)\n    s.scroll(dy=250)\n')
    run(RunConfig(scenario=str(script), driver="offline", seed=3, out=tmp_path / "o",
                  layout=LAYOUT_DIR / "checkout_form.json", command=["t"]))
    ds = read_dataset(tmp_path / "o")
    wheels = [e for e in ds.events.to_pylist() if e["type"] == "wheel"]
    assert [a["kind"] for a in ds.actions.to_pylist()] == ["navigate", "scroll", "scroll"]
    assert sum(e["dy"] for e in wheels) == 250 and all(e["dy"] != 0 for e in wheels)
