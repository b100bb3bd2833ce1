"""Fixtures for the demo apps: served builds, the real Chromium, and an Xvfb display."""

from __future__ import annotations

import os
import shutil
from typing import Iterator

import pytest

from scenarios.apps.web.server import serve
from simulator.drivers.browser import launch_chromium
from simulator.drivers.xdisplay import xvfb_display

@pytest.fixture(scope="session")
def app_v1() -> Iterator[str]:
    with serve("v1") as srv:
        yield srv.url


@pytest.fixture(scope="session")
def app_v2() -> Iterator[str]:
    with serve("v2") as srv:
        yield srv.url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = launch_chromium(pw)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh context per test (its own sessionStorage), with page errors collected and asserted absent."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield pg
    ctx.close()
    assert not errors, f"the page reported errors: {errors}"


@pytest.fixture(scope="module")
def xdisplay(tmp_path_factory) -> Iterator[dict[str, str]]:
    """An Xvfb display of our own (environment for subprocesses: DISPLAY + an existing, empty XAUTHORITY)."""
    for tool in ("Xvfb", "xdotool"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed (apt-get install xvfb xdotool)")
    xauth = tmp_path_factory.mktemp("x") / "Xauthority"
    xauth.touch()
    with xvfb_display() as display:
        yield {**os.environ, "DISPLAY": display, "XAUTHORITY": str(xauth)}
