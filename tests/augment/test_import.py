"""``hcisim import``: each shared format -> a valid dataset, every event kept, the right people."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from simulator.augment import import_dataset
from simulator.dataset import read_dataset, validate_dataset
from tests.helpers import hcisim, one_line_error


def _rows(path: Path, header: bool = True) -> int:
    with open(path, newline="", encoding="utf-8", errors="replace") as fh:
        return sum(1 for row in csv.reader(fh) if row) - (1 if header else 0)


def test_sapimouse_keeps_every_event_and_names_sessions(mouse_ds, shared_data):
    ds = read_dataset(mouse_ds)
    assert ds.sessions == ["user13-1min", "user25-1min"]
    assert ds.manifest.people == {"user13-1min": "13", "user25-1min": "25"}
    assert ds.manifest.coordinate_space == "viewport_css_px"
    assert ds.manifest.source["format"] == "sapimouse"
    assert validate_dataset(mouse_ds) == []
    ev = ds.events
    sid = np.asarray(ev.column("session_id").to_pylist())
    for s, sub in (("user13-1min", "user13"), ("user25-1min", "user25")):
        assert (sid == s).sum() == _rows(shared_data / "sapimouse" / sub / "session_1min.csv")
    types = set(zip(ev.column("type").to_pylist(), ev.column("button").to_pylist()))
    assert {("move", None), ("down", "left"), ("up", "left")} <= types
    t = ev.column("t_ms").to_numpy()[sid == "user13-1min"]
    assert t[0] == 0 and np.all(np.diff(t) >= 0)


def test_sapimouse_three_and_one_minute_sessions_are_distinct(shared_data, tmp_path):
    r = hcisim("import", shared_data / "sapimouse" / "user35.1", "--format", "sapimouse", "--out", tmp_path / "d")
    assert r.returncode == 0, r.stderr
    m = json.loads((tmp_path / "d" / "manifest.json").read_text())
    assert m["people"] == {"user35.1-1min": "35", "user35.1-3min": "35"}
    assert validate_dataset(tmp_path / "d") == []  # what `hcisim validate` checks


def test_balabit_session_with_wheel_in_screen_pixels(shared_data, tmp_path):
    folder = shared_data / "balabit-mouse" / "training_files" / "user7"
    f = min(folder.glob("session_*"), key=lambda p: p.stat().st_size)
    r = hcisim("import", f, "--format", "balabit", "--out", tmp_path / "b")
    assert r.returncode == 0, r.stderr
    ds = read_dataset(tmp_path / "b")
    assert ds.sessions == [f"user7-{f.name}"] and ds.manifest.people == {f"user7-{f.name}": "7"}
    assert ds.manifest.coordinate_space == "screen_px"
    assert ds.events.num_rows == _rows(f)
    wheel = np.asarray(ds.events.column("type").to_pylist()) == "wheel"
    assert wheel.any() and set(np.abs(ds.events.column("dy").to_numpy()[wheel])) == {100.0}
    assert validate_dataset(tmp_path / "b") == []


def test_aalto_participant_keys_and_sentences(shared_data, tmp_path):
    f = shared_data / "aalto-typing" / "files" / "1002_keystrokes.txt"
    r = hcisim("import", f, "--format", "aalto", "--out", tmp_path / "a")
    assert r.returncode == 0, r.stderr
    ds = read_dataset(tmp_path / "a")
    assert ds.manifest.people == {"p1002": "1002"}
    assert validate_dataset(tmp_path / "a") == []
    with open(f, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    types = ds.events.column("type").to_pylist()
    assert types.count("key_down") == len(rows)
    sentences = list(dict.fromkeys(r["SENTENCE"] for r in rows))
    assert ds.actions.column("text_intended").to_pylist() == sentences
    assert "KeyT" in ds.events.column("code").to_pylist()


def test_pynput_log_every_press_and_release(shared_data, tmp_path):
    import_dataset("pynput", shared_data / "typing-free-text" / "Twitter", tmp_path / "p", sessions="t_0[15]")
    ds = read_dataset(tmp_path / "p")
    assert ds.manifest.people == {"t_01": "01", "t_05": "05"}
    assert ds.manifest.coordinate_space == "screen_px"
    assert validate_dataset(tmp_path / "p") == []
    sid = np.asarray(ds.events.column("session_id").to_pylist())
    assert (sid == "t_05").sum() == _rows(shared_data / "typing-free-text" / "Twitter" / "t_05.csv", header=False)
    keys = set(ds.events.column("key").to_pylist())
    assert {"Shift", "Backspace", " "} & keys and all(k for k in keys)


def test_sessions_glob_selects(shared_data, tmp_path):
    r = hcisim("import", shared_data / "typing-free-text" / "Twitter", "--format", "pynput", "--sessions", "t_05",
               "--out", tmp_path / "p")
    assert r.returncode == 0, r.stderr
    assert read_dataset(tmp_path / "p").sessions == ["t_05"]
    one_line_error(hcisim("import", shared_data / "typing-free-text" / "Twitter", "--format", "pynput",
                          "--sessions", "nobody*", "--out", tmp_path / "q"), "no pynput session matches")
    assert not (tmp_path / "q").exists()


@pytest.mark.parametrize("args, fragment", [
    (["--format", "csv"], "unknown import format 'csv'"),
    (["--format", "balabit"], "no balabit files found"),
])
def test_bad_import_is_one_line_and_writes_nothing(shared_data, tmp_path, args, fragment):
    one_line_error(hcisim("import", shared_data / "typing-free-text", *args, "--out", tmp_path / "o"), fragment)
    assert not (tmp_path / "o").exists()
    assert not any(tmp_path.glob(".o.tmp-*"))


def test_wrong_format_for_the_files_is_one_line(shared_data, tmp_path):
    one_line_error(hcisim("import", shared_data / "typing-free-text" / "Twitter" / "t_05.csv", "--format",
                          "sapimouse", "--out", tmp_path / "o"), "not a SapiMouse CSV")
    assert not (tmp_path / "o").exists()


def test_the_other_mouse_format_is_refused_not_rescaled(shared_data, tmp_path):
    """SapiMouse and Balabit share their columns but not their time unit (ms vs s): read as the other,
    a session would come out 1,000 times too long (or short), so each refuses the other's files."""
    sapi = shared_data / "sapimouse" / "user1"
    bala = next((shared_data / "balabit-mouse" / "training_files" / "user12").iterdir())
    one_line_error(hcisim("import", sapi, "--format", "balabit", "--out", tmp_path / "a"),
                   "not a Balabit session file, missing column(s) record timestamp")
    one_line_error(hcisim("import", bala, "--format", "sapimouse", "--out", tmp_path / "b"),
                   "not a SapiMouse CSV: it has column(s) record timestamp of another format")
    bad = tmp_path / "nan.csv"
    bad.write_text("client timestamp,button,state,x,y\n0,NoButton,Move,1,1\n10,NoButton,Move,NaN,2\n")
    one_line_error(hcisim("import", bad, "--format", "sapimouse", "--out", tmp_path / "c"),
                   "row 3 has no number in 'x'")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nan.csv"]


