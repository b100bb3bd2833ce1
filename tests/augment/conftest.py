"""Small slices of the shared data, imported once per test session (read at test time, never copied), and the
augments of them that several test files read."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from simulator.augment import augment_dataset, import_dataset
from simulator.augment.tasks import segment_numbers
from simulator.dataset import DatasetWriter, Manifest, read_dataset
from simulator.typing.splits import freetext_is_test




MOUSE_SUBJECTS = ("13", "25")
"""Two SapiMouse subjects outside the held-out set (numbers divisible by 4): 25 points fast, 13 slowly."""


@pytest.fixture(scope="session")
def mouse_ds(shared_data: Path, tmp_path_factory) -> Path:
    """The two subjects' 1-minute sessions (two people), seen through links so import reads only them."""
    base = tmp_path_factory.mktemp("imp")
    for s in MOUSE_SUBJECTS:
        (base / "view" / f"user{s}").mkdir(parents=True)
        (base / "view" / f"user{s}" / "session_1min.csv").symlink_to(
            shared_data / "sapimouse" / f"user{s}" / "session_1min.csv")
    import_dataset("sapimouse", base / "view", base / "mouse")
    return base / "mouse"


@pytest.fixture(scope="session")
def typing_ds(shared_data: Path, tmp_path_factory) -> Path:
    """Two free-text typists' Twitter logs (two people), without the segments held out of every fit."""
    base = tmp_path_factory.mktemp("imp")
    import_dataset("pynput", shared_data / "typing-free-text" / "Twitter", base / "all", sessions="t_0[15]")
    ds = read_dataset(base / "all")
    m = Manifest(driver="import", coordinate_space="screen_px", people=dict(ds.manifest.people))
    with DatasetWriter(base / "typing", m) as w:
        for sid in ds.sessions:
            ev = ds.events.filter(pc.equal(ds.events["session_id"], sid))
            seg = segment_numbers(ev)
            keep = [n for n in np.unique(seg) if not freetext_is_test(f"{sid}#{int(n)}")]
            ev = ev.filter(pa.array(np.isin(seg, keep)))
            w.add_session(sid, events=ev.set_column(1, "seq", pa.array(np.arange(ev.num_rows, dtype=np.int64))))
    return base / "typing"


@pytest.fixture(scope="session")
def same_out(mouse_ds, tmp_path_factory) -> Path:
    """``augment --factor 3 --people same --seed 5`` of the two subjects, made once: fitting is most of an augment's
    time, and what the output holds, what its guard kept out and how the same seed repeats it are read apart."""
    out = tmp_path_factory.mktemp("aug") / "same"
    augment_dataset(mouse_ds, out, factor=3, people="same", seed=5)
    return out


@pytest.fixture(scope="session")
def new_out(mouse_ds, tmp_path_factory) -> Path:
    """``augment --factor 3 --people new --seed 3`` of the two subjects (six new people), made once: whom it names,
    how its identity quota spread them and what its guard kept out are read apart."""
    out = tmp_path_factory.mktemp("aug") / "new"
    augment_dataset(mouse_ds, out, factor=3, people="new", seed=3)
    return out
