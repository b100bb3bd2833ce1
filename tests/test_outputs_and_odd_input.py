"""An output never replaces what a command reads or a file it did not write; odd input is one line.

Each case was found by probing the CLI as a careless user would: a fit written over the dataset it read,
synth-moves over its own profile, a mistyped --out over a user's notes, a name too long, a count of draws
that asked numpy for terabytes, a profile that is valid JSON of the wrong shape. The commands' functions are
called in-process (each refusal is an `HcisimError`, which the CLI says in one line: tests/test_cli_errors.py);
what only the CLI's entry point turns into one line (what the system or the machine refuses) goes through it.
"""

import json
import os
import shutil
from pathlib import Path

import pytest

from replay.export import export
from replay.locate.io import run as locate
from simulator.errors import HcisimError
from simulator.mouse.fit import fit_profile as fit_mouse
from simulator.mouse.profile import load_profile as load_mouse
from simulator.mouse.synth import synth_moves_file
from simulator.typing.io import fit_profile as fit_typing
from simulator.typing.io import synth_typing_file
from simulator.typing.profile import load_profile as load_typing
from tests.helpers import hcisim, one_line_error

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "checkout_form-offline"
PROFILES = Path(__file__).resolve().parents[1] / "simulator" / "profiles"
PAIRS = "pair_id,x0,y0,x1,y1\na,0,0,300,200\nb,10,10,600,400\n"


@pytest.fixture
def pairs(tmp_path) -> Path:
    p = tmp_path / "pairs.csv"
    p.write_text(PAIRS)
    return p


def _sapimouse_copy(shared_data: Path, dest: Path) -> Path:
    (dest / "user1").mkdir(parents=True)
    shutil.copy(shared_data / "sapimouse" / "user1" / "session_1min.csv", dest / "user1" / "session_1min.csv")
    return dest


@pytest.mark.parametrize("synth, text, profile", [
    (synth_moves_file, PAIRS, "mouse_sapimouse.json"),
    (synth_typing_file, "text_id,text\n1,hello there\n", "typing_aalto.json")])
def test_a_synth_command_never_writes_over_its_profile(tmp_path, synth, text, profile):
    given = tmp_path / "in.csv"
    given.write_text(text)
    prof = tmp_path / "mine.json"
    shutil.copy(PROFILES / profile, prof)
    before = prof.read_bytes()
    with pytest.raises(HcisimError, match="is the profile being read"):
        synth(given, prof, profile=prof)
    assert prof.read_bytes() == before


def test_synth_moves_replaces_its_earlier_output_and_nothing_else(tmp_path, pairs):
    notes = tmp_path / "notes.txt"
    notes.write_text("mine\n")
    with pytest.raises(HcisimError, match="exists and is not a Parquet file"):
        synth_moves_file(pairs, notes, candidates=1)
    assert notes.read_text() == "mine\n"
    out = tmp_path / "o.parquet"  # an earlier output is replaced, as a re-run expects
    for _ in range(2):
        assert synth_moves_file(pairs, out, candidates=1) > 0
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(HcisimError, match="not a regular file"):
        synth_moves_file(pairs, fifo, candidates=1)


@pytest.mark.parametrize("table", ["events/shard=00000/part.parquet", "actions/shard=00000/part.parquet"])
def test_no_output_replaces_a_file_of_a_dataset(tmp_path, pairs, table):
    """synth-moves --out DATASET/events.parquet wrote over the dataset's table (a Parquet file like its own
    output), exit 0, and the dataset no longer validated; a new file beside the tables is no harm."""
    from simulator.dataset import validate_dataset

    ds = shutil.copytree(FIXTURE, tmp_path / "ds")
    before = (ds / table).read_bytes()
    for synth, given in ((synth_moves_file, pairs), (synth_typing_file, tmp_path / "t.csv")):
        given.write_text(given.read_text() if given.exists() else "text_id,text\n1,hello there\n")
        with pytest.raises(HcisimError, match=f"is a file of the dataset {ds}"):
            synth(given, ds / table, candidates=1)
    assert (ds / table).read_bytes() == before and validate_dataset(ds) == []
    assert synth_moves_file(pairs, ds / "extra.parquet", candidates=1) > 0


