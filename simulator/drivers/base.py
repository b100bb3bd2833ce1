"""The one small interface every driver (browser, desktop, offline) implements."""

from __future__ import annotations

import gc
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, Protocol

import numpy as np
import pyarrow as pa

from simulator.locate import Box, Locator
from simulator.plan import Plan

DOUBLE_CLICK_MS = 500.0
DOUBLE_CLICK_PX = 5.0
"""A press of the same button this soon after the one before and this near it counts on (a double click). X
delivers presses only and the toolkit decides (GTK's defaults: 400 ms, 5 px; Windows': 500 ms, 4 px): the
desktop recorder reads X presses so (`replay.desktop_record`); Chromium counts clicks only as its input says
(CDP's clickCount), so the browser driver counts them so too (two presses sent as single clicks never made a
page's dblclick)."""


def sleep_until(deadline: float) -> None:
    """Sleep to an absolute ``time.perf_counter()`` deadline; the last millisecond is spun for precision.

    Live drivers send every event at its own absolute deadline, so lateness never accumulates.
    """
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            return
        time.sleep(left - 0.001 if left > 0.002 else 0)


def overtaken(plan: Plan, i: int, t0: float) -> bool:
    """Event ``i`` is a move and the next one, also a move, is already due: the sender fell more than a sample
    behind (a stall of the machine or of the app), and what captures the pointer would only see the newer
    position -- Chromium's rAF coalescing, the X server's and toolkits' motion compression -- so the move is
    not sent and not logged. Sending every overdue move instead puts a burst of stale positions a fraction of
    a millisecond apart into the capture, and each costs a round trip (a frame in Chromium) before the plan
    catches up. A press's own position is never skipped: only a move followed by a move is."""
    return (plan.type[i] == "move" and i + 1 < len(plan) and plan.type[i + 1] == "move"
            and time.perf_counter() > t0 + plan.t_ms[i + 1] / 1000.0)


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    """Hold Python's cyclic garbage collector while a plan's events go out at their deadlines.

    A full collection stops the process for as long as it takes to walk every tracked object: 8-47 ms measured in
    the test suite's process (a long-lived process holding fitted profiles and tables), enough to send a whole
    frame's events late. Reference counting still frees what a dispatch drops; cycles wait until it ends. Usable
    as a decorator.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass
class Target:
    """What a driver knows about a located element at the moment of acting."""

    box: Box
    """In the driver's coordinate space (viewport CSS px for the browser)."""
    visible: bool = True
    """Entirely inside the viewport (and its scroll container) and not covered."""
    scroll_dy: float = 0.0
    """How far to scroll (positive = content moves up) to bring it to a comfortable place."""
    scroll_at: tuple[float, float] | None = None
    """Where the wheel must be turned: over the element's scroll container."""
    kind: str = "other"
    """input, textarea, password, select, combobox, option, checkbox, radio, button, link, other."""
    role: str | None = None
    name: str | None = None
    text: str | None = None
    selector: str | None = None
    label: str | None = None
    id: str | None = None
    testid: str | None = None
    words_on_screen: int = 0
    checked: bool | None = None
    focused: bool = False
    next_in_tab_order: bool = False
    """Pressing Tab from the focused element would focus this one."""
    options: list[str] = field(default_factory=list)
    """For select/combobox: option labels in display order."""
    selected_index: int = -1
    active_index: int = -1
    """For an open custom listbox: the option the keys have highlighted (aria-activedescendant); -1 unknown."""
    sensitive: bool = False
    """A password or other field whose value must never be stored (capture.js's rule: password inputs,
    ``autocomplete`` cc-*/one-time-code/passwords, anything inside ``[data-private]``, ``--sensitive``)."""
    keep_within: tuple[Box, ...] = ()
    """Where the pointer must stay on its way here (any of these boxes): an open menu switches or closes
    when the pointer crosses its neighbours on the menu bar, so a person stays on the menu."""

    def descriptor(self) -> dict[str, Any]:
        return {"selector": self.selector, "role": self.role, "name": self.name, "text": self.text,
                "label": self.label, "id": self.id, "testid": self.testid}


class Driver(Protocol):
    name: str
    coordinate_space: str
    viewport: tuple[int, int]
    device: str
    """The device profile whose sampling the dispatched pointer events follow."""
    live: bool
    """True when real time passes (browser, desktop); False for offline plans."""

    def start_session(self, session_id: str) -> None: ...

    def goto(self, url: str) -> None: ...

    def locate(self, locator: Locator) -> Target: ...

    def now_ms(self) -> float:
        """Session time now (live drivers) or NaN (offline: the plan's clock rules)."""
        ...

    def dispatch(self, plan: Plan) -> np.ndarray:
        """Send the events at their planned session times; return the actual times (NaN: a move a live driver
        coalesced away because the next one was already due, `overtaken`)."""
        ...

    def describe_at(self, x: float, y: float) -> Target | None:
        """The element at a point, when the driver can tell."""
        ...

    def screenshot(self) -> bytes | None: ...

    def field_value(self, locator: Locator) -> str | None: ...

    def end_session(self) -> pa.Table | None:
        """Finish the session; return what the app received (table ``received``) if known."""
        ...

    def close(self) -> None: ...
