"""Offline, a step acts on the page the scenario went to, as the live run did: with the same field on two pages of
an app, and with the app under a folder of its address (``--url http://host/app``)."""

import json

import pytest

from simulator import locate
from simulator.dataset import read_dataset
from simulator.drivers.offline import LayoutRecorder, OfflineDriver, load_layout
from simulator.errors import HcisimError
from simulator.rng import session_seed
from simulator.runner import RunConfig, run
from simulator.scenario import Actor
from simulator.sessions import SessionRunner
from tests.helpers import serve_folder
from tests.runner.fakes import FakeModels
from tests.runner.test_actor_offline import element


def two_pages(prefix=""):
    """A sign-up page and a profile page, each with an Email field, at different heights."""
    return {"version": 2, "viewport": [1280, 800], "pages": {
        f"{prefix}/profile.html": {'label="Email"': element(f"{prefix}/profile.html", 400.0, name="Email")},
        f"{prefix}/signup.html": {'label="Email"': element(f"{prefix}/signup.html", 120.0, name="Email")}}}


def test_a_field_is_taken_from_the_page_the_script_went_to():
    """After s.goto, the first page of the snapshot that had the locator was taken (the profile's Email for the
    sign-up page's)."""
    driver = OfflineDriver(two_pages())
    driver.start_session("s0")
    actor = Actor(driver, FakeModels(), session_seed(1, 0), "s0", base_url="http://x")
    for page in ("/signup.html", "/profile.html", "/signup.html"):
        actor.goto(page)
        actor.type(locate.label("Email"), "a@b.c")
    assert [a["box_y"] for a in actor.rec.actions if a["kind"] == "type"] == [120.0, 400.0, 120.0]


SCRIPT = '''"""Sign up, then the profile."""
from simulator.locate import label
APP = None
START = "signup.html"

def run(s):
    s.type(label("Email"), "a@b.c")
    s.goto("profile.html")
    s.type(label("Email"), "a@b.c")
'''


def test_an_app_under_a_folder_of_its_address_is_played_offline_where_the_live_run_was(tmp_path):
    """Live with --url http://host/app the pages are /app/signup.html ...; offline START opened /signup.html, a
    page the snapshot does not have, and the profile's field was typed into for the sign-up page's."""
    (tmp_path / "mine.py").write_text(SCRIPT)
    (tmp_path / "app.layout.json").write_text(json.dumps({**two_pages("/app"), "base": "/app"}))
    run(RunConfig(scenario=str(tmp_path / "mine.py"), driver="offline", layout=tmp_path / "app.layout.json",
                  out=tmp_path / "o", command=["t"]))
    typed = [a for a in read_dataset(tmp_path / "o").actions.to_pylist() if a["kind"] == "type"]
    assert [a["box_y"] for a in typed] == [120.0, 400.0]


class _NoBrowser:
    """Stands in for the browser driver: this test is of what the run gives the layout recorder."""

    def __init__(self, **kwargs):
        pass

    def close(self):
        pass


def test_a_live_run_saves_the_path_of_its_app_s_address_with_the_layout(tmp_path, monkeypatch):
    monkeypatch.setattr("simulator.drivers.browser.BrowserDriver", _NoBrowser)
    (tmp_path / "mine.py").write_text(SCRIPT)
    with serve_folder(tmp_path) as origin:  # something answers there: the address is checked before a browser
        cfg = RunConfig(scenario=str(tmp_path / "mine.py"), driver="browser", url=f"{origin}/app/",
                        save_layout=tmp_path / "l.json")
        runner = SessionRunner(cfg)
        runner.close(save_layout=True)
    assert load_layout(tmp_path / "l.json")["base"] == "/app"
    at_root = LayoutRecorder((1280, 800))  # an app served at / writes none: its snapshots read as they did
    at_root.save(tmp_path / "root.json")
    assert "base" not in json.loads((tmp_path / "root.json").read_text())


def test_a_base_that_is_no_path_is_a_damaged_snapshot(tmp_path):
    """Joined to START as it is, "app" would open http://app.invalidapp/signup.html."""
    path = tmp_path / "l.json"
    path.write_text(json.dumps({**two_pages("/app"), "base": "app"}))
    with pytest.raises(HcisimError, match="damaged layout snapshot: base must be the path of the app's address"):
        load_layout(path)
