"""Bad input gives one clear HcisimError line and leaves no output file."""

from __future__ import annotations

import numpy as np
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
    # a Fitts difficulty of ~700 bits planned an endless movement (numpy traceback); 1e-12 at x1 = 999999 is a box
    # no float lies inside, so the press could not land in it
    ("pair_id,x0,y0,x1,y1,width,height\n1,0,0,50,5,1e-200,1e-200\n", "column width has a target size under 0.01 px"),
    ("pair_id,x0,y0,x1,y1,width,height\n1,0,0,999999,5,4,1e-12\n", "column height has a target size under 0.01 px"),
    ("pair_id,x0,y0,x1,y1,width\n1,0,0,5,5,30\n", "column height is missing"),
    ("pair_id,x0,y0,x1,y1,width,height\n1,0,0,5,5,30,20\n2,0,0,9,9,,20\n", "row 3 gives only one of width"),
    ("pair_id,x0,y0,x1,y1,width,height\n1,0,0,5,5,30,20\n2,0,0,5,5,inf,20\n", "column width has an infinite size (row 3)"),
    ("pair_id,x0,y0,x1,y1,width,height\n1,0,0,5,5,nan,20\n", "row 2 gives only one of width and height"),
    ("pair_id,x0,y0,x1,y1\n1,0,0,1e308,1e308\n", "column x1 has a value beyond 1,000,000 px (row 2)"),
    ("pair_id,x0,y0,x1,y1\n1,0,0,inf,5\n", "column x1 has an infinite value (row 2)"),
    ("pair_id,x0,y0,x1,y1,x0\n1,0,0,5,5,7\n", "column(s) x0 appear more than once"),
    ("pair_id,x0,y0,x1,y1\nNA,0,0,5,5\n,0,0,5,5\n", "column pair_id has empty values"),
    (b"pair_id,x0,y0,x1,y1\ncaf\xe9,0,0,5,5\n", "not UTF-8 text"),
    ("pair_id,x0,y0,x1,y1\n1,true,0,5,5\n", "column x0 is not numeric"),  # was read as 1
    ("pair_id,x0,y0,x1,y1\n1,0,0,five,5\n", "column x1 is not numeric"),
    ("pair_id,x0,y0,x1,y1\n1,0x10,0,300,5\n", "column x0 is not numeric"),  # was read as 16
    ("pair_id,x0,y0,x1,y1\n1,１２,0,300,5\n", "column x0 is not numeric"),  # pandas: text; was read as 12
    ("pair_id,x0,y0,x1,y1\n  ,0,0,300,5\n", "column pair_id has empty values"),  # an id of spaces
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


def test_a_person_is_found_by_the_data_s_folder_name_too():
    """"user12" (the Balabit and SapiMouse folder) was an unknown user; the profile calls them 12."""
    prof = load_profile("balabit")
    assert [prof.resolve_user(u) for u in ("12", "user12", " 012 ", "12.0")] == ["12"] * 4  # 12.0: as pandas writes
    assert np.array_equal(prof.user("user12").alpha, prof.user("12").alpha)
    assert load_profile("sapimouse").resolve_user("user5.2") == "5"  # SapiMouse's second-session folder
    for odd in ("user99", "12.5", "u12"):
        with pytest.raises(HcisimError, match=f"has no user '{odd}'"):
            prof.user(odd)


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
    # a state the format does not have was fitted as some other event; import refused it
    (ok / "s.csv").write_text("client timestamp,button,state,x,y\n0,NoButton,Move,1,1\n10,Foo,Bar,2,2\n")
    with pytest.raises(HcisimError, match=r"s.csv: unknown mouse state\(s\) Bar"):
        fit_profile(ok, "sapimouse", tmp_path / "p.json")
    assert not (tmp_path / "p.json").exists()


