"""pytest plugin registered by hcisim (entry point ``pytest11``).

``hcisim_dataset(scenario, sessions=1, seed=0, driver="offline", ...)`` returns
a `Dataset`, generating it once per key -- the scenario script's and layout
snapshot's content (an edited script is new data), seed, sessions, driver,
locale, keyboard, app URL, hcisim version and the profiles' hashes -- into pytest's
cache directory, so
a second test run (or a second test asking for the same data, in this process or another) reuses it; an entry
damaged since (a file changed, cut short or lost, its manifest too) is made again. A cache that cannot be
written (a read-only mount of a CI cache) still serves the whole entries it holds; the others are made in the
session's temporary directory. With the
cache plugin turned off (``-p no:cacheprovider``, as read-only checkouts run) the
datasets go to the session's temporary directory: reused within the run only.
A relative script, layout or profile file path is taken from the working folder, else from the test file's folder;
``url`` is the app of a live (``driver="browser"``) run of your own scenario, as ``hcisim run --url``.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Callable

import pytest


def dataset_key(scenario: str, sessions: int, seed: int, driver: str, profile: str, typing_profile: str,
                layout: str | None = None, locale: str | None = None, keyboard: str | None = None,
                url: str | None = None) -> str:
    """What the data is made from, by content: an edited scenario script or layout snapshot is new data."""
    from simulator import __version__, mouse, typing as typing_model
    from simulator.dataset.storage import sha256_file
    from simulator.sessions import default_layout
    from simulator.scenario import load_scenario

    script = load_scenario(scenario).path
    lay = Path(layout) if layout else default_layout(script.stem)
    ident = {
        "scenario": sha256_file(script), "layout": sha256_file(lay) if lay.is_file() else None,
        "sessions": sessions, "seed": seed, "driver": driver, "version": __version__, "locale": locale,
        "keyboard": keyboard, "url": url,
        "mouse": mouse.load_profile(profile).sha256, "typing": typing_model.load_profile(typing_profile).sha256,
    }
    return hashlib.sha256(json.dumps(ident, sort_keys=True).encode()).hexdigest()[:20]


def _damaged(path: Path) -> bool:
    """Whether the cached dataset at ``path`` is missing or not as written."""
    from simulator.dataset import validate_dataset

    return not (path / "manifest.json").is_file() or bool(validate_dataset(path))


def _writable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(folder, os.W_OK)  # (False on a read-only mount, for root too)


def _made(path: Path, build: Callable[[Path], object]) -> Path:
    """``path``, made by ``build`` unless a whole dataset is there: one maker per entry, a second pytest process
    (xdist, a parallel CI job on one cache) waits and reuses it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _damaged(path):  # missing, or damaged since
            # the cache's own entry goes first: one whose manifest was lost or cut short is no dataset to
            # --overwrite, and every later run failed until the cache was cleared by hand
            shutil.rmtree(path, ignore_errors=True)
            build(path)
    return path


@pytest.fixture
def hcisim_dataset(request, tmp_path_factory) -> Callable[..., "object"]:
    from simulator.content import DEFAULT_LOCALE
    from simulator.dataset import read_dataset
    from simulator.mouse.profile import SHIPPED as MOUSE_SHIPPED
    from simulator.runner import RunConfig, run
    from simulator.typing.profile import SHIPPED as TYPING_SHIPPED

    spare = tmp_path_factory.getbasetemp() / "hcisim-datasets"
    store = getattr(request.config, "cache", None)
    try:
        cache = Path(store.mkdir("hcisim-datasets")) if store is not None else spare
    except OSError:  # a read-only cache that has no datasets yet
        cache = spare

    def beside_test(name: str | Path | None) -> str | None:
        """A relative script, layout or profile path as given (from the working folder), else beside the test
        file: pytest run from elsewhere (``pytest tests/test_x.py`` from the project's parent) found none."""
        if name is None:
            return None
        if Path(name).is_absolute() or Path(name).exists():
            return str(name)
        here = Path(str(request.node.fspath)).parent / name
        return str(here) if here.exists() else str(name)

    def make(scenario: str, sessions: int = 1, seed: int = 0, driver: str = "offline",
             profile: str = "sapimouse", typing_profile: str = "aalto", layout: str | Path | None = None,
             locale: str = DEFAULT_LOCALE, keyboard: str | None = None, url: str | None = None):
        if scenario.endswith(".py"):  # a script's path; a bare name is a bundled scenario
            scenario = beside_test(scenario)
        layout = beside_test(layout)
        # a profile file (`hcisim fit` writes one) is found as a script is; a shipped name stays a name
        profile = profile if str(profile) in MOUSE_SHIPPED else beside_test(profile)
        typing_profile = typing_profile if str(typing_profile) in TYPING_SHIPPED else beside_test(typing_profile)
        key = dataset_key(scenario, sessions, seed, driver, profile, typing_profile, layout, locale, keyboard, url)
        name = f"{Path(scenario).stem}-{key}"

        def build(path: Path) -> None:
            run(RunConfig(scenario=scenario, driver=driver, sessions=sessions, seed=seed, out=path,
                          mouse_profile=profile, typing_profile=typing_profile, overwrite=True,
                          layout=Path(layout) if layout else None, locale=locale, keyboard=keyboard, url=url,
                          command=["pytest", "hcisim_dataset"]))

        if cache == spare or _writable(cache):
            return read_dataset(_made(cache / name, build))
        if not _damaged(cache / name):  # a read-only cache (a CI cache mounted read-only) serves what it holds
            return read_dataset(cache / name)
        return read_dataset(_made(spare / name, build))  # and what it lacks is made for this session

    return make
