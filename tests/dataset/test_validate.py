import json
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from simulator.dataset import validate_dataset
from simulator.dataset.storage import sha256_file
from tests.dataset.sample import write_sample


def _refresh_checksum(root, rel):
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["files"][rel]["sha256"] = sha256_file(root / rel)
    (root / "manifest.json").write_text(json.dumps(manifest))


def _rewrite_events(root, mutate):
    rows = pq.read_table(root / "events.parquet").to_pylist()
    mutate(rows)
    pq.write_table(pa.Table.from_pylist(rows, schema=pq.read_schema(root / "events.parquet")),
                   root / "events.parquet")
    _refresh_checksum(root, "events.parquet")


def _cli_validate(root):
    return subprocess.run([sys.executable, "-m", "simulator.cli", "validate", str(root)],
                          capture_output=True, text=True)


@pytest.fixture
def ds(tmp_path):
    return write_sample(tmp_path / "ds")


def test_valid_dataset_passes_cli(ds):
    r = _cli_validate(ds)
    assert r.returncode == 0, r.stderr
    assert "valid" in r.stdout


def test_truncated_parquet(ds):
    data = (ds / "events.parquet").read_bytes()
    (ds / "events.parquet").write_bytes(data[: len(data) // 2])
    _refresh_checksum(ds, "events.parquet")
    problems = validate_dataset(ds)
    assert len(problems) == 1
    assert problems[0].startswith("events.parquet: not a readable parquet file")


def test_a_truncated_file_is_named_as_such_beside_its_checksum(ds):
    data = (ds / "events.parquet").read_bytes()
    (ds / "events.parquet").write_bytes(data[: len(data) // 2])
    (problem,) = validate_dataset(ds)
    assert problem.startswith("events.parquet: checksum mismatch") and problem.endswith("(truncated or corrupt)")


def test_checksum_mismatch(ds):
    (ds / "frames/s0/000000.png").write_bytes(b"not the screenshot")
    assert validate_dataset(ds) == [
        p for p in validate_dataset(ds) if p.startswith("frames/s0/000000.png: checksum mismatch")
    ] != []


def test_an_edited_file_is_still_checked_for_content(ds):
    """A checksum mismatch says the file changed; what changed in it is still worth saying."""
    manifest = (ds / "manifest.json").read_text()
    _rewrite_events(ds, lambda rows: rows[3].update(t_ms=1.0))
    (ds / "manifest.json").write_text(manifest)  # the edit without its checksum
    problems = validate_dataset(ds)
    assert problems[0].startswith("events.parquet: checksum mismatch") and "truncated" not in problems[0]
    assert problems[1:] == ["events: time goes backwards in session s0 at seq 3 (33.200 ms then 1.000 ms)"]


def test_non_monotonic_time(ds):
    def mutate(rows):
        rows[3]["t_ms"] = 1.0  # earlier than the event before it
    _rewrite_events(ds, mutate)
    problems = validate_dataset(ds)
    assert problems == ["events: time goes backwards in session s0 at seq 3 (33.200 ms then 1.000 ms)"]


def test_a_time_that_is_no_finite_number_is_named_as_such(ds):
    """An infinite t_ms was reported as time going backwards (inf ms then 33.200 ms); NaN said no where."""
    _rewrite_events(ds, lambda rows: (rows[2].update(t_ms=float("inf")), rows[4].update(t_ms=float("nan"))))
    assert validate_dataset(ds) == ["events: 2 t_ms value(s) not a finite number, first in session s0 at seq 2 (inf)"]


def test_dangling_action_id(ds):
    def mutate(rows):
        rows[0]["action_id"] = 99
    _rewrite_events(ds, mutate)
    assert validate_dataset(ds) == ["events: action_id with no matching action: s0/99"]


def test_pointer_event_without_a_position(ds):
    def mutate(rows):
        i = next(i for i, r in enumerate(rows) if r["type"] == "move")
        rows[i]["x"] = float("nan")
    _rewrite_events(ds, mutate)
    problems = validate_dataset(ds)
    assert len(problems) == 1 and problems[0].startswith("events: 1 pointer event(s) without a position")


def test_non_positive_box(ds):
    rows = pq.read_table(ds / "actions.parquet").to_pylist()
    rows[0]["box_w"] = 0.0
    pq.write_table(pa.Table.from_pylist(rows, schema=pq.read_schema(ds / "actions.parquet")), ds / "actions.parquet")
    _refresh_checksum(ds, "actions.parquet")
    assert validate_dataset(ds) == ["actions: box_w not positive for s0/0"]


@pytest.mark.parametrize("breakage, message", [
    ("truncate", "not a readable parquet file"),
    ("checksum", "checksum mismatch"),
    ("time", "time goes backwards"),
    ("dangling", "no matching action"),
])
def test_cli_one_line_per_problem_no_traceback(ds, breakage, message):
    if breakage == "truncate":
        data = (ds / "events.parquet").read_bytes()
        (ds / "events.parquet").write_bytes(data[:100])
        _refresh_checksum(ds, "events.parquet")
    elif breakage == "checksum":
        (ds / "actions.parquet").write_bytes((ds / "actions.parquet").read_bytes() + b"x")
    elif breakage == "time":
        _rewrite_events(ds, lambda rows: rows[2].update(t_ms=-5.0))
    else:
        _rewrite_events(ds, lambda rows: rows[5].update(action_id=7))
    r = _cli_validate(ds)
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]


@pytest.mark.parametrize("edit, message", [
    ({"sha256": None}, "files['events.parquet']: sha256 must be 64 hex digits, not None"),
    ({"rows": "many"}, "files['events.parquet']: rows must be a whole number of 0 or more, not 'many'"),
    ({"bytes": -1}, "bytes must be a whole number"),
])
def test_a_hand_edited_file_entry_is_one_line_not_a_traceback(ds, edit, message):
    """validate ended in a TypeError ('NoneType' object is not subscriptable) where inspect, augment and fidelity
    said one line and pointed to validate."""
    m = json.loads((ds / "manifest.json").read_text())
    m["files"]["events.parquet"].update(edit)
    (ds / "manifest.json").write_text(json.dumps(m))
    r = _cli_validate(ds)
    assert r.returncode == 1 and "Traceback" not in r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "malformed manifest" in lines[0] and message in lines[0], lines


def test_not_a_dataset(tmp_path):
    r = _cli_validate(tmp_path)
    assert r.returncode == 1
    assert r.stderr.strip() == f"invalid: {tmp_path}: not a dataset (no manifest.json)"


def test_numbers_written_as_text_are_a_schema_problem(ds):
    """A table whose t_ms, x and y were strings ("12.5") was cast quietly and called valid."""
    t = pq.read_table(ds / "events.parquet")
    for name in ("t_ms", "x"):
        t = t.set_column(t.schema.get_field_index(name), name, t.column(name).cast(pa.string()))
    pq.write_table(t, ds / "events.parquet")
    _refresh_checksum(ds, "events.parquet")
    assert validate_dataset(ds) == ["events.parquet: column t_ms has type string, expected double"]


@pytest.mark.parametrize("line, problem", [("{}", "column session_id has 1 empty value(s); it is required"),
                                           ("[1, 2]", "is not a JSON object")])
def test_a_jsonl_row_that_is_not_an_event_is_one_problem(tmp_path, line, problem):
    """A line {} or [1, 2] appended to a JSON-lines events file made validate crash in a sort."""
    root = write_sample(tmp_path / "ds", storage="jsonl")
    with open(root / "events.jsonl", "a") as fh:
        fh.write(line + "\n")
    _refresh_checksum(root, "events.jsonl")
    (found,) = validate_dataset(root)
    assert found.startswith("events.jsonl: ") and problem in found
    r = _cli_validate(root)
    assert r.returncode != 0 and "Traceback" not in r.stderr


def test_a_table_resealed_with_other_rows_is_refused_by_what_reads_it(ds):
    """Rows dropped and the checksum made to match: compare scored such a candidate as a perfect reproduction."""
    from simulator.dataset import read_dataset
    from simulator.errors import HcisimError

    _rewrite_events(ds, lambda rows: rows.clear())
    with pytest.raises(HcisimError, match="0 rows where the manifest lists"):
        read_dataset(ds).events
    assert any("rows, manifest says" in p for p in validate_dataset(ds))


def test_a_table_the_manifest_gives_no_checksum_for_is_refused_by_what_reads_it(ds):
    """An entry deleted from the manifest's files: replay, export and compare read the table unchecked (replay
    PASSED) while validate saw the manifest was wrong."""
    import json

    from simulator.dataset import read_dataset
    from simulator.errors import HcisimError

    m = json.loads((ds / "manifest.json").read_text())
    del m["files"]["actions.parquet"]
    (ds / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(HcisimError, match=r"actions\.parquet: a table file the manifest gives no checksum for"):
        read_dataset(ds).actions
    assert validate_dataset(ds)  # validate, which reads unchecked, still says what is wrong


def _shard(root, name, cut, mutate=lambda rows: None):
    """Table ``name`` as two shard files, rows[:cut] and rows[cut:] (after ``mutate``), as a sharded run writes."""
    rel = f"{name}.parquet"
    schema = pq.read_schema(root / rel)
    rows = pq.read_table(root / rel).to_pylist()
    mutate(rows)
    manifest = json.loads((root / "manifest.json").read_text())
    del manifest["files"][rel]
    (root / rel).unlink()
    manifest["tables"][name] = []
    for i, part in enumerate((rows[:cut], rows[cut:])):
        shard = f"{name}/shard={i:05d}/part.parquet"
        (root / shard).parent.mkdir(parents=True)
        pq.write_table(pa.Table.from_pylist(part, schema=schema), root / shard)
        manifest["tables"][name].append(shard)
        manifest["files"][shard] = {"sha256": sha256_file(root / shard), "bytes": 1, "rows": len(part)}
    (root / "manifest.json").write_text(json.dumps(manifest))


def test_a_sharded_table_is_read_file_by_file_and_only_the_columns_checked(ds, monkeypatch):
    """validate held every table whole (1.28 GB for 2,000 offline sessions, growing with the dataset): each file is
    now read alone, without the columns no check uses (a changed file, read whole, aside)."""
    from simulator.dataset import reader

    _shard(ds, "events", 14)  # (s0's rows, then s1's)
    real, reads = reader.read_table, []

    def counted(path, schema, storage, columns=None):
        reads.append((path.relative_to(ds).as_posix(), columns))
        return real(path, schema, storage, columns)

    monkeypatch.setattr(reader, "read_table", counted)
    monkeypatch.setattr(reader.Dataset, "table", None)  # no table whole
    assert validate_dataset(ds) == []
    assert [rel for rel, _ in reads] == ["actions.parquet", "events/shard=00000/part.parquet",
                                         "events/shard=00001/part.parquet", "frames.parquet"]
    assert all(columns is not None and "key" not in columns and "target_name" not in columns for _, columns in reads)


def test_a_session_split_across_shards_is_checked_as_one(ds):
    """A session whose rows are in two files: its order is judged on all of them, as when the table was whole."""
    _shard(ds, "events", 20)  # s1's seq 0-5 (rows 14-19) in the first file, the rest in the second
    assert validate_dataset(ds) == []
    _shard(write_sample(ds, overwrite=True), "events", 20, lambda rows: rows[20].update(t_ms=10.0))
    assert validate_dataset(ds) == ["events: time goes backwards in session s1 at seq 6 (100.000 ms then 10.000 ms)"]
    _shard(write_sample(ds, overwrite=True), "events", 20, lambda rows: rows[20].update(seq=5))
    assert validate_dataset(ds) == ["events: seq not strictly increasing in session(s) s1"]


def test_action_ids_are_matched_across_shards(ds):
    """Events point to actions in another file; one with no action anywhere is still named."""
    _shard(ds, "actions", 1)
    _shard(ds, "events", 16, lambda rows: rows[25].update(action_id=5))
    assert validate_dataset(ds) == ["events: action_id with no matching action: s1/5"]
