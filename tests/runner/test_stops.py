"""A run that stops part way keeps what it finished and replaces nothing it cannot finish."""

from __future__ import annotations

import pytest

from simulator.dataset import read_dataset, validate_dataset
from simulator.errors import HcisimError
from simulator.runner import LAYOUT_DIR, RunConfig, run
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
    assert ds.sessions == ["s00000", "s00001"] and validate_dataset(tmp_path / "o") == []
    assert ds.manifest.stats["sessions_completed"] == 2
    assert capsys.readouterr().err.strip() == f"2 completed session(s) kept in {tmp_path / 'o'}"


def test_save_layout_records_one_browser(tmp_path):
    with pytest.raises(HcisimError, match="--save-layout records what one browser located: use --workers 1"):
        run(RunConfig(scenario="login", driver="browser", sessions=2, workers=2, out=tmp_path / "o",
                      save_layout=tmp_path / "l.json"))
    assert not (tmp_path / "l.json").exists()


@pytest.mark.browser
def test_a_failed_live_run_leaves_the_saved_layout_as_it_was(tmp_path):
    """It replaced a whole layout snapshot with the one page it reached before the error."""
    layout = tmp_path / "app.layout.json"
    layout.write_bytes((LAYOUT_DIR / "login.json").read_bytes())
    script = tmp_path / "typo.py"
    script.write_text('"""A typo."""\nfrom simulator.locate import label\nAPP = "web"\nSTART = "/login"\n\n'
                      'def run(s):\n    s.type(label("Username"), "ann")\n    s.type(label("Pasword"), "x")\n')
    with pytest.raises(HcisimError, match='label="Pasword" matches nothing'):
        run(RunConfig(scenario=str(script), driver="browser", out=tmp_path / "o", save_layout=layout,
                      screenshots="none"))
    assert layout.read_bytes() == (LAYOUT_DIR / "login.json").read_bytes()
