"""Locators are strict in every driver, as Playwright's are: several matches are an error naming how many, and
``.first`` / ``.nth(i)`` say which one is meant. Offline the layout snapshot carries what the browser counted."""

import json

import pytest

from simulator import locate
from simulator.drivers.offline import LayoutRecorder, OfflineDriver
from simulator.errors import HcisimError, NotServed
from simulator.locate import Ambiguous
from simulator.rng import session_seed
from simulator.scenario import Actor
from tests.helpers import hcisim, one_line_error
from tests.runner.fakes import FakeModels
from tests.runner.test_actor_offline import LAYOUT, element, inspected


def test_a_chosen_match_is_written_in_playwright_s_syntax_and_read_back():
    delete = locate.role("button", "Delete")
    assert str(delete) == 'role=button[name="Delete"]'  # unchosen: as datasets and snapshots have always had it
    assert str(delete.nth(1)) == 'role=button[name="Delete"] >> nth=1'
    assert delete.first == delete.nth(0) and delete.nth(2).every == delete
    for loc in (delete.nth(1), locate.css("li.card").first, locate.text("Save", exact=True).nth(3)):
        assert locate.parse(str(loc)).describe() == loc.describe()
    with pytest.raises(ValueError, match="nth counts matches from 0"):
        delete.nth(-1)


def strict_layout():
    """LAYOUT with two Delete buttons (the live run counted them), the second one chosen by a step, and a field
    the live run only ever saw hidden."""
    data = json.loads(json.dumps(LAYOUT))
    page = data["pages"]["/form"]
    page['role=button[name="Delete"]'] = element("/form", 300.0, kind="button", name="Delete", selector="#d1",
                                                 matches=2)
    page['role=button[name="Delete"] >> nth=1'] = element("/form", 350.0, kind="button", name="Delete",
                                                          selector="#d2")
    page['css=#secret'] = element("/form", 400.0, name="Secret", selector="#secret", hidden=True)
    return data


def offline_actor(layout):
    driver = OfflineDriver(layout)
    driver.start_session("s0")
    actor = Actor(driver, FakeModels(), session_seed(1, 0), "s0", base_url="http://x")
    actor.goto("/form")
    return actor


def test_offline_a_locator_the_browser_saw_match_several_elements_is_refused_and_nth_picks_one():
    actor = offline_actor(strict_layout())
    with pytest.raises(Ambiguous, match=r'^role=button\[name="Delete"\] matches 2 elements on /form \(layout '
                                        r'snapshot\): say which one with \.first or \.nth\(i\)'):
        actor.click(locate.role("button", "Delete"))
    actor.click(locate.role("button", "Delete").nth(1))
    click = actor.rec.actions[-1]
    assert click["target_selector"] == 'role=button[name="Delete"] >> nth=1 | css=#d2'
    assert click["box_y"] == 350.0


def test_offline_an_element_never_seen_visible_fails_as_the_browser_does():
    """The browser waits for a hidden match to show and then fails; offline acted on it."""
    actor = offline_actor(strict_layout())
    with pytest.raises(HcisimError, match=r"^css=#secret matches 1 element\(s\), none visible on /form"):
        actor.type(locate.css("#secret"), "x")


def test_the_recorder_counts_the_elements_one_sweep_finds_under_a_locator():
    rec = LayoutRecorder((1280, 800))
    save = dict(kind="button", role="button", name="Save", text="Save", id=None)
    rec.record_page([inspected(100.0, selector="#a", **save), inspected(200.0, selector="#b", **save),
                     inspected(300.0, hidden=True, selector="#c", **save),
                     inspected(400.0, kind="button", role="button", name="Delete", text="Delete", selector="#d",
                               id="d")])
    page = rec.pages["/index.html"]
    # get_by_role leaves hidden elements out, get_by_text counts them (Playwright's rule)
    assert page['role=button[name="Save"]']["matches"] == 2 and page['role="button"']['matches'] == 3
    assert page['text="Save"']["matches"] == 3
    assert "matches" not in page['role=button[name="Delete"]'] and "matches" not in page["css=#d"]
    assert "hidden" not in page['text="Save"']  # the first one seen, visible
    # a step's own locator matched one element when it acted (the live run is strict): no count is kept for it
    rec.record(locate.role("button", "Save", exact=True), inspected(100.0, selector="#a", **save))
    rec.record_page([inspected(100.0, selector="#a", **save), inspected(200.0, selector="#b", **save)])
    assert "matches" not in page['role=button[name="Save"]']


