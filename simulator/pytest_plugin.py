"""pytest plugin registered by hcisim (entry point ``pytest11``).

``hcisim_dataset(scenario, sessions=1, seed=0, driver="offline", ...)`` returns
a `Dataset`, generating it once per key -- scenario, seed, sessions, driver,
hcisim version and the profiles' hashes -- into pytest's cache directory, so
a second test run (or a second test asking for the same data) reuses it. With the
cache plugin turned off (``-p no:cacheprovider``, as read-only checkouts run) the
datasets go to the session's temporary directory: reused within the run only.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable

import pytest


def dataset_key(scenario: str, sessions: int, seed: int, driver: str, profile: str, typing_profile: str) -> str:
    from simulator import __version__, mouse, typing as typing_model

    ident = {
        "scenario": scenario, "sessions": sessions, "seed": seed, "driver": driver, "version": __version__,
        "mouse": mouse.load_profile(profile).sha256, "typing": typing_model.load_profile(typing_profile).sha256,
    }
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:20]


@pytest.fixture
def hcisim_dataset(request, tmp_path_factory) -> Callable[..., "object"]:
    from simulator.dataset import read_dataset
    from simulator.runner import RunConfig, run

    store = getattr(request.config, "cache", None)
    if store is not None:
        cache = Path(store.mkdir("hcisim-datasets"))
    else:
        cache = tmp_path_factory.getbasetemp() / "hcisim-datasets"

    def make(scenario: str, sessions: int = 1, seed: int = 0, driver: str = "offline",
             profile: str = "sapimouse", typing_profile: str = "aalto"):
        path = cache / f"{Path(scenario).stem}-{dataset_key(scenario, sessions, seed, driver, profile, typing_profile)}"
        if not (path / "manifest.json").is_file():
            run(RunConfig(scenario=scenario, driver=driver, sessions=sessions, seed=seed, out=path,
                          mouse_profile=profile, typing_profile=typing_profile, overwrite=True,
                          command=["pytest", "hcisim_dataset"]))
        return read_dataset(path)

    return make
