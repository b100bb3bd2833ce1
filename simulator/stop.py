"""Whether the user asked this process to stop (Ctrl-C or SIGTERM; the CLI's handlers set it), and what to
say about it.

Why it is needed: a terminal's Ctrl-C reaches the whole process group, so the Playwright driver and
Chromium die with hcisim, and the call in flight often fails with Playwright's "target closed" before
the KeyboardInterrupt is raised. Code that keeps finished work on an interrupt asks `requested()` to
tell that failure from a real one, and says what it kept with `keep_note()`: the CLI prints one line,
"interrupted: <note>", and exits as a shell reports the signal (130 for Ctrl-C, 143 for SIGTERM).
"""

from __future__ import annotations

import signal

_signal: int | None = None
_note: str | None = None


def request(signum: int = signal.SIGINT) -> None:
    global _signal
    _signal = signum


def requested() -> bool:
    return _signal is not None


def keep_note(note: str) -> None:
    """What an interrupted command kept (or did not): said on the CLI's one "interrupted" line."""
    global _note
    _note = note


def message() -> str:
    return "interrupted" + (f": {_note}" if _note else "")


def exit_code() -> int:
    """128 + the signal, as a shell reports a process it stopped; a KeyboardInterrupt from no signal is Ctrl-C."""
    return 128 + (_signal or signal.SIGINT)
