"""Units of the live drivers' timing, without a display: timed dispatch holds the cyclic garbage collector (a full
collection in a long-lived process, 8-47 ms measured in this suite, would send a frame's events late), and the
desktop driver waits for widgets as Playwright waits for elements."""

import gc
import time

import numpy as np
import pytest

from simulator.drivers.base import no_gc_pauses
from simulator.drivers.desktop import DesktopDriver
from simulator.plan import make


def test_collector_is_held_inside_and_restored_after():
    assert gc.isenabled()
    with no_gc_pauses():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), no_gc_pauses():
        raise RuntimeError("a driver error mid-plan")
    assert gc.isenabled()


def test_a_collector_someone_else_turned_off_stays_off():
    gc.disable()
    try:
        with no_gc_pauses():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


class _Gui:
    """Stands in for pyautogui (a unit test of the dispatch loop, not of X): notes whether the collector ran."""

    def __init__(self):
        self.collector_on = []

    def moveTo(self, *a, **k):  # noqa: N802 (pyautogui's name)
        self.collector_on.append(gc.isenabled())

    mouseDown = mouseUp = moveTo  # noqa: N815


def test_the_desktop_driver_sends_a_plan_with_the_collector_held():
    driver = object.__new__(DesktopDriver)
    driver.gui, driver._t0 = _Gui(), time.perf_counter()
    n = 5
    # no move followed by a move: such a move is skipped once its successor is due (`overtaken`), and under load
    # (the suite's unit tests run two at a time) a 1 ms deadline passes before it goes out
    plan = make(np.arange(n), ["move", "down", "up", "move", "down"], x=10.0, y=20.0)
    driver.dispatch(plan)
    assert driver.gui.collector_on == [False] * n
    assert gc.isenabled()


def test_the_desktop_driver_waits_for_a_widget_the_last_press_opened(tmp_path):
    """Tk draws a dialog a few tens of ms after the press that opens it; locate waits as Playwright does (a
    screenshot's delay used to hide this: `--screenshots none` failed on the About dialog's OK)."""
    import json
    import threading

    from simulator.locate import Locator

    driver = object.__new__(DesktopDriver)
    driver._state_file = tmp_path / "state.json"
    before = {"writes": 1, "widgets": {"name_entry": {"x": 10, "y": 10, "w": 100, "h": 20}}}
    after = {"writes": 2, "widgets": {**before["widgets"], "about_ok": {"x": 50, "y": 60, "w": 40, "h": 20}}}
    driver._state_file.write_text(json.dumps(before))
    threading.Timer(0.3, lambda: driver._state_file.write_text(json.dumps(after))).start()
    target = driver.locate(Locator("testid", "about_ok", exact=True))
    assert (target.box.x, target.box.y) == (50.0, 60.0)


class _StallingGui(_Gui):
    """pyautogui whose first move is held 60 ms (Xvfb waiting for a core): the plan falls behind."""

    def moveTo(self, *a, **k):  # noqa: N802
        if not self.collector_on:
            time.sleep(0.06)
        super().moveTo(*a, **k)

    mouseDown = mouseUp = _Gui.moveTo  # noqa: N815


def test_moves_overtaken_by_a_stall_are_coalesced_and_the_press_still_goes_out():
    """After a stall the desktop driver sends the newest due position, not a burst of stale ones a fraction of a
    millisecond apart (what X motion compression and Chromium's rAF leave of them); the move a press happens at
    and the press itself are always sent."""
    driver = object.__new__(DesktopDriver)
    driver.gui = _StallingGui()
    n = 10  # a first move, then moves every 8 ms (a 125 Hz mouse) from 20 ms, then a press and a release
    # (the first gap is 20 ms so that a loaded machine's delay before the first send does not skip that one)
    t = np.r_[0.0, 20.0 + np.arange(7) * 8.0, 90.0, 100.0]
    plan = make(t, ["move"] * 8 + ["down", "up"], x=np.arange(n), y=20.0)
    driver._t0 = time.perf_counter()
    actual = driver.dispatch(plan)
    assert not np.isnan(actual[0]) and np.isnan(actual[1:6]).all(), actual  # 20-52 ms: each overtaken by 60 ms
    assert not np.isnan(actual[7:]).any(), actual  # the last move (the press's position), press and release
    assert len(driver.gui.collector_on) == int((~np.isnan(actual)).sum())  # what is logged is what was sent
