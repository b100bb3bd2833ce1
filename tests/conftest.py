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
