import pytest

from simulator.dataset import DatasetWriter, validate_dataset
from tests.dataset.sample import sample_manifest, sample_tables, tiny_png, write_sample


class Boom(Exception):
    pass


def test_exception_inside_writer_leaves_nothing_complete_looking(tmp_path):
    out = tmp_path / "ds"
    tables = sample_tables()
    with pytest.raises(Boom):
        with DatasetWriter(out, sample_manifest()) as w:
            w.add_session("s0", events=[r for r in tables["events"] if r["session_id"] == "s0"])
            w.add_file("frames/s0/000000.png", tiny_png())
            raise Boom("killed mid-write")
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_failure_while_writing_tables_keeps_previous_dataset(tmp_path, monkeypatch):
    out = write_sample(tmp_path / "ds")
    before = (out / "manifest.json").read_text()
    import simulator.dataset.writer as writer

    def exploding_write(path, table, storage):
        raise Boom("disk full")

    monkeypatch.setattr(writer, "write_table", exploding_write)
    with pytest.raises(Boom):
        with DatasetWriter(out, sample_manifest(), overwrite=True) as w:
            w.add("events", sample_tables()["events"])
    assert (out / "manifest.json").read_text() == before
    assert validate_dataset(out) == []
    assert [p.name for p in tmp_path.iterdir()] == ["ds"]


def test_a_second_writer_leaves_a_live_writers_temp_folder_alone(tmp_path):
    """Two writers to one place: the second must not delete the first's work in progress; a dead
    process's leftover is cleared."""
    import subprocess
    import sys

    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        busy = tmp_path / f".ds.tmp-{live.pid}-aaaaaaaa"
        busy.mkdir()
        gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
        dead = tmp_path / f".ds.tmp-{int(gone.stdout)}-bbbbbbbb"
        dead.mkdir()
        write_sample(tmp_path / "ds")
        assert busy.exists()
        assert not dead.exists()
    finally:
        live.kill()
        live.wait()


def test_an_interrupted_write_takes_away_the_folders_it_made_and_only_those(tmp_path):
    """Ctrl-C during a long `augment --out new/deep/ds` left `new/deep/` behind, empty."""
    from simulator.atomic import atomic_path

    kept = tmp_path / "kept"
    kept.mkdir()
    with pytest.raises(KeyboardInterrupt):
        with DatasetWriter(kept / "new" / "deep" / "ds", sample_manifest()):
            raise KeyboardInterrupt
    with pytest.raises(Boom):
        with atomic_path(kept / "also" / "new.parquet"):
            raise Boom("killed mid-write")
    assert list(tmp_path.iterdir()) == [kept] and list(kept.iterdir()) == []
    with pytest.raises(Boom):  # a folder that gained a file meanwhile stays, with what is in it
        with atomic_path(kept / "shared" / "out.parquet"):
            (kept / "shared" / "notes.txt").write_text("mine")
            raise Boom("killed mid-write")
    assert (kept / "shared" / "notes.txt").read_text() == "mine"
