"""Ground truth agrees with what the real Chromium page received, for every bundled web scenario."""

import json

import numpy as np
import pyarrow.compute as pc
import pytest

from simulator.dataset import read_dataset, validate_dataset
from tests.live import WEB_SCENARIOS, assert_sent_on_deadlines

pytestmark = pytest.mark.browser


def test_at_least_six_scenarios_across_the_apps():
    from simulator.scenario import list_scenarios

    assert len(WEB_SCENARIOS) >= 6 and len(list_scenarios()) >= 7


@pytest.mark.parametrize("name", WEB_SCENARIOS)
def test_clicks_hit_their_targets_and_texts_are_exact(web_runs, name):
    r = web_runs[name]
    assert validate_dataset(r.dataset) == []
    s = r.stats
    assert s["clicks_checked"] > 0
    assert s["clicks_on_target"] == s["clicks_checked"], (r.dataset / "agreement_problems.txt").read_text()
    assert s["texts_exact"] == s["texts_checked"]
    ds = read_dataset(r.dataset)
    misses = ds.actions.filter(pc.equal(ds.actions.column("outcome"), "miss_corrected"))
    for a in misses.to_pylist():  # a labelled miss is still followed by a press on the target
        assert a["box_w"] > 0


@pytest.mark.parametrize("name", WEB_SCENARIOS)
def test_events_are_sent_at_their_deadlines(web_runs, name):
    """Each awaited move costs Chromium a frame, so the driver sends at absolute deadlines and coalesces a move
    that fell a sample behind (tests/live.py says what is asserted and why)."""
    r = web_runs[name]
    late = assert_sent_on_deadlines(r.dataset)
    assert len(late) == r.stats["dispatched_events"] > 0, r.stats


def test_page_received_every_press_and_key(web_runs):
    ds = read_dataset(web_runs["checkout_form"].dataset)
    actions = ds.actions.to_pylist()
    sent = ds.events.to_pylist()
    got = ds.received.column("type").to_pylist()
    for kind in ("down", "up"):
        assert got.count(kind) == sum(e["type"] == kind for e in sent), kind
    # Keys pressed while a native <select>'s popup is open go to the popup, not the page: only those may be missing.
    in_select = {a["action_id"] for a in actions
                 if a["parent_id"] is not None and actions[a["parent_id"]]["kind"] == "select"}
    for kind in ("key_down", "key_up"):
        n_sent = sum(e["type"] == kind for e in sent)
        n_select = sum(e["type"] == kind and e["action_id"] in in_select for e in sent)
        assert n_sent - n_select <= got.count(kind) <= n_sent, kind
    # received timestamps (the page's clock) follow the planned ones within a frame or two; one press may meet a
    # stall of the machine's (CI: one of 30 presses 54 ms late, the rest 0.8-2.4 ms, three sessions on two cores)
    ev = ds.events.filter(pc.equal(ds.events.column("type"), "down")).column("t_ms").to_numpy()
    rc = ds.received.filter(pc.equal(ds.received.column("type"), "down")).column("t_ms").to_numpy()
    late = abs(rc - ev)
    assert np.median(late) < 17.0 and (late >= 50.0).sum() <= 1 and late.max() < 250.0, late


def test_final_state_and_screenshots(web_runs):
    r = web_runs["checkout_form"]
    ds = read_dataset(r.dataset)
    state = json.loads((r.dataset / "final_state.json").read_text())["s00000"]
    typed = {a["target_name"]: a["text_intended"] for a in ds.actions.to_pylist() if a["kind"] == "type"}
    assert typed["City"] in json.dumps(state)
    kinds = set(ds.frames.column("kind").to_pylist())
    assert {"before", "after"} <= kinds


def test_every_field_the_page_keeps_private_is_labelled_sensitive(web_runs):
    """The ground truth marks what capture.js masks (password, autocomplete=cc-number, [data-private]),
    so an audit expects those keys masked and looks for their values as leaks."""
    ds = read_dataset(web_runs["checkout_form"].dataset)
    typed = {a["target_name"]: json.loads(a["params"]) for a in ds.actions.to_pylist() if a["kind"] == "type"}
    assert {n for n, p in typed.items() if p.get("sensitive")} == {"Password", "Card number", "Delivery notes"}
