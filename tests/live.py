"""The suite's real-time sessions: every bundled web scenario (recorded), two agents' sessions and the Tk app
on Xvfb, each made once and shared by the tests that check them.

Why one place: a session is mostly a person's waiting (thinking, reading, typing rhythm) and keeps ~20 % of a
core busy (login: 4.4 s of CPU in 23 s), so three run side by side on CI's two cores. checkout_form, the
longest (~90 s), goes first; the other web scenarios, the desktop session and then both agents' sessions fit
in its time on the other two workers (one after another they added ~50 s to the suite's wall time). Replays
of the recordings are not scheduled here: they keep a core busy, and beside checkout_form's session they
pushed its dispatch timing past a frame. Only what the selected tests use is made (`needed`).
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow.compute as pc

from simulator.dataset import read_dataset
from simulator.jsonl import read_jsonl
from simulator.runner import RunConfig, RunResult, run
from simulator.scenario import list_scenarios

WEB_SCENARIOS = [s.name for s in list_scenarios() if s.app == "web"]
SEED = 6
"""Of seeds 0-9, the one whose checkout_form session is shortest (83 s of a person's time against 91-125):
that session is what the suite waits for."""
PERIODIC_MS = 400.0
"""login also takes periodic screenshots and saves a layout snapshot (tests/browser/test_periodic_frames.py)."""
AGENTS = ("scripted", "flawed")


@dataclass
class WebRun:
    scenario: str
    dataset: Path
    recording: Path
    stats: dict
    layout: Path | None


@dataclass
class LiveRuns:
    web: dict[str, WebRun] = field(default_factory=dict)
    agents: dict[str, Path] = field(default_factory=dict)
    desktop: tuple[RunResult, Path] | None = None   # the run and what the X logger captured of it


def web_run(name: str, root: Path) -> WebRun:
    extra = {"periodic_ms": PERIODIC_MS, "save_layout": root / "login-layout.json"} if name == "login" else {}
    res = run(RunConfig(scenario=name, driver="browser", sessions=1, seed=SEED, out=root / name,
                        record_to=root / f"{name}-recording", command=["pytest"], **extra))
    return WebRun(name, res.out, root / f"{name}-recording", res.stats, extra.get("save_layout"))


def agent_run(kind: str, out: Path) -> Path:
    from replay.agents import FlawedAgent, ScriptedAgent, run_agent

    agent = FlawedAgent() if kind == "flawed" else ScriptedAgent()
    return run_agent(agent, "event_dialog", out, seed=SEED).out  # the reference's seed: the same task


@contextlib.contextmanager
def private_display() -> Iterator[str]:
    """A private Xvfb as $DISPLAY for the block, the environment as it was after it (a pool worker goes on to
    other sessions, a test module to other modules: neither may name a stopped display)."""
    from simulator.drivers.xdisplay import ensure_display

    old = {k: os.environ.get(k) for k in ("DISPLAY", "XAUTHORITY")}
    os.environ.pop("DISPLAY", None)
    with contextlib.ExitStack() as stack:
        stack.callback(_restore_env, old)
        yield ensure_display(stack)


def _restore_env(old: dict[str, str | None]) -> None:
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def desktop_run(root: Path) -> tuple[RunResult, Path]:
    """desktop_form on a private Xvfb, recorded by the real X logger (replay.xlogger) as it happens."""
    with private_display():  # the driver and the logger share it
        log = root / "captured.jsonl"
        logger = subprocess.Popen([sys.executable, "-m", "replay.xlogger", str(log)], stderr=subprocess.PIPE,
                                  text=True)
        assert "ready" in logger.stderr.readline()
        res = run(RunConfig(scenario="desktop_form", driver="desktop", sessions=1, seed=2, out=root / "truth",
                            command=["pytest"]))
        # every event sent is logged before the logger stops (a fixed 0.3 s lost the last move once, with the
        # machine busy); a logger that lost one waits out the deadline and the audit says what is missing
        sent, deadline = read_dataset(res.out).events.num_rows, time.monotonic() + 30
        while len(read_jsonl(log, cut_short_ok=True)) < sent and time.monotonic() < deadline:
            time.sleep(0.05)
        logger.send_signal(signal.SIGTERM)
        logger.wait(timeout=5)
        return res, log


FRAME_MS = 16.7


def assert_sent_on_deadlines(dataset: Path) -> np.ndarray:
    """A live session's events went out at the plan's absolute deadlines: lateness stays under a frame but for a
    stall now and then, and never drifts. Returns each event's lateness (sent - planned, ms) for further checks.

    The median event leaves within a millisecond of its plan. Within one Chromium movement lateness may ramp up
    to a frame by design: each awaited move costs about the 16.6 ms between samples, and a move that falls a
    whole sample behind is coalesced away (`simulator.drivers.base.overtaken`), which resets it -- a short
    session's quarter can be mostly one such movement (event_dialog: a quarter's median 2.6 ms in CI). A
    dispatcher that slept the planned gaps instead would add every send's cost (a frame in Chromium, ~0.65 ms
    for pyautogui's X round trip) to all that follows: some quarter's median would pass a frame. The tail is the
    machine's: the suite runs three sessions side by side on two cores, where Chromium or Xvfb waits for a core
    while the driver waits on it (CI saw p99 up to 13.7 ms in the browser and 18.5 ms on the desktop, max 34
    ms). The p99 targets (a frame in the browser, 5 ms on the desktop) are measured by
    benchmarks/dispatch_timing.py with each session alone."""
    ev = read_dataset(dataset).events
    late = pc.subtract(ev.column("t_ms"), ev.column("planned_t_ms")).to_numpy()
    assert np.median(late) <= 1.0, np.percentile(late, [50, 95, 99])
    quarters = [round(float(np.median(q)), 3) for q in np.array_split(late, 4)]
    assert max(quarters) <= FRAME_MS, quarters
    assert np.mean(late > FRAME_MS) <= 0.05, (np.mean(late > FRAME_MS), np.percentile(late, [50, 95, 99]))
    return late


def needed(fixturenames: set[str]) -> tuple[bool, bool, bool]:
    """Which sessions the selected tests use: (web scenarios, agents, desktop); the agents are judged against
    a web scenario's run, so they need those too."""
    agents = "agent_runs" in fixturenames
    return "web_runs" in fixturenames or agents, agents, "desktop_run" in fixturenames


def make(root: Path, web: bool, agents: bool, desktop: bool) -> LiveRuns:
    with ProcessPoolExecutor(max_workers=3) as pool:
        w = [pool.submit(web_run, name, root / "web") for name in WEB_SCENARIOS] if web else []
        d = pool.submit(desktop_run, root / "desktop") if desktop else None
        a = {kind: pool.submit(agent_run, kind, root / f"agent-{kind}") for kind in AGENTS} if agents else {}
        return LiveRuns({r.scenario: r for r in (f.result() for f in w)},
                        {kind: f.result() for kind, f in a.items()}, d.result() if d else None)
