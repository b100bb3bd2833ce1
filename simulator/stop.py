"""Whether the user asked this process to stop (Ctrl-C or SIGTERM; the CLI's handlers set it).

Why it is needed: a terminal's Ctrl-C reaches the whole process group, so the Playwright driver and
Chromium die with hcisim, and the call in flight often fails with Playwright's "target closed" before
the KeyboardInterrupt is raised. Code that keeps finished work on an interrupt asks `requested()` to
tell that failure from a real one.
"""

from __future__ import annotations

_requested = False


def request() -> None:
    global _requested
    _requested = True


def requested() -> bool:
    return _requested
