"""An X display to drive desktop apps on: the user's, or an Xvfb started for the run."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from simulator.errors import HcisimError

SCREEN = (1280, 800)


def _display_works(display: str) -> bool:
    try:
        from Xlib import display as xdisplay

        d = xdisplay.Display(display)
        d.close()
        return True
    except Exception:
        return False


def _free_display_number() -> int:
    for n in range(90, 200):
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists():
            return n
    raise HcisimError("no free X display number between :90 and :199")


def _ensure_xauthority(stack: contextlib.ExitStack) -> None:
    """pyautogui (via Xlib) needs XAUTHORITY to name an existing file.

    Ours holds one entry for no display (Xvfb runs without access control): python-xlib prints a warning
    on every connection to a display whose authority file is empty.
    """
    current = os.environ.get("XAUTHORITY")
    if current and Path(current).is_file():
        return
    tmpdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="hcisim-x-"))
    path = Path(tmpdir) / "Xauthority"
    field = lambda b: len(b).to_bytes(2, "big") + b  # noqa: E731  (the file's counted strings)
    family_local = (256).to_bytes(2, "big")
    path.write_bytes(family_local + field(b"hcisim") + field(b"none") + field(b"MIT-MAGIC-COOKIE-1")
                     + field(os.urandom(16)))
    os.environ["XAUTHORITY"] = str(path)


def ensure_display(stack: contextlib.ExitStack, *, size: tuple[int, int] = SCREEN) -> str:
    """Use ``$DISPLAY`` if it answers; otherwise start Xvfb (stopped when ``stack`` closes)."""
    _ensure_xauthority(stack)
    current = os.environ.get("DISPLAY")
    if current and _display_works(current):
        return current
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        raise HcisimError("no display: DISPLAY is not usable and Xvfb is not installed (apt-get install xvfb)")
    n = _free_display_number()
    display = f":{n}"
    proc = subprocess.Popen([xvfb, display, "-screen", "0", f"{size[0]}x{size[1]}x24", "-nolisten", "tcp",
                             "-noreset"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()

    stack.callback(stop)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise HcisimError(f"Xvfb exited with code {proc.returncode} when starting display {display}")
        if Path(f"/tmp/.X11-unix/X{n}").exists() and _display_works(display):
            os.environ["DISPLAY"] = display
            if current:  # a typo in DISPLAY: a logger watching that display would see nothing, silently
                print(f"note: DISPLAY={current} does not answer; running on a private Xvfb ({display})",
                      file=sys.stderr, flush=True)
            return display
        time.sleep(0.05)
    raise HcisimError(f"Xvfb did not come up on display {display} within 10 s")
