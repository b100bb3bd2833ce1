"""The runner's humanlike behaviour and labelling, with stand-in models and the offline driver."""

import json

import numpy as np
import pytest

from simulator import locate
from simulator.drivers.offline import OfflineDriver
from simulator.errors import HcisimError
from simulator.rng import session_seed
from simulator.sessions import events_table
from simulator.scenario import Actor
from tests.runner.fakes import FakeModels

VIEWPORT = [1280, 800]


def element(path, y, kind="input", name="Field", selector=None, **extra):
    e = {"path": path, "doc_box": [100.0, y, 200.0, 30.0], "container": None, "kind": kind, "role": "textbox",
         "name": name, "text": None, "selector": selector or f"#{name.lower()}", "options": [],
         "selected_index": -1, "checked": None, "words_on_screen": 10, "tab_prev": None, "page_max_scroll": 2000.0}
    e.update(extra)
    return e


LAYOUT = {
    "version": 2, "viewport": VIEWPORT,
    "pages": {"/form": {
        'label="Name"': element("/form", 100.0, name="Name"),
        'label="Email"': element("/form", 150.0, name="Email", tab_prev="#name"),
        'role=button[name="Submit"]': element("/form", 1900.0, kind="button", name="Submit"),
    }},
}


def make_actor(seed=1):
    driver = OfflineDriver(LAYOUT)
    driver.start_session("s0")
    return Actor(driver, FakeModels(), session_seed(seed, 0), "s0", base_url="http://x"), driver


def test_every_event_is_labelled_and_time_ordered():
    actor, _ = make_actor()
    actor.goto("/form")
    actor.type(locate.label("Name"), "Ann")
    actor.type(locate.label("Email"), "a@b.c")
    actor.click(locate.role("button", "Submit"))
    events, _ = events_table(actor.rec, "s0", live=False)
    t = events.column("t_ms").to_numpy()
    assert (np.diff(t) >= 0).all()
    known = {a["action_id"] for a in actor.rec.actions}
    assert set(events.column("action_id").to_pylist()) <= known
    kinds = [a["kind"] for a in actor.rec.actions if a["parent_id"] is None]
    assert kinds == ["navigate", "type", "type", "click"]
    typed = [e["key"] for e in events.to_pylist() if e["type"] == "key_down" and e["key"] != "Tab"]
    assert "".join(typed) == "Anna@b.c"


def test_target_below_the_fold_is_scrolled_into_view_with_the_wheel():
    actor, driver = make_actor()
    actor.goto("/form")
    actor.click(locate.role("button", "Submit"))
    events, _ = events_table(actor.rec, "s0", live=False)
    wheel = [e for e in events.to_pylist() if e["type"] == "wheel"]
    assert wheel and sum(e["dy"] for e in wheel) > 1000
    click = [a for a in actor.rec.actions if a["kind"] == "click"][0]
    # the press lands inside the target as it is on screen after scrolling
    down = [e for e in events.to_pylist() if e["type"] == "down"][0]
    assert click["box_y"] <= down["y"] <= click["box_y"] + click["box_h"]
    assert 0 <= click["box_y"] <= VIEWPORT[1]


def test_tabbing_between_fields_sometimes():
    outcomes = set()
    for seed in range(12):
        actor, _ = make_actor(seed)
        actor.goto("/form")
        actor.type(locate.label("Name"), "A")
        actor.type(locate.label("Email"), "b")
        outcomes.add([a for a in actor.rec.actions if a["kind"] == "type"][1]["outcome"])
    assert outcomes == {"ok", "tabbed"}


def test_same_seed_same_session():
    runs = []
    for _ in range(2):
        actor, _ = make_actor(5)
        actor.goto("/form")
        actor.type(locate.label("Name"), actor.fake.first_name())
        runs.append(events_table(actor.rec, "s0", live=False)[0])
    assert runs[0].equals(runs[1])


def test_text_typed_offline_at_what_takes_none_is_a_mismatch_as_in_the_browser():
    """Typing into a button offline was `ok` with the text typed; live, nothing lands there: text_mismatch."""
    actor, _ = make_actor()
    actor.goto("/form")
    actor.type(locate.role("button", "Submit"), "hello")
    actor.type(locate.label("Name"), "Ann")
    got = [(a["outcome"], a["text_typed"]) for a in actor.rec.actions if a["kind"] == "type"]
    assert got == [("text_mismatch", ""), ("ok", "Ann")]


def test_unknown_locator_names_itself():
    actor, _ = make_actor()
    with pytest.raises(HcisimError, match=r'role=button\[name="Nope"\] is not in the layout snapshot \(its pages: /'):
        actor.click(locate.role("button", "Nope"))
    # a page the snapshot does not have (another app's snapshot) is said, not only the element
    actor.goto("/index.html")
    with pytest.raises(HcisimError, match=r"which has no page /index.html \(its pages: .*\); was it saved from this"):
        actor.click(locate.label("Your name"))


def test_offline_runs_label_the_same_fields_sensitive_as_the_browser():
    """The layout snapshot keeps what inspect.js said of each field, so an offline checkout labels the card
    number and the private notes as the browser run does, not only the password."""
    from pathlib import Path

    from simulator.dataset import read_dataset

    ds = read_dataset(Path(__file__).resolve().parents[2] / "fixtures" / "checkout_form-offline")
    typed = [(a["target_name"], json.loads(a["params"]).get("sensitive", False))
             for a in ds.actions.to_pylist() if a["kind"] == "type"]
    assert {n for n, s in typed if s} == {"Password", "Card number", "Delivery notes"}
    assert {n for n, s in typed if not s} >= {"City", "Username"}


