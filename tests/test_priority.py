"""A niced hcisim (or test run) keeps the processes it starts niced, including those in sessions of their own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AUTOGROUP = Path("/proc/self/autogroup")


@pytest.mark.skipif(not AUTOGROUP.exists(), reason="this kernel schedules without autogroups")
def test_a_child_in_its_own_session_gets_our_niceness():
    """As Playwright starts Chromium (setsid): its autogroup was at nice 0 whatever ours was."""
    code = """
import os, subprocess
from simulator.children import share_niceness
os.nice(7)  # (19 at most: make test runs this test at 19 already)
child = subprocess.Popen(["sleep", "30"], start_new_session=True)
before = open(f"/proc/{child.pid}/autogroup").read()
share_niceness()
after = open(f"/proc/{child.pid}/autogroup").read()
child.kill()
print(before.split()[-1], after.split()[-1], os.getpriority(os.PRIO_PROCESS, 0))
"""
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    before, after, ours = out.split()
    assert before == "0" and after == ours and int(ours) >= 7


def _run_tests(monkeypatch, live: str, rest: str) -> int:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import run_tests
    finally:
        sys.path.pop(0)
    monkeypatch.setattr(run_tests, "LIVE", [sys.executable, "-c", live])
    monkeypatch.setattr(run_tests, "REST", [sys.executable, "-c", rest])
    return run_tests.main()


@pytest.mark.skipif(not AUTOGROUP.exists(), reason="this kernel schedules without autogroups")
def test_make_test_runs_the_rest_at_the_lowest_priority_and_fails_if_either_run_fails(monkeypatch, capfd):
    show = "import os; print('{}', os.getpriority(os.PRIO_PROCESS, 0), open('/proc/self/autogroup').read().split()[-1])"
    assert _run_tests(monkeypatch, show.format("live"), show.format("rest")) == 0
    out = capfd.readouterr().out
    assert "rest 19 19" in out
    live = f"live {os.getpriority(os.PRIO_PROCESS, 0)} "  # ours (make test's rest runs this test niced)
    assert live in out
    assert out.index("rest 19") < out.index(live)  # the live report is printed whole, after
    assert _run_tests(monkeypatch, "exit(1)", "exit(0)") == 1
    assert _run_tests(monkeypatch, "exit(0)", "exit(5)") == 1


def test_make_test_stopped_by_sigterm_stops_both_runs(tmp_path):
    """A CI timeout sends SIGTERM to make test's process: both runs, each in a session of its own, stop too
    (started as a background job, as here, they would also ignore a forwarded SIGINT)."""
    pids = tmp_path / "pids"
    child = f"import os, time; open({str(pids)!r}, 'a').write(f'{{os.getpid()}}\\n'); time.sleep(60)"
    code = f"""
import sys
sys.path.insert(0, "scripts")
import run_tests
run_tests.LIVE = run_tests.REST = [sys.executable, "-c", {child!r}]
sys.exit(run_tests.main())
"""
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.DEVNULL,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    deadline = time.monotonic() + 20
    while (not pids.exists() or len(pids.read_text().split()) < 2) and time.monotonic() < deadline:
        time.sleep(0.1)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 130
    for pid in map(int, pids.read_text().split()):
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