def test_moves_have_no_wheel_delta_rather_than_a_nan_one(shared_data, tmp_path):
    assert hcisim("import", shared_data / "sapimouse" / "user1", "--format", "sapimouse",
                  "--out", tmp_path / "d").returncode == 0
    ev = read_dataset(tmp_path / "d").events
    assert ev.column("dx").null_count == ev.num_rows and ev.column("dy").null_count == ev.num_rows


def test_an_aalto_file_with_many_broken_rows_is_refused_and_a_stray_one_skipped(shared_data, tmp_path):
    """Rows cut short were dropped without a word: half a file imported, exit 0. A stray row with a tab typed
    into it is still skipped (the rest of its file is good); past 1 % of a file the file is refused."""
    lines = (shared_data / "aalto-typing" / "files" / "1002_keystrokes.txt").read_text(encoding="utf-8").splitlines()
    cut = [ln if i == 0 or i % 2 else "\t".join(ln.split("\t")[:5]) for i, ln in enumerate(lines)]
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / "9100_keystrokes.txt").write_text("\n".join(cut) + "\n", encoding="utf-8")
    one_line_error(hcisim("import", tmp_path / "half", "--format", "aalto", "--out", tmp_path / "o"),
                   "9100_keystrokes.txt", f"{(len(lines) - 1) // 2} of {len(lines) - 1} rows have the wrong number")
    assert not (tmp_path / "o").exists()
    stray = lines[:5] + ["\t".join(lines[5].split("\t")[:5])] + lines[6:]
    (tmp_path / "stray").mkdir()
    (tmp_path / "stray" / "9100_keystrokes.txt").write_text("\n".join(stray) + "\n", encoding="utf-8")
    r = hcisim("import", tmp_path / "stray", "--format", "aalto", "--out", tmp_path / "o2")
    assert r.returncode == 0, r.stderr
    assert read_dataset(tmp_path / "o2").events.num_rows == 2 * (len(lines) - 2)


