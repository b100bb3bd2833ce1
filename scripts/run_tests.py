"""`make test`: the whole suite in two pytest runs side by side, the live one first in line for the CPU.

The live tests (marked `live`, tests/live.py) run real-time sessions whose dispatch timing they assert; they spend
most of their ~3.5 minutes waiting on a person's time and keep well under a core busy. Run after the rest (~6 min
in two processes) they added their whole length to the suite's; run beside it at equal priority, the rest's
processes pushed the sessions' events past a frame. So the rest runs at the lowest priority in a session of its
own, whose autogroup is niced too (Linux shares the CPU between sessions before it looks at a process's nice
value; `simulator.children.share_niceness` does the same for the Chromiums its tests start), and takes only the
CPU the live run leaves. The live run's output is kept and printed when it ends, so the two do not interleave.

Both runs always run; the exit status is 0 only if both pass. Ctrl-C or SIGTERM (a CI timeout) stops both.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile

PYTEST = [sys.executable, "-m", "pytest", "-q"]
LIVE = PYTEST + ["-m", "live"]
REST = PYTEST + ["-n", "2", "--dist", "loadscope", "-m", "not live"]
LOWEST = 19


def _interruptible() -> None:  # in a child, after its setsid
    """Started as a script's background job, we (and so they) would ignore SIGINT, which Python keeps: the
    SIGINT we forward would not stop them."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _lowest_priority() -> None:
    _interruptible()
    os.nice(LOWEST)
    try:
        with open("/proc/self/autogroup", "w") as f:
            f.write(str(LOWEST))
    except OSError:  # no autogroup scheduling: the process's nice value is what counts
        pass


def _terminated(signum, frame):
    raise KeyboardInterrupt


def main() -> int:
    signal.signal(signal.SIGTERM, _terminated)
    with tempfile.TemporaryFile("w+") as log:
        live = subprocess.Popen(LIVE, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=_interruptible)
        rest = subprocess.Popen(REST, start_new_session=True, preexec_fn=_lowest_priority)
        print("the live tests run beside these; their report follows", flush=True)
        try:
            codes = rest.wait(), live.wait()
        except KeyboardInterrupt:
            for p in (rest, live):  # their own sessions: the terminal's Ctrl-C reached only us
                if p.poll() is None:
                    os.killpg(p.pid, signal.SIGINT)
            rest.wait(), live.wait()
            return 130
        log.seek(0)
        sys.stdout.write(log.read())
    return 0 if codes == (0, 0) else 1


if __name__ == "__main__":
    sys.exit(main())