def test_a_fit_is_never_written_over_its_data_or_another_file(tmp_path, shared_data):
    ds = tmp_path / "ds"
    shutil.copytree(FIXTURE, ds)
    manifest = (ds / "manifest.json").read_bytes()
    for fit, what in ((fit_mouse, "mouse"), (fit_typing, "typing")):
        with pytest.raises(HcisimError, match=f"exists and is not a {what} profile"):
            fit(ds, "hcisim", ds / "manifest.json")  # the dataset's manifest was replaced by the profile
    assert (ds / "manifest.json").read_bytes() == manifest
    data = _sapimouse_copy(shared_data, tmp_path / "rec")
    settings = tmp_path / "settings.json"
    settings.write_text('{"theme": "dark"}')
    with pytest.raises(HcisimError, match="exists and is not a mouse profile"):
        fit_mouse(data, "sapimouse", settings)
    with pytest.raises(HcisimError, match="exists and is not a typing profile"):
        fit_typing(shared_data / "aalto-typing" / "files", "aalto", settings)
    assert settings.read_text() == '{"theme": "dark"}'


def test_positions_no_screen_has_are_refused_before_a_fit(tmp_path, shared_data):
    """1e300 in a SapiMouse file fitted a profile full of Infinity, exit 0."""
    data = _sapimouse_copy(shared_data, tmp_path / "rec")
    f = data / "user1" / "session_1min.csv"
    lines = f.read_text().splitlines()
    head, row = lines[0].split(","), lines[5].split(",")
    row[head.index("x")] = "1e300"
    lines[5] = ",".join(row)
    f.write_text("\n".join(lines) + "\n")
    with pytest.raises(HcisimError, match="row 6 has x beyond 1,000,000 px"):
        fit_mouse(data, "sapimouse", tmp_path / "p.json")
    assert not (tmp_path / "p.json").exists()


def test_locate_and_export_never_write_over_their_inputs(tmp_path):
    cands = tmp_path / "c.jsonl"
    cands.write_text(json.dumps({"id": "c1", "role": "button", "name": "Go", "url": "/x"}) + "\n")
    before = cands.read_text()
    with pytest.raises(HcisimError, match="is the candidates being read"):
        locate([str(FIXTURE)], [str(cands)], cands)
    assert cands.read_text() == before
    ds = tmp_path / "ds"
    shutil.copytree(FIXTURE, ds)
    manifest = (ds / "manifest.json").read_bytes()
    with pytest.raises(HcisimError, match="is inside the dataset being exported"):
        export(ds, "rrweb", ds / "manifest.json", overwrite=True)
    assert (ds / "manifest.json").read_bytes() == manifest


def test_what_the_system_or_the_machine_refuses_is_one_line(tmp_path, pairs):
    one_line_error(hcisim("synth-moves", "--pairs", pairs, "--out", tmp_path / ("n" * 300 + ".parquet"),
                          "--candidates", "1"), "File name too long")
    one_line_error(hcisim("synth-moves", "--pairs", pairs, "--out", tmp_path / "o.parquet",
                          "--candidates", "100000000000"), "candidates must be a whole number from 1")


@pytest.mark.parametrize("edit, says", [
    (lambda d: [1, 2], "not a mouse profile"), (lambda d: {**d, "users": {}}, "no users"),
    (lambda d: {**d, "pop_mean": [float("nan")] * len(d["pop_mean"])}, "non-finite parameters"),
    (lambda d: {k: v for k, v in d.items() if k != "pop_cov"}, "no 'pop_cov' field")])
def test_a_mouse_profile_of_the_wrong_shape_is_refused(tmp_path, edit, says):
    prof = tmp_path / "odd.json"
    prof.write_text(json.dumps(edit(json.loads((PROFILES / "mouse_sapimouse.json").read_text()))))
    with pytest.raises(HcisimError, match="not a valid hcisim mouse profile") as e:
        load_mouse(prof)
    assert says in str(e.value)


