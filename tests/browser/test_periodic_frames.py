"""A browser run's periodic screenshots keep their rhythm through idle time, and the layout it saves drives offline runs."""

from __future__ import annotations

import numpy as np

from simulator.dataset import read_dataset
from tests.helpers import hcisim


def test_periodic_frames_and_a_saved_layout(tmp_path):
    layout = tmp_path / "login.json"
    r = hcisim("run", "login", "--driver", "browser", "--seed", "4", "--screenshots", "periodic", "--periodic-ms", "400",
               "--save-layout", layout, "--out", tmp_path / "live")
    assert r.returncode == 0, r.stderr
    live = read_dataset(tmp_path / "live")
    frames = live.table("frames").to_pydict()
    assert set(frames["kind"]) == {"periodic"}
    gaps = np.diff(frames["t_ms"])
    # a timer every 400 ms while the person is idle (most of a session); none while the pointer travels or keys go down
    assert len(frames["t_ms"]) >= 10 and 350 <= np.median(gaps) <= 480, gaps
    # the snapshot of what the browser located drives an offline run of the same scenario
    r = hcisim("run", "login", "--seed", "4", "--layout", layout, "--out", tmp_path / "offline")
    assert r.returncode == 0, r.stderr
    kinds = lambda ds: [a["kind"] for a in ds.actions.to_pylist()]  # noqa: E731
    assert kinds(read_dataset(tmp_path / "offline")) == kinds(live)
