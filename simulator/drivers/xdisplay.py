"""An X display to drive desktop apps on: the user's, or an Xvfb started for the run."""

from __future__ import annotations

import contextlib
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from simulator.children import dies_with_us
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


def _ensure_xauthority(stack: contextlib.ExitStack) -> None:
    """pyautogui (via Xlib) needs XAUTHORITY to name an existing file.

    Ours holds one entry for no display (Xvfb runs without access control): python-xlib prints a warning
    on every connection to a display whose authority file is empty. Unset, X clients read ``~/.Xauthority``: a
    desktop session's cookie is there (replacing it made the user's own display refuse us, and the run went to a
    private Xvfb that a capture tool watching that display never saw).
    """
    current = os.environ.get("XAUTHORITY")
    if current and Path(current).is_file():
        return
    if current is None and os.environ.get("HOME") and (Path(os.environ["HOME"]) / ".Xauthority").is_file():
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
    display = stack.enter_context(xvfb_display(xvfb, size))
    os.environ["DISPLAY"] = display
    if current:  # a typo in DISPLAY: a logger watching that display would see nothing, silently
        print(f"note: DISPLAY={current} does not answer; running on a private Xvfb ({display})",
              file=sys.stderr, flush=True)
    return display


@contextlib.contextmanager
def xvfb_display(xvfb: str = "Xvfb", size: tuple[int, int] = SCREEN) -> Iterator[str]:
    """An Xvfb on a display number it picks itself (``:N``, given once it accepts clients), stopped after the block.

    Why ``-displayfd``: choosing a free number by looking for lock files raced when runs started side by side
    (the second Xvfb found the number taken and exited, or its run connected to the first one's display
    before it did); Xvfb takes the lock atomically and writes the number it got once it listens."""
    read_end, write_end = os.pipe()
    try:
        proc = subprocess.Popen([xvfb, "-displayfd", str(write_end), "-screen", "0", f"{size[0]}x{size[1]}x24",
                                 "-nolisten", "tcp", "-noreset"], pass_fds=(write_end,),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                preexec_fn=dies_with_us())  # a run killed with SIGKILL left it running, parent 1
    finally:
        os.close(write_end)
    try:
        got = b""
        deadline = time.monotonic() + 10
        while not got.endswith(b"\n") and (left := deadline - time.monotonic()) > 0:
            if not select.select([read_end], [], [], left)[0]:
                break
            chunk = os.read(read_end, 16)
            if not chunk:  # Xvfb exited without a display
                break
            got += chunk
    finally:
        os.close(read_end)
    if not (got.endswith(b"\n") and got.strip().isdigit()):
        proc.kill()
        code = proc.wait()
        raise HcisimError(f"Xvfb exited with code {code} before it had a display" if code > 0
                          else "Xvfb did not come up within 10 s")
    try:
        yield f":{int(got)}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
