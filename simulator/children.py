"""Child processes that must not outlive hcisim."""

from __future__ import annotations

import ctypes
import signal

PR_SET_PDEATHSIG = 1  # prctl(2)


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """In a child (a pool initializer, a Popen ``preexec_fn``): have Linux send ``sig`` when the parent dies. A
    parent killed with SIGKILL (OOM, a CI hard kill) cannot stop its children itself: a shard worker would go on
    writing shards nobody assembles, an X logger would go on logging every key typed on the machine."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, sig)
    except (AttributeError, OSError):  # not Linux: workers end when the pool's pipe closes
        pass