def test_an_output_folder_under_a_file_and_a_hand_edited_manifest_are_one_line(mouse_ds, tmp_path):
    (tmp_path / "afile").write_text("x")
    one_line_error(hcisim("augment", mouse_ds, "--factor", "1", "--out", tmp_path / "afile" / "x"),
                   "cannot create the output folder")
    import json
    import shutil

    bad = tmp_path / "edited"
    shutil.copytree(mouse_ds, bad)
    m = json.loads((bad / "manifest.json").read_text())
    m["people"] = [1, 2]
    (bad / "manifest.json").write_text(json.dumps(m))
    one_line_error(hcisim("augment", bad, "--factor", "1", "--out", tmp_path / "o"), "people must be a JSON object")


def test_a_file_named_from_the_working_folder_belongs_to_someone(shared_data, tmp_path, monkeypatch):
    """`hcisim import mine.csv` made session `-mine` of person '' (the name of the folder '.')."""
    import shutil

    shutil.copy(shared_data / "sapimouse" / "user1" / "session_1min.csv", tmp_path / "mine.csv")
    monkeypatch.chdir(tmp_path)
    m = import_dataset("sapimouse", Path("mine.csv"), tmp_path / "o")
    assert m.people == {f"{tmp_path.name}-mine": "mine"}  # a file given alone is named by itself, as fit names it


def test_the_working_folder_given_as_dot_is_named_in_the_manifest(shared_data, tmp_path, monkeypatch):
    """`cd user1 && hcisim import . ...` wrote source.name '' (the name of the path '.')."""
    monkeypatch.chdir(shared_data / "sapimouse" / "user1")
    m = import_dataset("sapimouse", Path("."), tmp_path / "o")
    assert m.source["name"] == "user1"


def test_an_aalto_file_without_a_press_time_is_one_line(shared_data, tmp_path):
    """Every PRESS_TIME empty (the data set's bad times, on every row) ended the import in an IndexError."""
    lines = (shared_data / "aalto-typing" / "files" / "1002_keystrokes.txt").read_text(encoding="utf-8").splitlines()
    rows = [line.split("\t") for line in lines[1:6]]
    for row in rows:
        row[5] = ""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "9102_keystrokes.txt").write_text("\n".join([lines[0], *("\t".join(r) for r in rows)]) + "\n",
                                                         encoding="utf-8")
    one_line_error(hcisim("import", tmp_path / "src", "--format", "aalto", "--out", tmp_path / "o"),
                   "9102_keystrokes.txt: no keystrokes with a press time", code=2)
    assert not (tmp_path / "o").exists()


def test_an_aalto_release_logged_before_its_press_is_left_out(shared_data, tmp_path):
    """5 of the 441k shared keystrokes have one (up to 6 s early): imported as a key_up before its key_down,
    which then never came up."""
    lines = (shared_data / "aalto-typing" / "files" / "1002_keystrokes.txt").read_text(encoding="utf-8").splitlines()
    row = lines[2].split("\t")
    assert row[7] == "T"
    row[6] = str(int(row[5]) - 5000)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "9101_keystrokes.txt").write_text("\n".join([*lines[:2], "\t".join(row), *lines[3:]]) + "\n",
                                                         encoding="utf-8")
    r = hcisim("import", tmp_path / "src", "--format", "aalto", "--out", tmp_path / "o")
    assert r.returncode == 0, r.stderr
    ev = read_dataset(tmp_path / "o").events.to_pylist()
    assert len(ev) == 2 * (len(lines) - 1) - 1
    down = {}
    for e in ev:  # every key_up ends a key that is down
        if e["type"] == "key_down":
            down[e["key"]] = down.get(e["key"], 0) + 1
        else:
            assert down.get(e["key"], 0) > 0, e
            down[e["key"]] -= 1
    assert ev[0]["t_ms"] == 0.0


