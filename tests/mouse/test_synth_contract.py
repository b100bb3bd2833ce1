"""The ``hcisim synth-moves`` file contract: columns, ordering, first/last samples, determinism."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from simulator.mouse import synth_moves_file

PAIRS = """pair_id,x0,y0,x1,y1,width,height
p7,100,200,900,650,40,30
a1,800,300,120,90,,
zz,500,500,530,480,12,12
b2,10,700,1200,40,200,24
"""


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "pairs.csv"
    p.write_text(text)
    return p


@pytest.mark.parametrize("profile", ["sapimouse", "balabit"])
def test_columns_order_and_end_samples(tmp_path, profile):
    rows = synth_moves_file(_write(tmp_path, PAIRS), tmp_path / "out.parquet", profile=profile, seed=3)
    tab = pq.read_table(tmp_path / "out.parquet")
    assert tab.num_rows == rows
    assert tab.column_names == ["pair_id", "t_ms", "x", "y"]
    assert str(tab.schema.field("pair_id").type) == "string"
    assert str(tab.schema.field("t_ms").type) == "double"
    ids = tab["pair_id"].to_pylist()
    # grouped by pair, in input order (not sorted)
    runs = [ids[0]] + [b for a, b in zip(ids, ids[1:]) if a != b]
    assert runs == ["p7", "a1", "zz", "b2"]
    t, x, y = (tab[c].to_numpy() for c in ("t_ms", "x", "y"))
    ids = np.asarray(ids)
    spec = {"p7": (100, 200, 900, 650, 40, 30), "a1": (800, 300, 120, 90, None, None),
            "zz": (500, 500, 530, 480, 12, 12), "b2": (10, 700, 1200, 40, 200, 24)}
    for pid, (x0, y0, x1, y1, w, h) in spec.items():
        m = ids == pid
        assert m.sum() >= 2
        assert t[m][0] == 0.0 and np.all(np.diff(t[m]) >= 0)
        assert (x[m][0], y[m][0]) == (x0, y0)
        if w is None:
            assert (x[m][-1], y[m][-1]) == (x1, y1)
        else:
            assert abs(x[m][-1] - x1) <= w / 2 and abs(y[m][-1] - y1) <= h / 2


@pytest.mark.parametrize("ids, kind", [
    (["5", "2"], "int64"), (["5", "2.5"], "double"),
    # ids a reader would change: dates became date32 (pandas keeps text), whole numbers beyond int64 float64,
    # where 2**64 and 2**64 + 1 were one id
    (["2024-01-02", "2024-01-01"], "string"), ([str(2**64 + 1), str(2**64)], "string"), (["5", "NaN"], "string"),
    # pyarrow's inference made 0x10 the int 16 beside a 16 (two pairs, one id) and 1/0 booleans beside true;
    # pandas keeps both columns as text and reads +2 as 2
    (["0x10", "16"], "string"), (["1", "0", "true"], "string"), (["TRUE", "false"], "bool"), (["+2", "3"], "int64"),
    # full-width and Arabic-Indic digits, a no-break space: pandas keeps text ("１" and "1" were one id, 1)
    (["１", "1"], "string"), (["٣", "2.5"], "string"), (["\xa01", "2"], "string"),
])
def test_pair_ids_keep_the_type_a_csv_reader_gives_them_unless_it_would_change_them(tmp_path, ids, kind):
    text = "pair_id,x0,y0,x1,y1\n" + "".join(f"{i},{100 * n},0,300,200\n" for n, i in enumerate(ids))
    synth_moves_file(_write(tmp_path, text), tmp_path / "o.parquet", candidates=1)
    tab = pq.read_table(tmp_path / "o.parquet")
    assert str(tab.schema.field("pair_id").type) == kind
    got = list(dict.fromkeys(tab["pair_id"].to_pylist()))
    assert got == (ids if kind == "string" else [i == "TRUE" for i in ids] if kind == "bool" else
                   [float(i) if kind == "double" else int(i) for i in ids])


def test_a_repeated_pair_id_gives_one_movement_per_row_in_input_order(tmp_path):
    text = "pair_id,x0,y0,x1,y1\n7,0,0,300,200\n8,300,200,10,10\n7,10,10,600,400\n"
    synth_moves_file(_write(tmp_path, text), tmp_path / "o.parquet", candidates=1)
    tab = pq.read_table(tmp_path / "o.parquet")
    ids, t, x = tab["pair_id"].to_pylist(), tab["t_ms"].to_numpy(), tab["x"].to_numpy()
    starts = [0] + [i for i in range(1, len(ids)) if ids[i] != ids[i - 1]]
    assert [ids[i] for i in starts] == [7, 8, 7] and list(x[starts]) == [0, 300, 10] and not t[starts].any()


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    pairs = _write(tmp_path, PAIRS)
    digest = []
    for name, seed in (("a", 11), ("b", 11), ("c", 12)):
        synth_moves_file(pairs, tmp_path / f"{name}.parquet", seed=seed)
        digest.append(hashlib.sha256((tmp_path / f"{name}.parquet").read_bytes()).hexdigest())
    assert digest[0] == digest[1]
    # the samples differ, not only the seed in the file's provenance
    assert not pq.read_table(tmp_path / "a.parquet").equals(pq.read_table(tmp_path / "c.parquet"))


def test_header_spaces_and_a_byte_order_mark_are_read(tmp_path):
    """Hand-written and spreadsheet-exported pairs files: "pair_id, x0, ..." and a UTF-8 BOM."""
    for name, text in (("spaces.csv", "pair_id, x0, y0, x1, y1\n7,0,0,300,200\n"),
                       ("bom.csv", "\ufeffpair_id,x0,y0,x1,y1\r\n7,0,0,300,200\r\n")):
        (tmp_path / name).write_text(text, encoding="utf-8")
        out = tmp_path / f"{name}.parquet"
        assert synth_moves_file(tmp_path / name, out) > 2
        t = pq.read_table(out)
        assert t.column_names == ["pair_id", "t_ms", "x", "y"] and set(t["pair_id"].to_pylist()) == {7}


def test_long_files_are_made_in_chunks_with_progress(tmp_path, monkeypatch):
    """Chunks bound memory; a person's pairs never straddle two chunks; the bytes are the seed's alone."""
    import simulator.mouse.synth as synth

    monkeypatch.setattr(synth, "CHUNK_PAIRS", 2 * synth.PERSON_BLOCK)
    rng = np.random.default_rng(1)
    rows = "".join(f"{i},{a:.0f},{b:.0f},{c:.0f},{d:.0f}\n" for i, (a, b, c, d) in enumerate(rng.uniform(0, 900, (90, 4))))
    pairs = _write(tmp_path, "pair_id,x0,y0,x1,y1\n" + rows)
    seen = []
    synth_moves_file(pairs, tmp_path / "a.parquet", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(40, 90), (80, 90), (90, 90)]
    assert pq.ParquetFile(tmp_path / "a.parquet").num_row_groups == 3
    assert pq.read_table(tmp_path / "a.parquet")["pair_id"].unique().to_pylist() == list(range(90))
    synth_moves_file(pairs, tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()


def test_candidates_one_is_the_law_alone_and_deterministic(tmp_path, monkeypatch):
    """``--candidates 1`` never asks the critic (the fast path) and is as reproducible as the default."""
    import simulator.mouse.synth as synth

    pairs = _write(tmp_path, PAIRS)
    synth_moves_file(pairs, tmp_path / "critic.parquet", seed=5)

    def no_critic(*a, **k):
        raise AssertionError("the critic was consulted")

    monkeypatch.setattr(synth, "choose", no_critic)
    for name in ("a", "b"):
        synth_moves_file(pairs, tmp_path / f"{name}.parquet", seed=5, candidates=1)
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
    assert not pq.read_table(tmp_path / "a.parquet").equals(pq.read_table(tmp_path / "critic.parquet"))
    assert pq.read_table(tmp_path / "a.parquet")["pair_id"].unique().to_pylist() == ["p7", "a1", "zz", "b2"]


def test_a_device_chosen_for_every_movement_samples_at_its_rate(tmp_path):
    """``--device usb125`` captures every movement at ~8 ms, ``raf60`` at a frame; an unknown name is one line."""
    pairs = _write(tmp_path, "pair_id,x0,y0,x1,y1\n" + "".join(f"{i},{100 + i},{200 + 3 * i},900,650\n"
                                                                 for i in range(60)))

    def median_gap(device):
        out = tmp_path / f"{device}.parquet"
        synth_moves_file(pairs, out, seed=2, device=device)
        t = pq.read_table(out)
        pid, tm = np.asarray(t["pair_id"].to_pylist()), t["t_ms"].to_numpy()
        return float(np.median(np.diff(tm)[pid[1:] == pid[:-1]]))

    assert median_gap("usb125") == pytest.approx(8.0, abs=0.5)
    assert median_gap("raf60") == pytest.approx(16.5, abs=0.6)
    from tests.helpers import hcisim, one_line_error

    r = hcisim("synth-moves", "--pairs", pairs, "--out", tmp_path / "x.parquet", "--device", "mouse3")
    one_line_error(r, "unknown mouse device 'mouse3'", "usb125", code=2)
    assert not (tmp_path / "x.parquet").exists()


def test_a_user_column_moves_a_pair_as_that_recorded_user(tmp_path):
    """SapiMouse user 11 was captured at 125 Hz and user 1 at 60 Hz: pairs named for them are sampled so."""
    rows = "".join(f"{i},{100 + i},{200 + 3 * i},900,650,{'11' if i < 30 else '1'}\n" for i in range(60))
    pairs = _write(tmp_path, "pair_id,x0,y0,x1,y1,user\n" + rows)
    out = tmp_path / "users.parquet"
    synth_moves_file(pairs, out, seed=4)
    t = pq.read_table(out)
    pid, tm = np.asarray(t["pair_id"].to_pylist()), t["t_ms"].to_numpy()
    gap = np.diff(tm)
    same = pid[1:] == pid[:-1]
    assert np.median(gap[same & (pid[1:] < 30)]) == pytest.approx(8.0, abs=1.0)
    assert np.median(gap[same & (pid[1:] >= 30)]) == pytest.approx(17.0, abs=1.0)
    from tests.helpers import hcisim, one_line_error

    bad = _write(tmp_path, "pair_id,x0,y0,x1,y1,user\nq,1,2,300,400,999\n")
    r = hcisim("synth-moves", "--pairs", bad, "--out", tmp_path / "x.parquet")
    one_line_error(r, "pair 'q'", "no user '999'", code=2)


def test_workers_give_the_same_bytes(tmp_path):
    """--workers only decides which process makes each chunk of 500 pairs: the file is the same, byte for byte
    (1,100 pairs: three chunks, new people and a recorded user among them, the critic choosing among 2 draws)."""
    rng = np.random.default_rng(1)
    rows = [f"{i},{','.join(map(str, rng.integers(0, 1000, 4)))},,,{'13' if i % 7 == 0 else ''}" for i in range(1100)]
    pairs = _write(tmp_path, "pair_id,x0,y0,x1,y1,width,height,user\n" + "\n".join(rows) + "\n")
    done = []
    for w in (1, 2):
        synth_moves_file(pairs, tmp_path / f"w{w}.parquet", seed=5, candidates=2, workers=w,
                         progress=lambda d, n: done.append(d))
    assert (tmp_path / "w1.parquet").read_bytes() == (tmp_path / "w2.parquet").read_bytes()
    assert done == [500, 1000, 1100] * 2  # progress after each chunk, in order, either way


def test_a_size_written_as_missing_by_r_or_pandas_is_an_unknown_size(tmp_path):
    """R writes a missing size as NA and pandas' nullable columns as <NA>: both were "column width is not numeric"
    where an empty cell is read as an unknown size."""
    outs = []
    for name, cell in (("empty", ""), ("r", "NA"), ("pandas", "<NA>"), ("null", "NULL")):
        (tmp_path / f"{name}.csv").write_text(f"pair_id,x0,y0,x1,y1,width,height\n1,0,0,300,200,{cell},{cell}\n"
                                              "2,10,10,400,300,40,20\n", encoding="utf-8")
        synth_moves_file(tmp_path / f"{name}.csv", tmp_path / f"{name}.parquet", seed=3)
        outs.append(pq.read_table(tmp_path / f"{name}.parquet"))
    assert all(t.equals(outs[0]) for t in outs[1:])
