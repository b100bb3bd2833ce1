"""A browser run's periodic screenshots keep their rhythm through idle time, and the layout it saves drives offline runs.

Both come from the shared login run (conftest: ``PERIODIC_MS``, a saved layout), which costs the suite no extra
real time.
"""

from __future__ import annotations

import numpy as np
import pytest

from simulator.dataset import read_dataset
from tests.live import PERIODIC_MS
from tests.helpers import hcisim

pytestmark = pytest.mark.browser


def test_periodic_frames_keep_a_timers_rhythm_while_the_person_is_idle(web_runs):
    frames = read_dataset(web_runs["login"].dataset).table("frames").to_pydict()
    t = np.array([f for f, k in zip(frames["t_ms"], frames["kind"]) if k == "periodic"])
    assert {"before", "after", "periodic"} <= set(frames["kind"])
    # a tick every PERIODIC_MS through idle stretches; none while the pointer travels or keys go down
    assert len(t) >= 10 and 0.85 * PERIODIC_MS <= np.median(np.diff(t)) <= 1.2 * PERIODIC_MS, np.diff(t)


def test_the_saved_layout_drives_an_offline_run_of_the_same_scenario(web_runs, tmp_path):
    live = web_runs["login"]
    r = hcisim("run", "login", "--seed", "3", "--layout", live.layout, "--out", tmp_path / "offline")
    assert r.returncode == 0, r.stderr

    def kinds(root):
        return [a["kind"] for a in read_dataset(root).actions.to_pylist()]

    assert kinds(tmp_path / "offline") == kinds(live.dataset)