def test_the_recorder_keeps_a_visible_sighting_over_a_hidden_one():
    """A closed list's options, seen hidden first, are where they showed once opened."""
    rec = LayoutRecorder((1280, 800))
    option = dict(kind="option", role="option", name="French", text="French", selector="#fr", id="fr")
    rec.record_page([inspected(0.0, hidden=True, **option)])
    page = rec.pages["/index.html"]
    assert page["css=#fr"]["hidden"] and 'role=option[name="French"]' not in page
    rec.record_page([inspected(240.0, **option)])
    assert "hidden" not in page["css=#fr"] and page["css=#fr"]["doc_box"][1] == 240.0
    assert page['role=option[name="French"]']["doc_box"][1] == 240.0


def test_an_ambiguous_locator_ends_the_run_in_one_line_with_its_step_and_script_line(tmp_path):
    layout = tmp_path / "app.layout.json"
    layout.write_text(json.dumps(strict_layout()))
    script = tmp_path / "mine.py"
    script.write_text('"""Delete one."""\nfrom simulator.locate import label, role\nAPP = None\nSTART = "/form"\n\n'
                      'def run(s):\n    s.type(label("Name"), "Ann")\n    s.click(role("button", "Delete"))\n')
    r = hcisim("run", script, "--layout", layout, "--out", tmp_path / "o")
    one_line_error(r, 'session s00000, step 2: role=button[name="Delete"] matches 2 elements on /form (layout '
                      'snapshot): say which one with .first or .nth(i) (from 0), or name it more closely '
                      '(mine.py, line 8)', code=2)
    assert not (tmp_path / "o").exists()


def test_the_desktop_driver_is_strict_and_nth_picks_a_widget(tmp_path, monkeypatch):
    """The desktop driver took the first widget a locator matched: "Item 1" pressed Item 10 of the list."""
    from simulator.drivers import desktop
    from simulator.drivers.desktop import DesktopDriver

    monkeypatch.setattr(desktop, "LOCATE_TIMEOUT_S", 0.2)  # how long a widget that is not there is waited for

    driver = object.__new__(DesktopDriver)
    driver._state_file = tmp_path / "state.json"
    driver._state_file.write_text(json.dumps({
        "writes": 1, "widgets": {"list": {"x": 10, "y": 100, "w": 200, "h": 300}},
        "list": {"row_height": 20, "items": [f"Item {k:02d}" for k in range(1, 13)], "rows_y": 102,
                 "first_visible": 0, "rows_x": 12}}))
    with pytest.raises(Ambiguous, match=r'^role=option\[name="Item 1"\] matches 3 elements in the desktop app'):
        driver.locate(locate.role("option", "Item 1"))
    assert driver.locate(locate.role("option", "Item 1").nth(1)).text == "Item 11"
    # an option of the list (the app's one list): not of a widget that is no list
    assert driver.locate(locate.role("listbox", "Items").option("Item 11")).text == "Item 11"
    with pytest.raises(HcisimError, match=r'^role=button\[name="Items"\] >> role=option\[name="Item 11"s\] matches no'):
        driver.locate(locate.role("button", "Items").option("Item 11"))


def test_exact_is_written_as_playwright_writes_it_and_old_forms_read_as_before():
    letter = locate.label("Letter", exact=True)
    assert str(letter) == 'label="Letter"s' and locate.parse(str(letter)) == letter
    assert locate.parse('label="Letter"') == locate.label("Letter")  # a dataset written before: not exact
    assert str(locate.role("option", "France", exact=True)) == 'role=option[name="France"s]'
    assert locate.parse('role=button[name="Log in"]') == locate.role("button", "Log in")
    country = locate.label("Country").option("France")
    assert str(country) == 'label="Country" >> role=option[name="France"s]' and locate.parse(str(country)) == country
    assert str(locate.testid("go")) == 'testid="go"' and locate.parse('css=div >> span') == locate.css("div >> span")
    assert locate.parse(str(locate.css("#lang").option("Dutch"))) == locate.css("#lang").option("Dutch")
    # a layout snapshot keeps elements under their whole name: an exact locator finds them as before
    actor = offline_actor(strict_layout())
    actor.click(locate.role("button", "Delete", exact=True).nth(1))
    assert actor.rec.actions[-1]["target_selector"] == 'role=button[name="Delete"s] >> nth=1 | css=#d2'


@pytest.mark.parametrize("make", [lambda: Ambiguous(locate.role("button", "Delete"), 2, "on /form"),
                                  lambda: NotServed("http://localhost/app", 404),
                                  lambda: HcisimError("a plain one")])
def test_errors_cross_from_a_worker_process_whole(make):
    """A worker's exception is pickled to the engine: an Ambiguous or NotServed raised there unwrapped (run_session
    wraps them today) would come back as "the worker's answer could not be read: __init__() missing ... positional
    argument(s)", a failure retried as bad luck."""
    import pickle

    err = make()
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is type(err) and str(back) == str(err) and vars(back) == vars(err)