@pytest.mark.parametrize("edit", [lambda d: {**d, "users": []}, lambda d: {**d, "max_interval_ms": -5}])
def test_a_typing_profile_of_the_wrong_shape_is_refused(tmp_path, edit):
    prof = tmp_path / "odd.json"
    prof.write_text(json.dumps(edit(json.loads((PROFILES / "typing_aalto.json").read_text()))))
    with pytest.raises(HcisimError, match="typing profile is incomplete or damaged"):
        load_typing(prof)


def test_inputs_that_are_folders_twice_named_columns_or_nothing_to_do_are_said_as_such(tmp_path):
    (tmp_path / "folder").mkdir()
    with pytest.raises(HcisimError, match=r"no such pairs file \(it is a folder\)"):
        synth_moves_file(tmp_path / "folder", tmp_path / "o.parquet")  # was "o.parquet is inside the pairs file"
    with pytest.raises(HcisimError, match=r"no such texts file \(it is a folder\)"):
        synth_typing_file(tmp_path / "folder", tmp_path / "o.parquet")
    texts = tmp_path / "t.csv"
    texts.write_text("text_id,text,text\n1,typed,ignored\n")  # the last text column was typed, without a word
    with pytest.raises(HcisimError, match=r"column\(s\) text appear more than once"):
        synth_typing_file(texts, tmp_path / "o.parquet")
    empty = tmp_path / "t.jsonl"
    empty.write_text("")
    with pytest.raises(HcisimError, match="no targets to locate"):  # was "0/0 targets found", exit 0
        locate([str(empty)], [str(empty)], tmp_path / "l.csv")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_file_saved_as_utf16_or_utf32_is_said_to_be_so(tmp_path, shared_data, encoding):
    """Windows tools save text as UTF-16; the parsers' own complaints (a missing column, one column where five
    were expected) sent the user looking at the file's columns instead of its encoding."""
    def wide(name: str, text: str) -> Path:
        p = tmp_path / name
        p.write_bytes(text.encode(encoding))  # with its byte-order mark, as Notepad saves
        return p

    aalto = next((shared_data / "aalto-typing" / "files").glob("*_keystrokes.txt"))
    free = shared_data / "typing-free-text" / "Facebook" / "f_01.csv"
    sapi = shared_data / "sapimouse" / "user1" / "session_1min.csv"
    cases = [
        (lambda: synth_moves_file(wide("pairs.csv", PAIRS), tmp_path / "o.parquet", candidates=1), "a pairs CSV"),
        (lambda: synth_typing_file(wide("texts.csv", "text_id,text\n1,hi\n"), tmp_path / "o.parquet"), "a texts CSV"),
        (lambda: fit_mouse(wide("s.csv", sapi.read_text()), "sapimouse", tmp_path / "m.json"), "a SapiMouse CSV"),
        (lambda: fit_typing(wide("1_keystrokes.txt", aalto.read_text(encoding="utf-8", errors="replace")), "aalto",
                            tmp_path / "t.json"), "an Aalto keystroke file"),
        (lambda: fit_typing(wide("f_01.csv", free.read_text()), "pynput", tmp_path / "t.json"), "a pynput log")]
    for call, what in cases:
        with pytest.raises(HcisimError) as e:
            call()
        assert f"not {what}: the file is {encoding.upper()} text; save it as UTF-8" in str(e.value)
    assert not list(tmp_path.glob("o.parquet")) + list(tmp_path.glob("*.json"))


BINARY = b"\x7fELF\x02\x01\x01\x00\x00\x00" + bytes(range(256)) * 4
"""A program's first bytes: NULs, and byte sequences that are not UTF-8."""


@pytest.mark.parametrize("content, says", [
    (BINARY, "the file is binary, not text"),
    ("user,x\ncafé,1\n".encode("latin-1"), "the file is not UTF-8 text (byte 0xE9 at offset 10); save it as UTF-8")])
