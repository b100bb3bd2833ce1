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


def test_a_display_whose_cookie_is_in_home_xauthority_is_used(tmp_path, monkeypatch):
    """With XAUTHORITY unset X clients read ~/.Xauthority, where a desktop session keeps its cookie; hcisim put a
    file of its own in XAUTHORITY's place, so the user's display refused it and the run went to a private Xvfb
    ("DISPLAY does not answer") that a capture tool watching the user's display never saw."""
    import os
    import secrets
    import socket

    from simulator.drivers.xdisplay import ensure_display

    field = lambda b: len(b).to_bytes(2, "big") + b  # noqa: E731
    cookie = field(b"MIT-MAGIC-COOKIE-1") + field(secrets.token_bytes(16))
    server_auth = tmp_path / "server-auth"
    server_auth.write_bytes((256).to_bytes(2, "big") + field(socket.gethostname().encode()) + field(b"") + cookie)
    (tmp_path / ".Xauthority").write_bytes(server_auth.read_bytes())  # any display number: the cookie's own
    read_end, write_end = os.pipe()
    proc = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-auth", str(server_auth), "-screen", "0",
                             "640x480x24", "-nolisten", "tcp"], pass_fds=(write_end,),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_end)
    try:
        with os.fdopen(read_end) as numbers:
            display = f":{int(numbers.readline())}"
        refused = subprocess.run(["xdotool", "getdisplaygeometry"], env={"DISPLAY": display,
                                 "XAUTHORITY": str(tmp_path / "none")}, capture_output=True, timeout=10)
        assert refused.returncode != 0  # the display checks cookies
        monkeypatch.delenv("XAUTHORITY", raising=False)
        monkeypatch.setenv("HOME", str(tmp_path))
        monkeypatch.setenv("DISPLAY", display)
        with contextlib.ExitStack() as stack:
            assert ensure_display(stack) == display
    finally:
        proc.terminate()
        proc.wait(timeout=10)
