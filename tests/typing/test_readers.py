from __future__ import annotations

import numpy as np
import pytest

from simulator.errors import HcisimError
from simulator.readers.aalto import read_aalto
from simulator.readers.pynput_log import read_log, segments
from simulator.typing import apply_key_events


def test_aalto_reader_orders_by_press_and_names_keys(aalto_dir):
    f = sorted(aalto_dir.glob("*_keystrokes.txt"))[0]
    recs = read_aalto(f)
    assert 10 <= len(recs) <= 15
    for r in recs:
        assert np.all(np.diff(r.press_ms) >= 0) and r.press_ms[0] == 0
        assert r.intended and set(r.key) <= set(r.key)  # noqa: PLR0124
    keys = set(np.concatenate([r.key for r in recs]))
    assert "Shift" in keys and " " in keys and "SHIFT" not in keys and "BKSP" not in keys
    # most sentences replay to what the participant submitted (the source log drops a few keys)
    same = np.mean([apply_key_events({"type": ["down"] * len(r), "key": r.key}) == r.submitted for r in recs])
    assert same >= 0.5


def test_pynput_reader_pairs_releases_by_physical_key(tmp_path):
    log = tmp_path / "f_07.csv"
    log.write_text("P,Key.shift,1000000000\nP,'A',1100000000\nR,Key.shift,1150000000\nR,'a',1200000000\n"
                   "P,'!',1300000000\nR,'1',1380000000\nP,Key.enter,9000000000\nR,Key.enter,9050000000\n"
                   "P,'b',9100000000\nR,'b',9200000000\n")
    r = read_log(log)
    assert r.user == "07"
    assert list(r.key) == ["Shift", "A", "!", "Enter", "b"]
    np.testing.assert_allclose(r.release_ms - r.press_ms, [150, 100, 80, 50, 100])
    segs = segments(r)
    assert [list(s.key) for s in segs] == [["Shift", "A", "!"], ["b"]]


def test_a_pynput_log_saved_with_a_byte_order_mark_reads(tmp_path):
    """Refused as "line 1 is not a pynput P/R,key,timestamp row", though every other reader takes a BOM."""
    log = tmp_path / "f_08.csv"
    log.write_bytes(b"\xef\xbb\xbfP,'a',1000000000\nR,'a',1090000000\nP,'b',1200000000\nR,'b',1280000000\n")
    r = read_log(log)
    assert list(r.key) == ["a", "b"] and r.user == "08"


def test_freetext_typist_ids_are_text(freetext_dir):
    r = read_log(freetext_dir / "Facebook" / "f_01.csv")
    assert r.user == "01" and len(r) > 100


@pytest.mark.parametrize("stamp, said", [("99999999999999999999999999", "a timestamp out of range"),
                                         ("-5", "a timestamp out of range"),
                                         ("1656617201", "a timestamp of 10 digits .* where the log's first has 19")])
def test_a_pynput_timestamp_no_clock_gives_is_one_line_naming_the_file(tmp_path, stamp, said):
    """A 26-digit stamp overflowed numpy's int64 (a traceback in import); a negative one made a 1.65e9 s session;
    so did one cut short (its last digits lost), and validate called the import valid."""
    log = tmp_path / "f_09.csv"
    log.write_text(f"P,'a',1656617201000000000\nR,'a',{stamp}\n")
    with pytest.raises(HcisimError, match=rf"{log}: line 2 has {said}"):
        read_log(log)


def test_a_log_of_key_releases_alone_says_so(tmp_path):
    """A pynput log with its P rows lost fitted as "too little typing to fit (0 text(s) ...)"; an hcisim dataset of
    key_up events alone was said to have "no keyboard events"."""
    from simulator.dataset import Manifest, write_dataset
    from simulator.typing import fit_profile

    log = tmp_path / "f_09.csv"
    log.write_text("".join(f"R,'{c}',{1656617201000000000 + 150_000_000 * i}\n" for i, c in enumerate("hello")))
    with pytest.raises(HcisimError, match=rf"^{log}: 5 key release\(s\) \(R rows\) and no key press \(P rows\)"):
        fit_profile(log, "pynput", tmp_path / "p.json")
    events = [dict(session_id="s1", seq=i, t_ms=150.0 * i, device="keyboard", type="key_up", key=c, code=None)
              for i, c in enumerate("hello")]
    data = write_dataset(tmp_path / "ds", Manifest(driver="offline", seed=1), {"events": events})
    with pytest.raises(HcisimError, match=r"the dataset has no key presses to fit \(key_down events\)$"):
        fit_profile(data, "hcisim", tmp_path / "p.json")
    assert not (tmp_path / "p.json").exists()


def test_an_aalto_file_with_a_header_alone_is_one_line(tmp_path, aalto_dir):
    """`fit typing` on it ended in an IndexError and a traceback (import said "no keystrokes")."""
    f = sorted(aalto_dir.glob("*_keystrokes.txt"))[0]
    (tmp_path / f.name).write_text(f.read_text().splitlines()[0] + "\n")
    with pytest.raises(HcisimError, match=rf"{tmp_path / f.name}: no keystrokes"):
        read_aalto(tmp_path)


def test_an_aalto_file_cut_part_way_through_a_line_is_refused(tmp_path, aalto_dir):
    """The cut line was skipped as a rare bad row: its sentence was read typed part way, labelled with the whole
    sentence. A file that merely lacks its last newline is whole."""
    f = sorted(aalto_dir.glob("*_keystrokes.txt"))[0]
    text = f.read_text()
    (tmp_path / f.name).write_text(text[:len(text) * 2 // 3].rsplit("\t", 1)[0])
    with pytest.raises(HcisimError, match=rf"{tmp_path / f.name}: ends part way through a line .* the file is cut "
                                          rf"short"):
        read_aalto(tmp_path)
    (tmp_path / f.name).write_text(text.rstrip("\n"))
    assert len(read_aalto(tmp_path)) == len(read_aalto(f))


def test_an_aalto_file_of_two_participants_is_refused_by_fit_and_import_alike(tmp_path, aalto_dir):
    """Two participants' files run together: import made one person of them, the fit two."""
    from simulator.augment import import_dataset

    a, b = sorted(aalto_dir.glob("*_keystrokes.txt"))[:2]
    f = tmp_path / a.name
    f.write_text(a.read_text() + "".join(b.read_text().splitlines(keepends=True)[1:]))
    who = sorted({ln.split("\t")[0] for ln in f.read_text().splitlines()[1:]})
    said = rf"{f}: an Aalto keystroke file holds one participant's keystrokes; this one has 2 PARTICIPANT_IDs " \
           rf"\({who[0]}, {who[1]}\)"
    with pytest.raises(HcisimError, match=said):
        read_aalto(f)
    with pytest.raises(HcisimError, match=said):
        import_dataset("aalto", f, tmp_path / "ds")
    assert not (tmp_path / "ds").exists()