@pytest.mark.parametrize("call,message", [
    (lambda m, r: m.synth_moves([0], [0], [float("nan")], [100], rng=r), "movement 0: x1 has empty/NaN values"),
    (lambda m, r: m.synth_moves([0], [0], [float("inf")], [100], rng=r), "movement 0: x1 has an infinite value"),
    (lambda m, r: m.synth_moves([0, 0], [0, 0], [5, 1e308], [9, 9], rng=r), "movement 1: x1 has a value beyond"),
    (lambda m, r: m.synth_moves([[0, 1]], [[0, 1]], [[9, 9]], [[9, 9]], rng=r), "x0 must be one number per movement"),
    (lambda m, r: m.synth_moves([0], [0], [100], [100], [-40], [20], rng=r), "width has a non-positive target size"),
    (lambda m, r: m.synth_moves([0], [0], [100], [100], [float("inf")], [20], rng=r), "width has an infinite size"),
    (lambda m, r: m.plan_pointing("sapimouse", (0, 0), (100, 100, 1e-50, 20), r), "width has a target size under"),
    (lambda m, r: m.synth_moves([0], [0], [100], [100], [40], rng=r), "height is missing"),
    (lambda m, r: m.synth_moves([0, 0], [0, 0], [9, 9], [9, 9], [4, 4, 4], [4, 4, 4], rng=r), "one size per movement"),
    (lambda m, r: m.synth_moves([0], [0], [100], [100], rng=3), "rng must be a numpy Generator"),
    # an iterator or a set was taken for one user id: "no user '<list_iterator object at 0x...>'"
    (lambda m, r: m.synth_moves([0], [0], [100], [100], rng=r, user=iter(["12"])), "not list_iterator"),
    (lambda m, r: m.synth_moves([0, 1], [0, 1], [9, 9], [9, 9], rng=r, user={"12", "3"}), "in order (a list, a tuple"),
    (lambda m, r: m.synth_moves([0], [0], [100], [100], rng=r, candidates=0), "candidates must be a whole number"),
    (lambda m, r: m.synth_moves([0], [0], [100], [100], rng=r, candidates=1.5), "candidates must be a whole number"),
    (lambda m, r: m.plan_pointing("sapimouse", (float("nan"), 0), (100, 100, 40, 20), r), "start_xy must be finite"),
    (lambda m, r: m.plan_pointing("sapimouse", (0, 0), (100, 100, 4), r), "box_xywh (x, y, w, h) must be 4 numbers"),
    (lambda m, r: m.idle_drift("sapimouse", (100, 100), float("nan"), r), "duration_ms must be 0 to"),
    (lambda m, r: m.idle_drift("sapimouse", (100, 100), float("inf"), r), "duration_ms must be 0 to"),
    (lambda m, r: m.scroll_burst("sapimouse", float("nan"), r), "total_dy must be finite"),
    (lambda m, r: m.scroll_burst("sapimouse", 1e12, r), "total_dy must be finite"),
    (lambda m, r: m.apply_device([0, 5, 3], [0, 1, 2], [0, 1, 2], "raf60", r), "t must not go backwards"),
    (lambda m, r: m.apply_device([0, 5, 9], [0, 1], [0, 1, 2], "raf60", r), "1-D and of one length"),
])
def test_the_python_api_refuses_what_the_file_contract_refuses_in_one_line(call, message):
    """The library's functions check their input as synth-moves checks a pairs file (they gave numpy
    tracebacks, NaN paths, or a width without height silently ignored for the aim)."""
    from simulator import mouse

    with pytest.raises(HcisimError) as e:
        call(mouse, np.random.default_rng(0))
    assert message in str(e.value) and "\n" not in str(e.value)


def test_users_per_movement_may_be_any_ordered_sequence():
    """A range or a pandas Series of ids is one user per movement, as a list is (a range was taken for one id)."""
    from simulator import mouse

    b = mouse.synth_moves([0, 1], [0, 1], [90, 90], [50, 50], rng=np.random.default_rng(0), user=range(1, 3),
                          candidates=1)
    assert b.user == ["1", "2"]


