"""Private Xvfb displays started side by side each get a display of their own."""

import contextlib
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from simulator.drivers.xdisplay import xvfb_display
from simulator.errors import HcisimError

pytestmark = pytest.mark.desktop


def test_displays_started_at_once_are_distinct_and_each_answers():
    """Choosing a number by looking for lock files raced: two runs starting together picked the same one, and the
    loser's run drove the winner's display (or failed with "Xvfb exited")."""
    with contextlib.ExitStack() as stack:
        with ThreadPoolExecutor(4) as pool:
            displays = list(pool.map(lambda _: stack.enter_context(xvfb_display()), range(4)))
        assert len(set(displays)) == 4, displays
        for d in displays:  # each is a live X server of its own
            out = subprocess.run(["xdotool", "getdisplaygeometry"], env={"DISPLAY": d}, capture_output=True,
                                 text=True, timeout=10)
            assert out.stdout.split() == ["1280", "800"], (d, out.stderr)


def test_an_xvfb_that_cannot_start_is_one_line(tmp_path):
    fake = tmp_path / "Xvfb"
    fake.write_text("#!/bin/sh\necho 'cannot open' >&2\nexit 1\n")
    fake.chmod(0o755)
    with pytest.raises(HcisimError, match="^Xvfb exited with code 1 before it had a display$"):
        with xvfb_display(str(fake)):
            pass