def test_import_and_fit_name_the_same_people_and_follow_linked_folders(shared_data, tmp_path):
    """Own files outside the shared layout: `import` made alice.csv and bob.csv one person (their folder) while
    `fit` made them two; alice_day1.csv and bob_day1.csv were one typist "day1"; an Aalto-format file's person was
    its file name, not its PARTICIPANT_ID; a folder of links to user folders was "no files found"."""
    import shutil

    from simulator.readers.aalto import read_aalto
    from simulator.readers.pynput_log import read_pynput
    from simulator.readers.sapimouse import read_sapimouse

    own = tmp_path / "own"
    own.mkdir()
    for who in ("alice", "bob"):
        shutil.copy(shared_data / "sapimouse" / "user1" / "session_1min.csv", own / f"{who}.csv")
    links = tmp_path / "links"
    links.mkdir()
    (links / "user1").symlink_to(shared_data / "sapimouse" / "user1")
    (links / "user2").symlink_to(shared_data / "sapimouse" / "user2")
    for src in (own, links):
        m = import_dataset("sapimouse", src, tmp_path / f"o-{src.name}")
        assert sorted(set(m.people.values())) == sorted({lg.user for lg in read_sapimouse(src)})
    assert sorted(set(import_dataset("sapimouse", own, tmp_path / "o2").people.values())) == ["alice", "bob"]
    assert sorted(set(import_dataset("sapimouse", links, tmp_path / "o3").people.values())) == ["1", "2"]

    typed = tmp_path / "typed"
    typed.mkdir()
    log = next((shared_data / "typing-free-text" / "Facebook").glob("f_*.csv"))
    for name in ("alice_day1.csv", "bob_day1.csv", "f_77.csv"):
        shutil.copy(log, typed / name)
    m = import_dataset("pynput", typed, tmp_path / "o-typed")
    assert sorted(set(m.people.values())) == sorted({r.user for r in read_pynput(typed)}) == \
        ["77", "alice_day1", "bob_day1"]

    aalto = tmp_path / "aalto"
    aalto.mkdir()
    shutil.copy(shared_data / "aalto-typing" / "files" / "1002_keystrokes.txt", aalto / "alice.tsv")
    m = import_dataset("aalto", aalto / "alice.tsv", tmp_path / "o-aalto")
    assert list(m.people.values()) == ["1002"] == sorted({r.user for r in read_aalto(aalto / "alice.tsv")})


def test_files_a_fit_passes_over_are_said(tmp_path):
    """A SapiMouse folder holding a Balabit session file was fitted on the CSVs alone, without a word."""
    from simulator.readers.common import say_unread

    (tmp_path / "u").mkdir()
    for name in ("a.csv", "session_123", "SOURCE.md", ".hidden", "aalto_readme.txt"):
        (tmp_path / "u" / name).write_text("x")
    said = []
    say_unread(tmp_path, "sapimouse", said.append)
    assert said == [f"{tmp_path}: 1 file(s) not read as sapimouse data, such as u/session_123 (sapimouse files are "
                    f"named *.csv)"]
    say_unread(tmp_path, "hcisim", said.append)
    assert len(said) == 1


def test_import_says_what_it_passed_over_too(shared_data, tmp_path):
    import shutil

    (tmp_path / "mix").mkdir()
    shutil.copy(shared_data / "sapimouse" / "user1" / "session_1min.csv", tmp_path / "mix" / "a.csv")
    (tmp_path / "mix" / "session_42").write_text("x")
    r = hcisim("import", tmp_path / "mix", "--format", "sapimouse", "--out", tmp_path / "o")
    assert r.returncode == 0 and "1 file(s) not read as sapimouse data, such as session_42" in r.stderr, r.stderr


