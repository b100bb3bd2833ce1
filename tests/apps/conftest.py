"""Fixtures for the demo apps: served builds, the real Chromium, and an Xvfb display."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

from scenarios.apps.web.server import serve

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


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

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is not installed (apt-get install chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
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


def _free_display() -> int:
    for n in range(140, 240):
        if not Path(f"/tmp/.X{n}-lock").exists() and not Path(f"/tmp/.X11-unix/X{n}").exists():
            return n
    raise RuntimeError("no free X display number in :140-:239")


@pytest.fixture(scope="module")
def xdisplay(tmp_path_factory) -> Iterator[dict[str, str]]:
    """An Xvfb display of our own (environment for subprocesses: DISPLAY + an existing, empty XAUTHORITY)."""
    for tool in ("Xvfb", "xdotool"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed (apt-get install xvfb xdotool)")
    xauth = tmp_path_factory.mktemp("x") / "Xauthority"
    xauth.touch()
    for _attempt in range(3):  # another process may grab the same number between the check and the start
        n = _free_display()
        proc = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None and not Path(f"/tmp/.X11-unix/X{n}").exists():
            time.sleep(0.05)
        if proc.poll() is None and Path(f"/tmp/.X11-unix/X{n}").exists():
            break
        proc.kill()
        proc.wait()
    else:
        pytest.fail("could not start Xvfb")
    env = {**os.environ, "DISPLAY": f":{n}", "XAUTHORITY": str(xauth)}
    try:
        yield env
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
