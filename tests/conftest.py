from __future__ import annotations

from pathlib import Path

import pytest

from simulator.profiles import SHARED_DATA


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by mark
def pytest_collection_modifyitems(config, items):
    """A test that uses the real-time sessions (tests/live.py) is marked `live`: `make test` runs those in one
    process of their own, first in line for the CPU (scripts/run_tests.py) -- their sessions' dispatch timing is
    asserted, and in the parallel run each worker would make all the sessions again beside the other workers'
    tests."""
    for item in items:
        if "live_runs" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.live)


@pytest.fixture(autouse=True)
def _no_stop_request(monkeypatch):
    """A stop request (and its note) is process state: one test's interrupt must not make the next test's
    failures look like interrupts."""
    from simulator import stop

    monkeypatch.setattr(stop, "_signal", None)
    monkeypatch.setattr(stop, "_note", None)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The recorded human data beside the clone (CI puts ../shared there)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"recorded data not found at {SHARED_DATA}: clone the project beside shared/")
    return SHARED_DATA


@pytest.fixture(scope="session")
def live_runs(request, tmp_path_factory):
    """The real-time sessions the selected tests use, made side by side once (tests/live.py)."""
    from tests import live

    names: set[str] = set()
    for item in request.session.items:
        names.update(getattr(item, "fixturenames", ()))
    root = tmp_path_factory.mktemp("live")
    for sub in ("web", "desktop"):
        (root / sub).mkdir()
    return live.make(root, *live.needed(names))


@pytest.fixture(scope="session")
def web_runs(live_runs):
    return live_runs.web


@pytest.fixture(scope="session")
def desktop_run(live_runs):
    return live_runs.desktop
