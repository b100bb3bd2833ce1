"""The ground truth is held to what the app received: a press elsewhere is named, whatever the driver."""

import pyarrow as pa

from simulator.agreement import check
from simulator.dataset.schema import ACTIONS, RECEIVED


def _actions(*rows):
    base = {"session_id": "s", "parent_id": None, "t_start_ms": 0.0, "t_end_ms": 100.0, "outcome": "ok"}
    return pa.Table.from_pylist([{**base, "action_id": i, **r} for i, r in enumerate(rows)], schema=ACTIONS)


def _received(*targets):
    return pa.Table.from_pylist([{"session_id": "s", "seq": i, "t_ms": 50.0 + 200.0 * i, "type": "down",
                                  "target": t} for i, t in enumerate(targets)], schema=RECEIVED)


def test_a_menu_press_that_landed_on_another_entry_is_a_problem():
    actions = _actions(
        {"kind": "click", "step": "click Help", "target_selector": 'role=menuitem[name="Help"] | css=menu-Help'},
        {"kind": "click", "step": "click About", "t_start_ms": 200.0, "t_end_ms": 300.0,
         "target_selector": 'role=menuitem[name="About"] | css=menu-Help-About'})
    ok = check(actions, _received("menu-Help", "menu-Help-About"))
    assert (ok.clicks, ok.clicks_on_target, ok.problems) == (2, 2, [])
    switched = check(actions, _received("menu-Help", "menu-Edit"))  # the path crossed Edit: menu switched
    assert switched.clicks_on_target == 1
    assert switched.problems == ["s/1 click About: press received by menu-Edit, intended menu-Help-About"]
