import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from simulator.dataset import SCHEMAS, read_dataset, validate_dataset
from tests.dataset.sample import sample_tables, write_sample


@pytest.mark.parametrize("storage", ["parquet", "jsonl"])
def test_all_tables_round_trip(tmp_path, storage):
    root = write_sample(tmp_path / "ds", storage)
    ds = read_dataset(root)
    expected = sample_tables()
    for name in ("events", "actions", "frames"):
        table = getattr(ds, name)
        assert table.schema == SCHEMAS[name]
        rows = table.to_pylist()
        assert len(rows) == len(expected[name])
        for got, want in zip(rows, expected[name]):
            for key, value in want.items():
                assert got[key] == value, (name, key)
            # columns the writer was not given come back as nulls
            assert all(got[k] is None for k in got if k not in want)
    assert ds.sessions == ["s0", "s1"]
    assert validate_dataset(root) == []


def test_manifest_records_checksums_and_rows(tmp_path):
    root = write_sample(tmp_path / "ds")
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["format_version"] == "1.0"
    assert manifest["files"]["events.parquet"]["rows"] == 28
    assert set(manifest["files"]) == {"events.parquet", "actions.parquet", "frames.parquet",
                                      "frames/s0/000000.png", "frames/s1/000000.png"}
    assert pq.read_table(root / "events.parquet").num_rows == 28


@pytest.mark.parametrize("storage", ["parquet", "jsonl"])
def test_same_input_same_bytes(tmp_path, storage):
    a = write_sample(tmp_path / "a", storage)
    b = write_sample(tmp_path / "b", storage)
    files = [p.relative_to(a) for p in a.rglob("*") if p.is_file() and p.name != "manifest.json"]
    assert files
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_refuses_to_overwrite_without_permission(tmp_path):
    from simulator.errors import HcisimError

    root = write_sample(tmp_path / "ds")
    with pytest.raises(HcisimError, match="already exists"):
        write_sample(root)


def test_overwrite_replaces_datasets_and_empty_folders_only(tmp_path, monkeypatch):
    """--overwrite must never cost someone a folder that is not a dataset (a project, a thesis) or a file."""
    from simulator.errors import HcisimError

    root = write_sample(tmp_path / "ds")
    write_sample(root, overwrite=True)  # a dataset is replaced
    assert validate_dataset(root) == [] and not list(tmp_path.glob(".ds.*"))
    empty = tmp_path / "empty"
    empty.mkdir()
    assert validate_dataset(write_sample(empty)) == []  # an empty folder (mktemp -d) is taken as it is
    project = tmp_path / "project"
    (project / "src").mkdir(parents=True)
    (project / "src" / "main.py").write_text("code")
    note = tmp_path / "note.txt"
    note.write_text("words")
    for precious in (project, note):
        with pytest.raises(HcisimError, match="is not a dataset"):
            write_sample(precious, overwrite=True)
    assert (project / "src" / "main.py").read_text() == "code" and note.read_text() == "words"
    monkeypatch.chdir(project / "src")
    for here in (".", "..", project / "src", "/"):
        with pytest.raises(HcisimError, match="working folder or one above it"):
            write_sample(Path(here), overwrite=True)
    assert (project / "src" / "main.py").read_text() == "code"
    assert sorted(p.name for p in project.iterdir()) == ["src"]  # no staging or temporary folders left
