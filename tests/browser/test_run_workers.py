"""`hcisim run --workers N` on a live driver: the sessions are made side by side, each worker with its own browser,
and written in session order."""

import pytest

from simulator.dataset import read_dataset
from simulator.runner import run
from simulator.sessions import RunConfig
from tests.helpers import serve_folder

pytestmark = pytest.mark.browser

SCRIPT = '''"""Press a button twice, three seconds apart."""
from simulator.locate import role
APP = None
START = "/press.html"

def run(s):
    s.click(role("button", "Press"))
    s.wait(3000)
    s.click(role("button", "Press"))  # (the wait is kept only when something comes after it)
'''


def test_two_workers_make_two_sessions_side_by_side_in_order(tmp_path):
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "press.html").write_text('<!doctype html><title>Press</title><button>Press</button>')
    (tmp_path / "press.py").write_text(SCRIPT)
    with serve_folder(tmp_path / "site") as url:
        run(RunConfig(scenario=str(tmp_path / "press.py"), driver="browser", url=url, sessions=2, workers=2,
                      screenshots="none", out=tmp_path / "o"))
    ds = read_dataset(tmp_path / "o")
    assert ds.manifest.sessions == ["s00000", "s00001"]
    assert sorted(set(ds.actions.column("session_id").to_pylist())) == ["s00000", "s00001"]
    assert ds.manifest.stats["clicks_on_target"] == ds.manifest.stats["clicks_checked"] == 4
    start = ds.manifest.stats["session_start_epoch_ms"]
    end = {sid: start[sid] + t for sid, t in zip(*ds.actions.group_by("session_id").aggregate(
        [("t_end_ms", "max")]).to_pydict().values())}
    assert start["s00001"] < end["s00000"] and start["s00000"] < end["s00001"]  # side by side, one per worker
