"""Child processes: those that must not outlive hcisim, and the priority they run at."""

from __future__ import annotations

import ctypes
import os
import signal
import threading
from typing import Callable

PR_SET_PDEATHSIG = 1  # prctl(2)


def die_with_parent(sig: int = signal.SIGKILL) -> None:
    """In a child (a pool initializer, a Popen ``preexec_fn``): have Linux send ``sig`` when the parent dies. A
    parent killed with SIGKILL (OOM, a CI hard kill) cannot stop its children itself: a shard worker would go on
    writing shards nobody assembles, an X logger would go on logging every key typed on the machine."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, sig)
    except (AttributeError, OSError):  # not Linux: workers end when the pool's pipe closes
        pass


def share_niceness() -> None:
    """Give the process groups our descendants started for themselves our own niceness.

    Playwright starts Chromium in a session of its own (setsid), and Linux's autogroup scheduling shares the CPU
    between sessions before it looks at any process's nice value: `nice hcisim run ...` (or a niced test pass)
    ran its browsers at full priority beside whatever it was meant to give way to. Writing our niceness to each
    such session's /proc/PID/autogroup restores what `nice` promises. Raising a nice value needs no privilege;
    without autogroup (or /proc) there is nothing to do."""
    nice = os.getpriority(os.PRIO_PROCESS, 0)
    if nice <= 0:
        return
    stats: dict[int, tuple[int, int]] = {}  # pid -> (parent, session)
    for name in os.listdir("/proc") if os.path.isdir("/proc") else ():
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat", "rb") as f:
                    fields = f.read().rpartition(b")")[2].split()
            except OSError:
                continue
            stats[int(name)] = (int(fields[1]), int(fields[3]))
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    todo = list(children.get(os.getpid(), ()))
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        if stats[pid][1] == pid:  # a session leader: its session is an autogroup of its own
            try:
                with open(f"/proc/{pid}/autogroup", "w") as f:
                    f.write(str(nice))
            except OSError:
                pass


def dies_with_us(sig: int = signal.SIGTERM) -> Callable[[], None] | None:
    """A Popen ``preexec_fn`` that has a long-lived child (an Xvfb, the app driven) sent ``sig`` when hcisim dies,
    or None off the main thread: Linux sends it when the *thread* that started the child ends, and a pool's
    thread ends while the child is still in use."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return lambda: die_with_parent(sig)
