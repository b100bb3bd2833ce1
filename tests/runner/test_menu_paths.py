"""Moves onto an open menu's item stay on the menu, with the fitted motion model.

Recorded pointing includes wandering before the aim (the cut the benchmarks use starts at the first move
after a click), so a 30 px move can swing 100+ px sideways; across a menu bar that switches the open menu
and the item is never chosen (`hcisim run desktop_form --driver desktop --seed 1` failed that way).
"""

from dataclasses import replace

import numpy as np

from simulator import locate
from simulator.drivers.offline import OfflineDriver
from simulator.locate import Box
from simulator.models import Models
from simulator.plan import clamp_into, inside_boxes
from simulator.rng import session_seed
from simulator.sessions import events_table
from simulator.scenario import Actor
from tests.runner.test_actor_offline import element

HEADER = Box(96.0, 0.0, 40.0, 24.0)     # "Help" on the menu bar, the rightmost entry
DROPDOWN = Box(96.0, 24.0, 120.0, 48.0)  # its open menu: "About" and one more item
LAYOUT = {"version": 2, "viewport": [640, 480], "pages": {"/": {
    'role=menuitem[name="About"]': element("/", 28.0, kind="button", name="About", role="menuitem",
                                           doc_box=[96.0, 28.0, 120.0, 20.0]),
}}}


class MenuDriver(OfflineDriver):
    """The offline driver, saying (as the desktop driver does for Tk menus) where the open menu is."""

    def __init__(self, keep):
        super().__init__(LAYOUT)
        self.keep = keep

    def locate(self, loc):
        return replace(super().locate(loc), keep_within=self.keep)


def about_path(models, seed, keep):
    driver = MenuDriver(keep)
    driver.start_session("s0")
    actor = Actor(driver, models, session_seed(seed, 0), "s0", base_url="http://x")
    actor.goto("/")
    actor.pointer = (HEADER.cx + 6.0, HEADER.cy)  # just clicked "Help"
    actor.click(locate.role("menuitem", "About"))
    ev = events_table(actor.rec, "s0", live=False)[0].to_pylist()
    return np.array([(e["x"], e["y"]) for e in ev if e["type"] in ("move", "mouse_down")])


def test_paths_onto_an_open_menu_stay_on_it_and_reach_the_item():
    models = Models()
    free = [about_path(models, seed, ()) for seed in range(40)]
    kept = [about_path(models, seed, (HEADER, DROPDOWN)) for seed in range(40)]
    # without the menu's boxes the fitted model does wander off (else this test could not fail)
    assert sum(not inside_boxes(p[:, 0], p[:, 1], (HEADER, DROPDOWN)).all() for p in free) >= 2
    about = Box(96.0, 28.0, 120.0, 20.0)
    for p in kept:
        assert inside_boxes(p[:, 0], p[:, 1], (HEADER, DROPDOWN)).all()
        assert about.contains(*p[-1])  # the press is on the item
    # paths are the model's own, not straightened: they still differ from one another
    assert len({len(p) for p in kept}) > 5


def test_clamp_moves_outside_points_to_the_nearest_box_edge():
    x, y = clamp_into(np.array([100.0, 50.0, 300.0]), np.array([10.0, 30.0, 30.0]), (HEADER, DROPDOWN))
    assert list(x) == [100.0, 96.0, 216.0] and list(y) == [10.0, 30.0, 30.0]
    assert inside_boxes(x, y, (HEADER, DROPDOWN)).all()
    assert not inside_boxes(np.array([0.0]), np.array([0.0]), (HEADER, DROPDOWN))[0]
