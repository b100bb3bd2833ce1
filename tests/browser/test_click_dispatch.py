"""Two presses in quick succession at one place reach the page as a double click, as an OS delivers them."""

from __future__ import annotations

import time

import pytest

from simulator import plan as P
from simulator.drivers.browser import BrowserDriver

pytestmark = pytest.mark.browser


def move_and_click(d: BrowserDriver, t: float, x: float, y: float) -> None:
    d.dispatch(P.moves([t], [x], [y]))
    d.dispatch(P.press_release(t + 20.0, 70.0, x, y))


def test_a_second_press_at_the_same_place_is_a_double_click():
    """`s.click(loc, double=True)` and a replayed `double_click` send two press/release plans. Chromium counts
    clicks only as its input says (CDP's clickCount): sent as two single clicks, a page's dblclick handler never
    ran and a recording of the session held two clicks instead of its double click."""
    d = BrowserDriver()
    try:
        d.start_session("s")
        d.page.set_content("<button id='b' style='width:200px;height:80px'>B</button><script>window.got = [];"
                           "for (const t of ['mousedown', 'click', 'dblclick'])"
                           " addEventListener(t, e => got.push([t, e.detail]));</script>")
        d._t0 = time.perf_counter()
        move_and_click(d, 20.0, 50.0, 30.0)
        move_and_click(d, 180.0, 51.0, 31.0)  # 160 ms later, a pixel off: one double click
        move_and_click(d, 1200.0, 51.0, 31.0)  # a second later: a new single click
        move_and_click(d, 1350.0, 150.0, 60.0)  # soon after but 100 px away: a single click
        got = d.page.evaluate("got")
        d.end_session()
    finally:
        d.close()
    assert got == [["mousedown", 1], ["click", 1], ["mousedown", 2], ["click", 2], ["dblclick", 2],
                   ["mousedown", 1], ["click", 1], ["mousedown", 1], ["click", 1]]
