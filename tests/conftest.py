from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


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
