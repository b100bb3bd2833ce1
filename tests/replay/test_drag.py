"""A recorded drag: where it was let go within its drop element, and where it left what it dragged."""

from __future__ import annotations

import json

import numpy as np

from replay.convert import derive_actions
from replay.replayer import drop_point
from simulator.locate import Box

DROP = {"css": "#done-cards", "box": {"x": 300.0, "y": 250.0, "w": 200.0, "h": 400.0}, "scroll": {"x": 0, "y": 50}}


def test_the_drop_keeps_its_place_within_the_drop_element():
    # let go a quarter across and three quarters down the recorded box (page px; the viewport is scrolled by 50)
    params = {"from": [10, 10], "to": [350, 200 + 300], "drop": DROP}
    x, y = drop_point(params, Box(100, 100, 100, 200), np.array([0.0, 0.0]))
    assert (x, y) == (125.0, 250.0)


def test_without_a_recorded_box_the_drop_is_the_centre_and_onto_itself_the_same_displacement():
    assert drop_point({"drop_target": {"css": "#x"}}, Box(0, 0, 100, 50), np.array([5.0, 5.0])) == (50.0, 25.0)
    params = {"from": [10, 10], "to": [70, 40], "drop": DROP}
    assert drop_point(params, Box(0, 0, 100, 50), np.array([100.0, 100.0]), same_element=True) == (160.0, 130.0)


def test_a_drop_outside_its_element_is_kept_inside_it():
    params = {"from": [0, 0], "to": [900, -100], "drop": DROP}
    x, y = drop_point(params, Box(0, 0, 100, 100), np.array([0.0, 0.0]))
    assert 0 < x < 100 and 0 < y < 100


def _rec(typ, t, x, y, **extra):
    return {"type": typ, "t": t, "x": x, "y": y, "button": 0, **extra}


def test_the_place_a_drag_left_its_element_in_goes_with_the_drag():
    card = {"css": "#card-a", "tag": "li", "name": "A", "role": "listitem", "box": {"x": 0, "y": 0, "w": 50, "h": 20}}
    parent = {"css": "#done-cards", "tag": "ul", "name": "Done", "role": "list", "scroll": {"x": 0, "y": 0},
              "attrs": {"href": "/x?q=1"}}
    records = [_rec("mousedown", 1000, 10, 10, desc=card), _rec("mousemove", 1100, 200, 100),
               _rec("mouseup", 1200, 300, 150, desc={**DROP}),
               {"type": "placed", "t": 1200, "parent": parent, "order": ["B", "A", None], "index": 1}]
    drag = derive_actions(records, "s0", 0.0)[0]
    assert drag["kind"] == "drag"
    placed = json.loads(drag["params"])["placed"]
    assert placed["order"] == ["B", "A", None] and placed["index"] == 1
    assert placed["parent"]["css"] == "#done-cards" and "scroll" not in placed["parent"]
    # a click (no drag) ignores a stray place record
    click = derive_actions([_rec("mousedown", 0, 5, 5, desc=card), _rec("mouseup", 50, 5, 5, desc=card),
                            {"type": "placed", "t": 50, "parent": parent, "order": [], "index": 0}], "s0", 0.0)
    assert [a["kind"] for a in click] == ["click"] and "placed" not in json.loads(click[0]["params"])
