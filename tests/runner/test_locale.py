"""Content in another faker locale: a run types it, and an agent's task names the same values."""

from __future__ import annotations

import json

from simulator.dataset import read_dataset
from simulator.scenario import load_scenario
from simulator.task import task_for
from tests.helpers import hcisim, one_line_error


def _typed(root):
    ds = read_dataset(root)
    return [a["text_intended"] for a in ds.actions.to_pylist() if a["kind"] == "type"], ds.manifest


def test_a_run_types_content_of_its_locale_and_the_task_matches_it(tmp_path):
    for loc in ("en_US", "de_DE"):
        r = hcisim("run", "checkout_form", "--seed", "4", "--locale", loc, "--out", tmp_path / loc)
        assert r.returncode == 0, r.stderr
    us, _ = _typed(tmp_path / "en_US")
    de, manifest = _typed(tmp_path / "de_DE")
    assert manifest.source["content_locale"] == "de_DE"
    assert len(de) == len(us) >= 8 and sum(a != b for a, b in zip(de, us)) >= len(us) // 2
    # the task an agent gets names the values the reference run typed
    task = task_for(load_scenario("checkout_form"), 4, locale="de_DE")
    assert [s["text"] for s in task.steps if s["op"] == "type"] == de
    assert json.loads((tmp_path / "de_DE" / "manifest.json").read_text())["source"]["content_locale"] == "de_DE"


def test_an_unknown_locale_is_one_line(tmp_path):
    r = hcisim("run", "login", "--locale", "de_XX", "--out", tmp_path / "x")
    one_line_error(r, "unknown content locale 'de_XX'", "de_DE", code=2)
    assert not (tmp_path / "x").exists()
