"""`hcisim locate` from what a user has: a recording of the old build and the new build's live pages."""

import csv
import json

import pytest

from scenarios.apps.web.server import serve
from simulator.dataset import read_dataset
from tests.helpers import hcisim, one_line_error

pytestmark = pytest.mark.browser


def test_a_recording_is_healed_against_the_new_builds_live_page(web_runs, tmp_path):
    recording = web_runs["login"].recording
    recorded = {}
    for row in read_dataset(recording).actions.to_pylist():
        d = json.loads(row["params"] or "{}").get("descriptor")
        if d and d.get("page") == "/login":
            recorded.setdefault(d["id"], d)
    assert len(recorded) >= 3  # the fields and the button; a field clicked then typed into is one target
    out = tmp_path / "matches.csv"
    with serve("v2") as server:
        r = hcisim("locate", "--targets", recording, "--candidates", f"{server.url}/login",
                   "--candidates", f"{server.url}/form", "--out", out)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(out.open()))
    ids = [row["target_id"] for row in rows]
    assert len(ids) == len(set(ids))  # each element once, although the recording describes some twice
    login = {row["target_id"]: row for row in rows if row["target_id"] in recorded}
    assert set(login) == set(recorded)
    assert all(row["candidate_id"] for row in login.values()), login  # v2 keeps the login form, moved/renamed
    assert f"/{len(rows)} targets found" in r.stdout


def test_an_unreachable_build_is_one_line(web_runs, tmp_path):
    one_line_error(hcisim("locate", "--targets", web_runs["login"].recording, "--candidates",
                          "http://127.0.0.1:9/login", "--out", tmp_path / "m.csv"), "app not reachable")
    assert not (tmp_path / "m.csv").exists()
