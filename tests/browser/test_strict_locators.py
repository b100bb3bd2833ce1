"""In the real Chromium, a locator matching several elements is an error naming how many (Playwright's strict
mode), ``.nth(i)`` picks one, and one whose only match is hidden fails after waiting; the layout snapshot the run
saves makes the offline driver say the same of each."""

import contextlib

import pytest

from simulator import locate
from simulator.drivers import browser
from simulator.drivers.browser import BrowserDriver
from simulator.drivers.offline import LAYOUT_VERSION, LayoutRecorder, OfflineDriver
from simulator.errors import HcisimError
from simulator.locate import Ambiguous
from tests.helpers import serve_folder

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><title>Cards</title>
<ul><li>Write report <button>Delete</button></li><li>Fix the login bug <button>Delete</button></li></ul>
<button id="archive" style="visibility:hidden">Archive all</button>
<button id="save">Save</button>"""


def test_the_browser_and_the_snapshot_it_saves_are_strict_alike(tmp_path, monkeypatch):
    monkeypatch.setattr(browser, "LOCATE_TIMEOUT_MS", 500)  # how long a hidden match is waited for
    (tmp_path / "cards.html").write_text(PAGE)
    delete, archived = locate.role("button", "Delete"), locate.text("Archive all")
    recorder = LayoutRecorder((1280, 800))
    with serve_folder(tmp_path) as url, contextlib.closing(BrowserDriver(layout_recorder=recorder)) as driver:
        driver.start_session("s0")
        driver.goto(f"{url}/cards.html")
        with pytest.raises(Ambiguous, match=rf'^role=button\[name="Delete"\] matches 2 elements on {url}/cards.html: '
                                            r"say which one with \.first or \.nth\(i\)"):
            driver.locate(delete)
        first, second = driver.locate(delete.first), driver.locate(delete.nth(1))
        assert second.box.y > first.box.y
        with pytest.raises(HcisimError, match=r'^role=button\[name="Delete"\] >> nth=2 matches nothing on .* '
                                              r'\(role=button\[name="Delete"\] matches 2\)'):
            driver.locate(delete.nth(2))
        with pytest.raises(HcisimError, match=r'^text="Archive all" matches 1 element\(s\), none visible on '):
            driver.locate(archived)
        driver.end_session()
    offline = OfflineDriver({"version": LAYOUT_VERSION, "viewport": [1280, 800], "pages": recorder.pages})
    offline.goto("/cards.html")
    with pytest.raises(Ambiguous, match=r'^role=button\[name="Delete"\] matches 2 elements on /cards.html'):
        offline.locate(delete)
    assert offline.locate(delete.nth(1)).box.y == second.box.y
    with pytest.raises(HcisimError, match=r'^text="Archive all" matches 1 element\(s\), none visible on /cards.html'):
        offline.locate(archived)


def test_the_css_path_of_a_deep_element_is_its_own():
    """The recorded CSS path stopped eight levels up: two look-alike sections deeper than that gave their buttons
    one path, and a replay by that path (strict now) failed as ambiguous on the page it was recorded on."""
    deep = "<div>" * 9 + "<button>Go</button>" + "</div>" * 9
    page = f"<!doctype html><title>Deep</title><section>{deep}</section><section>{deep}</section>"
    with contextlib.closing(BrowserDriver()) as driver:
        driver.start_session("s0")
        driver.page.set_content(page)
        target = driver.locate(locate.role("button", "Go").nth(1))
        assert driver.page.locator(target.selector).count() == 1
        assert driver.locate(locate.css(target.selector)).box == target.box  # the second button, strict and found