def test_a_binary_or_8_bit_file_is_said_to_be_so(tmp_path, content, says):
    """A binary file given to a reader: SapiMouse and Balabit files ended in a UnicodeDecodeError traceback
    (the CSV parser's column names), a pairs file's error line echoed its bytes."""
    def bad(name: str) -> Path:
        p = tmp_path / "in" / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content)
        return p

    cases = [
        (lambda: synth_moves_file(bad("pairs.csv"), tmp_path / "o.parquet", candidates=1), "a pairs CSV"),
        (lambda: synth_typing_file(bad("texts.csv"), tmp_path / "o.parquet"), "a texts CSV"),
        (lambda: fit_mouse(bad("user1/session_1min.csv").parents[1], "sapimouse", tmp_path / "m.json"),
         "a SapiMouse CSV"),
        (lambda: fit_mouse(bad("user7/session_0041905381").parents[1], "balabit", tmp_path / "m.json"),
         "a Balabit session file"),
        (lambda: fit_typing(bad("1_keystrokes.txt"), "aalto", tmp_path / "t.json"), "an Aalto keystroke file"),
        (lambda: fit_typing(bad("f_01.csv"), "pynput", tmp_path / "t.json"), "a pynput log")]
    for call, what in cases:
        with pytest.raises(HcisimError) as e:
            call()
        assert str(e.value).endswith(f"not {what}: {says}") and "\n" not in str(e.value)
        shutil.rmtree(tmp_path / "in")
    assert not list(tmp_path.glob("o.parquet")) + list(tmp_path.glob("*.json"))
    # through the CLI, where the traceback was
    out = hcisim("import", str(bad("user7/session_1").parents[1]), "--format", "balabit", "--out", str(tmp_path / "d"))
    assert out.returncode != 0 and one_line_error(out).endswith(f"not a Balabit session file: {says}")
    assert not (tmp_path / "d").exists()


def test_a_pandas_index_of_two_unnamed_levels_is_read_past(tmp_path):
    """pandas writes an unnamed two-level index as ",,pair_id,..." (it reads back as Unnamed: 0, Unnamed: 1):
    both files were refused with "column(s)  appear more than once in the header", naming no column."""
    import pyarrow.parquet as pq

    pairs = tmp_path / "p.csv"
    pairs.write_text(",,pair_id,x0,y0,x1,y1\na,0,7,0,0,300,200\na,1,8,300,200,10,10\n")
    synth_moves_file(pairs, tmp_path / "m.parquet", candidates=1)
    assert list(dict.fromkeys(pq.read_table(tmp_path / "m.parquet")["pair_id"].to_pylist())) == [7, 8]
    texts = tmp_path / "t.csv"
    texts.write_text(",,text_id,text\na,0,1,hello\n")
    synth_typing_file(texts, tmp_path / "t.parquet", candidates=1)
    assert set(pq.read_table(tmp_path / "t.parquet")["text_id"].to_pylist()) == {1}
    pairs.write_text(",,pair_id,x0,y0,x1,y1,x0\na,0,7,0,0,300,200,5\n")  # a column read, twice: still refused
    with pytest.raises(HcisimError, match=r"column\(s\) x0 appear more than once"):
        synth_moves_file(pairs, tmp_path / "m2.parquet")


@pytest.mark.parametrize("kind, module", [("mouse", "simulator.mouse"), ("typing", "simulator.typing")])
def test_a_fit_names_the_report_it_wrote_beside_the_profile(tmp_path, monkeypatch, capsys, kind, module):
    """`fit mouse|typing` said "profile written to X.json" and nothing of the X.html fit report it also wrote."""
    import importlib

    from simulator import cli

    monkeypatch.setattr(importlib.import_module(module), "fit_profile", lambda data, fmt, out, **kw: out)
    cli.app(["fit", kind, "--data", str(tmp_path), "--format", "hcisim", "--out", str(tmp_path / "p.json")],
            standalone_mode=False)
    assert capsys.readouterr().out.splitlines() == [f"profile written to {tmp_path / 'p.json'}",
                                                    f"fit report: {tmp_path / 'p.html'}  (open it in a browser)"]