def test_the_aalto_licence_travels_from_the_shared_files_to_all_that_is_made_of_them(shared_data, tmp_path):
    """An import of the Aalto files, a profile fitted on it and an augmentation of it carry the data set's
    non-commercial licence, as runs with the default typing profile do (it was dropped at the import)."""
    import json

    from simulator.augment.generate import augment_dataset
    from simulator.typing.io import AALTO_LICENCE, fit_profile

    src = tmp_path / "files"
    src.mkdir()
    (src / "1002_keystrokes.txt").symlink_to(shared_data / "aalto-typing" / "files" / "1002_keystrokes.txt")
    import_dataset("aalto", src, tmp_path / "imp")  # (as `hcisim import` runs it)
    assert read_dataset(tmp_path / "imp").manifest.source["licence"] == AALTO_LICENCE
    prof = fit_profile(tmp_path / "imp", "hcisim", tmp_path / "mine.json", report=False)
    assert json.loads(prof.read_text())["metadata"]["licence"] == AALTO_LICENCE
    augment_dataset(tmp_path / "imp", tmp_path / "aug", factor=1, people="same", seed=0, modality="typing")
    aug = read_dataset(tmp_path / "aug")
    assert aug.manifest.source["licence"] == AALTO_LICENCE
    assert json.loads((tmp_path / "aug" / "profiles" / "typing.json").read_text())["metadata"]["licence"] == \
        AALTO_LICENCE
    r = hcisim("run", "login", "--driver", "offline", "--sessions", "1", "--out", tmp_path / "run")
    assert r.returncode == 0, r.stderr
    assert read_dataset(tmp_path / "run").manifest.profiles["typing"]["licence"] == AALTO_LICENCE
    # what is made of that run (a profile fitted on it, an augmentation) is under it too: only the manifest's
    # source was read, and a generated dataset's source names no recorded data
    from simulator.typing.io import data_terms
    assert data_terms(tmp_path / "run", "hcisim") == {"licence": AALTO_LICENCE}
    own = tmp_path / "own"  # a recording of your own in the Aalto format is not under the Aalto licence
    own.mkdir()
    (own / "alice_keystrokes.txt").symlink_to(shared_data / "aalto-typing" / "files" / "1002_keystrokes.txt")
    import_dataset("aalto", own, tmp_path / "imp2")
    assert "licence" not in read_dataset(tmp_path / "imp2").manifest.source
    # the study's files beside your own: the licence goes with what --sessions picks (it went by the folder)
    (own / "1005_keystrokes.txt").symlink_to(shared_data / "aalto-typing" / "files" / "1005_keystrokes.txt")
    import_dataset("aalto", own, tmp_path / "imp3", sessions="alice*")
    assert "licence" not in read_dataset(tmp_path / "imp3").manifest.source
    import_dataset("aalto", own, tmp_path / "imp4")
    assert read_dataset(tmp_path / "imp4").manifest.source["licence"] == AALTO_LICENCE


def test_a_link_to_a_data_file_that_is_gone_is_said_not_skipped(shared_data, tmp_path):
    """A link named like a data file whose target was moved (an unmounted disk, a renamed participant) was
    skipped: the import and the fit read a smaller data set and said nothing."""
    src = tmp_path / "files"
    src.mkdir()
    (src / "1002_keystrokes.txt").symlink_to(shared_data / "aalto-typing" / "files" / "1002_keystrokes.txt")
    (src / "1003_keystrokes.txt").symlink_to(tmp_path / "gone" / "1003_keystrokes.txt")
    said = f"{src / '1003_keystrokes.txt'}: a link to {tmp_path / 'gone' / '1003_keystrokes.txt'}, which does not exist"
    one_line_error(hcisim("import", src, "--format", "aalto", "--out", tmp_path / "imp"), said)
    one_line_error(hcisim("fit", "typing", "--data", src, "--format", "aalto", "--out", tmp_path / "t.json"), said)
    assert sorted(f.name for f in tmp_path.iterdir()) == ["files"]


def test_the_aalto_licence_survives_the_data_set_s_own_readme(shared_data, tmp_path):
    """The data set as shipped holds ``aalto_readme.txt`` beside ``files/``; importing (or fitting) that folder
    read only the keystroke files, but the readme's name made the files look like your own: no licence."""
    src = tmp_path / "aalto-typing"
    (src / "files").mkdir(parents=True)
    (src / "aalto_readme.txt").symlink_to(shared_data / "aalto-typing" / "aalto_readme.txt")
    (src / "files" / "1002_keystrokes.txt").symlink_to(shared_data / "aalto-typing" / "files" / "1002_keystrokes.txt")
    r = hcisim("import", src, "--format", "aalto", "--out", tmp_path / "imp")
    assert r.returncode == 0, r.stderr
    from simulator.typing.io import AALTO_LICENCE
    assert read_dataset(tmp_path / "imp").manifest.source["licence"] == AALTO_LICENCE
