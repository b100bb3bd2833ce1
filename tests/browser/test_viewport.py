"""A browser run's page size is what --viewport asks for; other drivers refuse it in one line."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from simulator.drivers.browser import BrowserDriver
from tests.helpers import hcisim, one_line_error

pytestmark = pytest.mark.browser


def test_the_page_and_its_screenshots_have_the_asked_size():
    d = BrowserDriver(viewport=(1024, 700))
    try:
        d.start_session("s")
        d.page.set_content("<p>hello</p>")
        assert d.page.evaluate("[innerWidth, innerHeight]") == [1024, 700]
        assert Image.open(io.BytesIO(d.screenshot())).size == (1024, 700)
        d.end_session()
    finally:
        d.close()


def test_viewport_is_for_browser_runs_and_checked(tmp_path):
    one_line_error(hcisim("run", "login", "--viewport", "1024x700", "--out", tmp_path / "o"),
                   "--viewport applies to browser runs", code=2)
    one_line_error(hcisim("run", "login", "--driver", "browser", "--viewport", "wide", "--out", tmp_path / "b"),
                   "expected WIDTHxHEIGHT", code=2)
    assert not (tmp_path / "o").exists() and not (tmp_path / "b").exists()