def test_a_large_batch_is_made_in_chunks(monkeypatch):
    """synth_moves holds CHUNK_PAIRS movements' candidates at a time (20,000 movements held 3 GB)."""
    import numpy as np

    from simulator.mouse import synth

    g = np.random.default_rng(3)
    n = synth.CHUNK_PAIRS + 7
    x0, y0, x1, y1 = (g.uniform(0, 1500, n) for _ in range(4))
    seen = []
    features = synth.features

    def spy(t, x, y, offsets):
        seen.append(len(offsets) - 1)
        return features(t, x, y, offsets)

    monkeypatch.setattr(synth, "features", spy)
    b = synth.synth_moves(x0, y0, x1, y1, rng=np.random.default_rng(1), candidates=2)
    assert seen == [2 * synth.CHUNK_PAIRS, 2 * 7]
    assert len(b) == n and len(b.user) == n and b.offsets[-1] == len(b.t_ms)
    assert np.all(b.x[b.offsets[:-1]] == x0) and np.all(b.t_ms[b.offsets[:-1]] == 0.0)  # each starts at its own start
    assert np.all(b.press_x == b.x[b.offsets[1:] - 1])  # and ends at its press


@pytest.mark.parametrize("damage, why", [
    (lambda d: d.update(pop_mean=d["pop_mean"][:5]), "pop_cov is"),
    (lambda d: d["extras"].update(w_ref_px="abc"), "extras.w_ref_px is not a number"),
    (lambda d: next(iter(d["users"].values())).update(alpha=[0.0, 1.0]), "user 1: alpha has 2 values"),
    (lambda d: d["shape"].update(mix_w=d["shape"]["mix_w"][:3]), "the shape mixture does not match"),
])
def test_a_damaged_profile_is_one_line_not_a_numpy_traceback(tmp_path, damage, why):
    """Valid JSON with a list cut short or a number written as text passed the loader and ended the first movement
    in a matmul or float() traceback."""
    import json

    from simulator.mouse.profile import shipped_path

    d = json.loads(shipped_path("sapimouse").read_text())
    damage(d)
    bad = tmp_path / "damaged.json"
    bad.write_text(json.dumps(d))
    with pytest.raises(HcisimError, match=f"damaged.json: not a valid hcisim mouse profile \\({why}"):
        load_profile(bad)


@pytest.mark.parametrize("scale,message", [
    (1e-3, "successive moves are 0.016 ms apart at the median"),  # seconds: fitted movements of 0 ms, exit 0
    (1e3, "successive moves are 1.6e+04 ms apart at the median"),  # microseconds: "no pointing movements found"
    (0.0, "its times never advance between its 40 moves"),
])
def test_a_fit_on_times_in_another_unit_says_so(tmp_path, scale, message):
    """A SapiMouse-format recording of one's own whose clock is not in milliseconds: in seconds it fitted, without
    a word, a profile whose 500 px movements took 0 ms; in microseconds every gap ended a movement."""
    u = tmp_path / "mine" / "user1"
    u.mkdir(parents=True)
    rows = []
    for k in range(4):  # four movements of ten 16 ms moves, each ending in a left press
        t0 = 2000.0 * k
        rows += [f"{(t0 + 16 * i) * scale:g},NoButton,Move,{100 + 30 * i},{200 + 5 * i}" for i in range(10)]
        rows += [f"{(t0 + 170) * scale:g},Left,Pressed,370,245", f"{(t0 + 260) * scale:g},Left,Released,370,245"]
    (u / "s.csv").write_text("client timestamp,button,state,x,y\n" + "\n".join(rows) + "\n")
    with pytest.raises(HcisimError) as e:
        fit_profile(tmp_path / "mine", "sapimouse", tmp_path / "p.json")
    assert message in str(e.value) and "\n" not in str(e.value)
    assert "session user1/s" in str(e.value)
    if scale:
        assert str(e.value).endswith("are its times in another unit? sapimouse times are milliseconds")
    assert not (tmp_path / "p.json").exists()
