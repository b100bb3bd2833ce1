"""A recorder stopped by `kill` (a supervisor, a CI timeout) saves what it has, as Ctrl-C does."""

import signal
import subprocess
import sys

import pytest

from scenarios.apps.web.server import serve
from simulator.dataset import read_dataset, validate_dataset

pytestmark = pytest.mark.browser


def test_a_terminated_recorder_saves_the_recording(tmp_path):
    out = tmp_path / "rec"
    with serve("v1") as server:
        p = subprocess.Popen([sys.executable, "-m", "simulator.cli", "record", "--headless", "--url",
                              f"{server.url}/login", "--out", str(out)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started = p.stderr.readline()  # said once the page is open and capture is on
        assert started.startswith("recording"), started
        p.send_signal(signal.SIGTERM)
        stdout, stderr = p.communicate(timeout=60)
    assert p.returncode == 0, stderr
    assert f"recording saved to {out}" in stdout
    assert validate_dataset(out) == []
    assert read_dataset(out).manifest.command[:2] == ["hcisim", "record"]
    assert not list(tmp_path.glob(".rec*"))  # no journal or temporary directory left beside it