def test_a_page_path_joins_the_apps_address_with_or_without_its_slash():
    """START = "checkout.html" with --url http://host/app opened http://host/appcheckout.html (a 404)."""
    opened = []
    driver = OfflineDriver(LAYOUT)
    driver.goto = opened.append
    driver.start_session("s0")
    actor = Actor(driver, FakeModels(), session_seed(1, 0), "s0", base_url="http://host/app/")
    for page in ("checkout.html", "/checkout.html", "", "http://other/x"):
        actor.goto(page)
    assert opened == ["http://host/app/checkout.html", "http://host/app/checkout.html", "http://host/app/",
                      "http://other/x"]


@pytest.mark.parametrize("damage, said", [
    (lambda d: d.pop("viewport"), "viewport must be two positive sizes"),  # was a KeyError traceback
    (lambda d: d.update(viewport="big"), "viewport must be two positive sizes"),  # retried as bad luck, then
    # "ValueError: too many values to unpack"
    (lambda d: d["pages"].update({"/form": [1, 2]}), "page /form must map locators to elements"),
    (lambda d: d["pages"]["/form"]['label="Name"'].pop("kind"), 'element label="Name" of page /form lacks kind'),
    (lambda d: d["pages"]["/form"]['label="Name"'].update(doc_box=[0, 0, "x", None]),
     'element label="Name" of page /form: doc_box must be 4 finite numbers'),
    (lambda d: d["pages"]["/form"]['label="Name"'].update(doc_box=[float("nan")] * 4),
     'element label="Name" of page /form: doc_box must be 4 finite numbers'),
])
def test_a_damaged_layout_snapshot_is_one_line_before_any_session(tmp_path, damage, said):
    from simulator.drivers.offline import load_layout

    data = json.loads(json.dumps(LAYOUT))
    damage(data)
    path = tmp_path / "layout.json"
    path.write_text(json.dumps(data))
    with pytest.raises(HcisimError) as e:
        load_layout(path)
    assert str(e.value).startswith(f"{path}: damaged layout snapshot: {said}") and "\n" not in str(e.value)


def inspected(y, **extra):
    """An element as inspect.js describes it to the layout recorder."""
    info = {"path": "/index.html", "box": [8.0, y, 100.0, 17.0], "scrollY": 0.0, "containerScrollTop": 0.0,
            "containerSelector": None, "containerBox": None, "kind": "link", "role": "link",
            "name": "Go to help page", "text": "Go to help page", "selector": "#help", "label": None, "id": "help",
            "testid": None, "options": [], "selectedIndex": -1, "checked": None, "wordsOnScreen": 20,
            "tabPrev": None, "pageMaxScroll": 0.0}
    info.update(extra)
    return info


def test_a_saved_layout_has_an_element_where_the_step_acted_on_it_not_where_a_sweep_saw_it_before(tmp_path):
    from simulator.drivers.offline import LayoutRecorder, load_layout
    rec = LayoutRecorder((1280, 800))
    link = locate.role("link", "Go to help page")
    rec.record_page([inspected(305.875)])  # swept while an earlier step acted: a late result not shown yet
    rec.record(link, inspected(339.875))  # the result shown, the link moved down: where it was clicked
    rec.record_page([inspected(339.875)])
    rec.record(link, inspected(400.0))  # the same locator acted on again: the first place stays, as before
    rec.save(tmp_path / "l.json")
    page = load_layout(tmp_path / "l.json")["pages"]["/index.html"]
    assert page[link.describe()]["doc_box"][1] == 339.875
    assert page['css=#help']["doc_box"][1] == 305.875  # keys no step named keep what the sweep saw first


def test_a_step_located_custom_list_keeps_the_options_a_sweep_saw():
    from simulator.drivers.offline import LayoutRecorder
    rec = LayoutRecorder((1280, 800))
    combo = locate.role("combobox", "Colour")
    rec.record_page([inspected(188.0, kind="combobox", role="combobox", name="Colour", options=["Red", "Blue"])])
    rec.record(combo, inspected(190.0, kind="combobox", role="combobox", name="Colour"))
    entry = rec.pages["/index.html"][combo.describe()]
    assert entry["doc_box"][1] == 190.0 and entry["options"] == ["Red", "Blue"]


@pytest.mark.parametrize("call, said", [
    (lambda s: s.type("Name", "Ann"), "s.type takes a locator (label(...), role(...), text(...), css(...) from "
                                      "simulator.locate), not the str 'Name'"),
    (lambda s: s.type(locate.label("Name"), 42), "s.type takes a text (a str), not the int 42"),
    (lambda s: s.select(locate.label("Name"), 2), "s.select takes an option's text (a str), not the int 2"),
    (lambda s: s.click(("role", "button")), "s.click takes a locator"),
    (lambda s: s.drag(locate.label("Name"), "Email"), "s.drag takes a locator"),
])
def test_a_script_s_wrong_argument_is_refused_before_its_step_begins(call, said):
    """Live, a string locator ended in the browser driver's traceback ('str' object has no attribute 'by'), and a
    number to type was "text 0 is not a string but int" after the field had been clicked."""
    from simulator.scenario import ScriptCallError
    actor, _ = make_actor()
    actor.goto("/form")
    with pytest.raises(ScriptCallError, match=said.replace("(", r"\(").replace(")", r"\)")):
        call(actor)
    assert [a["kind"] for a in actor.rec.actions] == ["navigate"]
