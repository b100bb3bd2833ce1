"""A session's time limit: a scenario script that never ends (a loop, a wait for ever) ends its run instead of
hanging it.

The limit is a SIGALRM, because a script's own code may never call back into hcisim (``while True: pass``): the
handler raises between two bytecodes, and also interrupts a sleep or a blocking read. It goes on raising every
second after the limit, so a script that catches every exception in its loop cannot swallow it for good. Sessions run
in a process's main thread (the CLI's, a pool worker's), the only thread a signal reaches; called from another
thread, the limit cannot be kept this way and none is set.

A tick that rings while the limit is being taken down (the session ended just then, or is already unwinding from
the limit) does not raise: raised there, it skipped the clean-up and left the alarm ringing every second, and
its handler in place, for whatever the process did next.
"""

from __future__ import annotations

import signal
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from simulator.errors import HcisimError

DEFAULT_SESSION_TIMEOUT_S = 600.0
"""Ten minutes: several times the longest bundled scenario live (about a minute), and far beyond any offline
session (a second or less); a longer scripted session raises it (`hcisim run --session-timeout`)."""
REPEAT_S = 1.0


class SessionTimeout(HcisimError):
    """A session ran past its time limit."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise `SessionTimeout` in the code run inside once ``seconds`` of wall time have passed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(signum: int, frame: object) -> None:
        if getattr(frame, "f_code", None) in _TAKING_DOWN:  # the body is over: the limit is being lifted
            return
        raise SessionTimeout(f"not finished after {seconds:g} s, the time limit of a session (--session-timeout)")

    previous = signal.signal(signal.SIGALRM, expired)
    began = time.monotonic()
    left, every = signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if left > 0:  # an alarm someone else set (pytest-timeout's) goes on, due when it was (at once if overdue)
            signal.setitimer(signal.ITIMER_REAL, max(left - (time.monotonic() - began), 1e-3), every)


_TAKING_DOWN = (time_limit.__wrapped__.__code__, type(time_limit(1)).__exit__.__code__)  # (not entered)
"""Code running after a limited block ended, where a tick must not raise: this generator (past its ``yield``) and
contextlib's ``__exit__`` that resumes it (another context manager's exit skips one tick at most: they repeat)."""
