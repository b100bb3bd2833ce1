"""A scenario script that never ends (a loop, a wait for ever) ends its run at the session's time limit, in one
line naming the session and the limit, with what was finished before it kept as a failing script's would be.

The looping scripts here stop by themselves after 30 s: without the limit the test fails instead of hanging."""

import pytest

from simulator import locate
from simulator.dataset import read_dataset, validate_dataset
from simulator.errors import HcisimError
from simulator.runner import RunConfig, run
from simulator.scenario import Scenario
from simulator.sessions import LAYOUT_DIR
from tests.helpers import hcisim, one_line_error

SCRIPT = '''"""Log in, then loop in the third session."""
import time
from simulator.locate import label
APP = "web"
START = "/login"

def run(s):
    s.type(label("Username"), "ann")
    if s.session_id == "s00002":
        began = time.monotonic()
        while time.monotonic() - began < 30:
            try:
                pass
            except Exception:  # a loop that swallows every error does not swallow the limit for good
                pass
'''


def test_a_session_that_never_ends_fails_the_offline_run_at_its_limit_and_keeps_the_finished_shards(tmp_path):
    script = tmp_path / "mine.py"
    script.write_text(SCRIPT)
    r = hcisim("run", script, "--layout", LAYOUT_DIR / "login.json", "--sessions", 3, "--shard-size", 1,
               "--session-timeout", 1, "--out", tmp_path / "o")
    stage = tmp_path / ".o.shards"
    one_line_error(r, "session s00002, step 1: not finished after 1 s, the time limit of a session "
                      "(--session-timeout) (mine.py, line 1", f"2 completed shard(s) are kept in {stage}", code=2)
    assert sorted(p.name for p in stage.glob("shard=*")) == ["shard=00000", "shard=00001"]
    assert not (tmp_path / "o").exists()


def test_a_session_that_never_ends_in_a_live_style_run_keeps_the_sessions_before_it(tmp_path):
    """The in-process runner live runs use (here with the offline driver): the sessions before stay valid."""
    script = tmp_path / "mine.py"
    script.write_text(SCRIPT)
    from simulator.scenario import load_scenario

    scen: Scenario = load_scenario(str(script))
    out = tmp_path / "o"
    with pytest.raises(HcisimError, match=r"^session s00002, step 1: not finished after 1 s, the time limit of a "
                                          r"session \(--session-timeout\) \(mine\.py, line \d+\) \(2 completed "
                                          r"session\(s\) kept in "):
        run(RunConfig(scenario=str(script), driver="offline", sessions=3, out=out, layout=LAYOUT_DIR / "login.json",
                      session_timeout_s=1.0, command=["t"]), scenario_obj=scen)
    assert read_dataset(out).sessions == ["s00000", "s00001"]
    assert validate_dataset(out) == ["stopped early: 2 of 3 requested session(s) completed"]


@pytest.mark.parametrize("limit", ["0", "-5", "nan", "inf"])
def test_a_limit_that_is_no_time_is_refused(tmp_path, limit):
    one_line_error(hcisim("run", "login", "--session-timeout", limit, "--out", tmp_path / "o"),
                   f"--session-timeout {float(limit):g}: a session's time limit is a number of seconds more than 0",
                   code=2)
    assert not (tmp_path / "o").exists()


def test_the_limit_is_lifted_after_the_session_and_an_alarm_set_before_goes_on():
    """A limit left armed would end whatever the process did next (a test, the next command in a notebook); an
    alarm set before it (pytest-timeout's) must still ring."""
    import signal

    from simulator.timelimit import time_limit

    before = signal.getsignal(signal.SIGALRM)
    with time_limit(0.5):
        locate.role("button")
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0) and signal.getsignal(signal.SIGALRM) is before

    def outer(signum, frame):
        raise AssertionError("the outer alarm rang during the session")

    signal.signal(signal.SIGALRM, outer)
    signal.setitimer(signal.ITIMER_REAL, 60.0)
    try:
        with time_limit(0.5):
            locate.role("button")
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 50.0 < left <= 60.0 and signal.getsignal(signal.SIGALRM) is outer
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)


def test_an_alarm_that_rings_as_the_limit_is_taken_down_does_not_leave_it_armed(monkeypatch):
    """The limit rings every second past it; one that rang just as the session ended raised inside the limit's own
    clean-up, before it had put the earlier handler back: every later alarm of the process (the writer's, the next
    test's) ended as "not finished after ... s"."""
    import signal
    import sys

    from simulator import timelimit

    before = signal.getsignal(signal.SIGALRM)
    real = signal.setitimer

    def ringing_as_it_disarms(which, seconds, interval=0.0):
        if seconds == 0:  # the tick that was due: its handler runs in the frame taking the limit down
            signal.getsignal(signal.SIGALRM)(signal.SIGALRM, sys._getframe(1))
        return real(which, seconds, interval)

    monkeypatch.setattr(timelimit.signal, "setitimer", ringing_as_it_disarms)
    with timelimit.time_limit(30):
        pass
    assert signal.getsignal(signal.SIGALRM) is before
    assert real(signal.ITIMER_REAL, 0) == (0.0, 0.0)


class _PageAtTheLimit:
    """A Playwright page whose every wait is where the session's limit rings (no browser is started)."""

    url = "http://localhost/app"

    def __init__(self):
        from simulator.timelimit import SessionTimeout

        self.ring = SessionTimeout("not finished after 1 s, the time limit of a session (--session-timeout)")

    def goto(self, url, **kwargs):
        raise self.ring

    def wait_for_load_state(self, *args, **kwargs):
        raise self.ring

    def screenshot(self, *args, **kwargs):
        raise self.ring

    def evaluate(self, *args, **kwargs):
        return []

    def get_by_role(self, *args, **kwargs):
        return self

    def count(self):
        return 1


@pytest.mark.parametrize("call", ["goto", "locate", "screenshot"])
def test_the_limit_ringing_inside_a_browser_call_is_said_as_the_limit(call):
    """The browser driver turned whatever its Playwright calls raised into its own errors: the limit ringing
    during a page load or a locator's wait (where a live step spends much of its time) ended the run as "app not
    reachable at ...: not finished after ..." or "role=button[name="Next"] matches 1 element(s), none visible",
    sending the user after the app or the locator instead of the script that never ends; a screenshot skipped
    its frame and went on. Only Playwright's own errors are the page's."""
    from simulator.drivers.browser import BrowserDriver
    from simulator.timelimit import SessionTimeout

    driver = object.__new__(BrowserDriver)  # its page only: nothing is launched
    driver.page = _PageAtTheLimit()
    with pytest.raises(SessionTimeout, match="^not finished after 1 s"):
        if call == "goto":
            driver.goto("http://localhost/app/login")
        elif call == "screenshot":
            driver.screenshot()
        else:
            driver.locate(locate.role("button", "Next"))
