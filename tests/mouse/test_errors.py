"""Bad input gives one clear HcisimError line and leaves no output file."""

from __future__ import annotations

import pytest

from simulator.errors import HcisimError
from simulator.mouse import fit_profile, load_profile, synth_moves_file


@pytest.mark.parametrize("text,message", [
    ("pair_id,x0,y0,x1\n1,0,0,5\n", "missing column(s) y1"),
    ("pair_id,x0,y0,x1,y1\n1,0,0,5,\n", "column y1 has empty/NaN values (row 2)"),
    ("pair_id,x0,y0,x1,y1\n1,0,nan,5,5\n", "column y0 has empty/NaN values (row 2)"),
    ("", "empty pairs file"),
    ("pair_id,x0,y0,x1,y1\n", "no pairs"),
    ("pair_id,x0,y0,x1,y1,width,height\n1,0,0,5,5,-3,4\n", "non-positive target size"),
    ("pair_id,x0,y0,x1,y1,width\n1,0,0,5,5,30\n", "column height is missing"),
    ("pair_id,x0,y0,x1,y1,width,height\n1,0,0,5,5,30,20\n2,0,0,9,9,,20\n", "row 3 gives only one of width"),
    ("pair_id,x0,y0,x1,y1,width,height\n1,0,0,5,5,30,20\n2,0,0,5,5,inf,20\n", "column width has an infinite size (row 3)"),
    ("pair_id,x0,y0,x1,y1,width,height\n1,0,0,5,5,nan,20\n", "row 2 gives only one of width and height"),
    ("pair_id,x0,y0,x1,y1\n1,0,0,1e308,1e308\n", "column x1 is beyond 1,000,000 px (row 2)"),
    ("pair_id,x0,y0,x1,y1\n1,0,0,inf,5\n", "column x1 has an infinite value (row 2)"),
    ("pair_id,x0,y0,x1,y1,x0\n1,0,0,5,5,7\n", "column(s) x0 appear more than once"),
    ("pair_id,x0,y0,x1,y1\nNA,0,0,5,5\n,0,0,5,5\n", "column pair_id has empty values"),
    (b"pair_id,x0,y0,x1,y1\ncaf\xe9,0,0,5,5\n", "not UTF-8 text"),
])
def test_bad_pairs(tmp_path, text, message):
    p = tmp_path / "pairs.csv"
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    out = tmp_path / "out.parquet"
    with pytest.raises(HcisimError) as e:
        synth_moves_file(p, out)
    assert message in str(e.value)
    assert "\n" not in str(e.value)
    assert not out.exists() and list(tmp_path.iterdir()) == [p]


def test_a_user_column_is_read_as_text_whatever_its_header_spacing(tmp_path):
    p = tmp_path / "pairs.csv"
    p.write_text("pair_id,x0,y0,x1,y1,\tuser \n1,0,0,50,50,1\n")
    synth_moves_file(p, tmp_path / "o.parquet", candidates=1)  # 1: a SapiMouse subject; was an int: a traceback
    assert (tmp_path / "o.parquet").exists()


def test_a_nan_size_is_an_unknown_size_as_an_empty_one(tmp_path):
    import pyarrow.parquet as pq

    p = tmp_path / "pairs.csv"
    p.write_text("pair_id,x0,y0,x1,y1,width,height\n1,0,0,300,200,nan,nan\n2,0,0,300,200,,\n")
    synth_moves_file(p, tmp_path / "o.parquet", candidates=1)
    t = pq.read_table(tmp_path / "o.parquet").to_pydict()
    ends = {pid: (x, y) for pid, x, y in zip(t["pair_id"], t["x"], t["y"])}  # each pair's last sample
    assert ends == {1: (300.0, 200.0), 2: (300.0, 200.0)}  # unknown size: exactly at (x1, y1)


def test_unknown_profile(tmp_path):
    p = tmp_path / "pairs.csv"
    p.write_text("pair_id,x0,y0,x1,y1\n1,0,0,50,50\n")
    with pytest.raises(HcisimError, match="unknown mouse profile 'nosuch'"):
        synth_moves_file(p, tmp_path / "o.parquet", profile="nosuch")
    with pytest.raises(HcisimError, match="unknown mouse profile"):
        load_profile(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"kind": "something-else"}')
    with pytest.raises(HcisimError, match="not a valid hcisim mouse profile"):
        load_profile(bad)
    assert not (tmp_path / "o.parquet").exists()


def test_unknown_user():
    with pytest.raises(HcisimError, match="has no user 'nobody'"):
        load_profile("balabit").user("nobody")


def test_fit_bad_input(tmp_path):
    with pytest.raises(HcisimError, match="no such file or folder"):
        fit_profile(tmp_path / "nope", "sapimouse", tmp_path / "p.json")
    (tmp_path / "empty").mkdir()
    with pytest.raises(HcisimError, match="no SapiMouse CSV files found"):
        fit_profile(tmp_path / "empty", "sapimouse", tmp_path / "p.json")
    with pytest.raises(HcisimError, match="unknown mouse data format 'xyz'"):
        fit_profile(tmp_path / "empty", "xyz", tmp_path / "p.json")
    bad = tmp_path / "u1"
    bad.mkdir()
    (bad / "s.csv").write_text("time,x\n1,2\n")
    with pytest.raises(HcisimError, match="missing column"):
        fit_profile(tmp_path / "u1", "sapimouse", tmp_path / "p.json")
    ok = tmp_path / "u2"
    ok.mkdir()
    (ok / "s.csv").write_text("client timestamp,button,state,x,y\n0,NoButton,Move,1,1\n10,NoButton,Move,2,2\n")
    with pytest.raises(HcisimError, match="no pointing movements found"):
        fit_profile(ok, "sapimouse", tmp_path / "p.json")
    assert not (tmp_path / "p.json").exists()
