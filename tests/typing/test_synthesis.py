from __future__ import annotations

import difflib

import numpy as np
import pyarrow.parquet as pq
import pytest

from simulator.typing import apply_key_events, load_profile, person, synth_typing, synth_typing_file

from .conftest import SENTENCES


@pytest.fixture(scope="module")
def aalto():
    return load_profile("aalto")


def write_csv(path, rows, header="text_id,text,user"):
    import csv

    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header.split(","))
        w.writerows(rows)
    return path


def test_same_seed_same_bytes_other_seed_differs(tmp_path):
    csv_path = write_csv(tmp_path / "t.csv", [(i, s, "") for i, s in enumerate(SENTENCES)] + [("u", "hello there", "01")])
    a, b, c = tmp_path / "a.parquet", tmp_path / "b.parquet", tmp_path / "c.parquet"
    n = synth_typing_file(csv_path, a, profile="freetext", seed=3)
    synth_typing_file(csv_path, b, profile="freetext", seed=3)
    synth_typing_file(csv_path, c, profile="freetext", seed=4)
    assert a.read_bytes() == b.read_bytes()
    assert not pq.read_table(a).equals(pq.read_table(c))  # the events differ, not only the seed in the metadata
    t = pq.read_table(a)
    assert t.num_rows == n and t.column_names == ["text_id", "t_ms", "type", "key", "code"]


def test_output_contract_grouped_ordered_and_types_the_text(tmp_path):
    rows = [(f"id{i}", s, "") for i, s in enumerate(SENTENCES)]
    csv_path = write_csv(tmp_path / "t.csv", rows[::-1])
    out = tmp_path / "o.parquet"
    synth_typing_file(csv_path, out, seed=11)
    t = pq.read_table(out).to_pydict()
    ids = t["text_id"]
    order = list(dict.fromkeys(ids))
    assert order == [r[0] for r in rows[::-1]]
    for tid in order:
        idx = [i for i, x in enumerate(ids) if x == tid]
        assert idx == list(range(idx[0], idx[-1] + 1))  # contiguous
        tm = np.array([t["t_ms"][i] for i in idx])
        assert np.all(np.diff(tm) >= 0)
        first_down = next(t["t_ms"][i] for i in idx if t["type"][i] == "down")
        assert first_down == 0.0
        assert {t["type"][i] for i in idx} == {"down", "up"}
        downs = sum(t["type"][i] == "down" for i in idx)
        assert downs == sum(t["type"][i] == "up" for i in idx)


def test_final_text_exact_without_uncorrected_errors(aalto):
    texts = SENTENCES * 30
    ev = synth_typing(texts, profile=aalto, rng=np.random.default_rng(5), uncorrected_errors=False)
    assert all(apply_key_events(e) == s for e, s in zip(ev, texts))
    assert all(e.text == s for e, s in zip(ev, texts))
    # errors were made and corrected along the way, with Backspace
    assert sum(int(np.sum(e.key == "Backspace")) for e in ev) > 20
    assert sum(int(e.error.sum()) for e in ev) > 10


def test_uncorrected_errors_are_rare_but_present(aalto):
    texts = SENTENCES * 20  # ~50 characters wrong: 0.007, a factor of 4 or more from either bound
    ev = synth_typing(texts, profile=aalto, rng=np.random.default_rng(6))
    wrong = sum(max(len(s), len(e.text)) * (1 - difflib.SequenceMatcher(None, s, e.text).ratio()) for e, s in zip(ev, texts))
    rate = wrong / sum(len(s) for s in texts)
    assert 0.001 < rate < 0.03


def test_events_are_well_formed(aalto):
    ev = synth_typing(SENTENCES * 20 + ["aaa bookkeeper committee"] * 20, profile=aalto, rng=np.random.default_rng(1))
    for e in ev:
        assert np.all(np.diff(e.t_ms) >= 0)
        for code in set(e.code):
            assert code is not None
            downs = np.flatnonzero((e.code == code) & (e.type == "down"))
            ups = np.flatnonzero((e.code == code) & (e.type == "up"))
            assert len(downs) == len(ups) and np.all(downs < ups)
            # a key is released before it is pressed again (double letters, Backspace bursts)
            assert np.all(downs[1:] > ups[:-1])
        # a shifted character is pressed while Shift is held (event order; the capture clock may tie times)
        shift_down = np.flatnonzero((e.key == "Shift") & (e.type == "down"))
        shift_up = np.flatnonzero((e.key == "Shift") & (e.type == "up"))
        for i in np.flatnonzero((e.type == "down") & np.isin(e.key, list("?!\"():"))):
            assert np.any((shift_down < i) & (shift_up > i))


def _what_a_keyboard_would_do(e) -> list[str]:
    """Replays the events on a keyboard's state: each letter's case must be what Shift and CapsLock make of
    it when it goes down, and no key may stay down at the end (held Backspace repeats: downs, one up)."""
    wrong, down, shift, caps = [], set(), 0, False
    for t, kind, key, code in zip(e.t_ms, e.type, e.key, e.code):
        phys = code or key
        if kind == "down":
            shift += key == "Shift"
            caps ^= key == "CapsLock"
            if len(key) == 1 and key.lower() != key.upper() and key.isupper() != ((shift > 0) != caps):
                wrong.append(f"{key!r} at {t:.3f} ms with Shift {'down' if shift else 'up'}")
            down.add(phys)
        else:
            shift -= key == "Shift"
            down.discard(phys)
    return wrong + [f"{k} still down at the end" for k in sorted(down)]


def test_os_captured_typists_send_what_a_keyboard_can(tmp_path):
    """Free-text typists: OS clock jitter once swapped events 0.3 ms apart -- a Shift released after the next
    letter (8 of 300 texts typed 'THe'; 61 for typist 01), a Backspace repeat after its own release (a key
    left down), two letters swapped with every typo corrected."""
    prof = load_profile("freetext")
    texts = SENTENCES * 12
    for users in ([None] * len(texts), ["01"] * len(texts), ["05"] * len(texts)):
        ev = synth_typing(texts, profile=prof, rng=np.random.default_rng(21), users=users, candidates=1,
                          uncorrected_errors=False)
        assert [w for e in ev for w in _what_a_keyboard_would_do(e)] == []
        assert [e.text for e in ev] == texts


def test_skill_moves_along_the_population(aalto):
    rng = np.random.default_rng(2)
    fast = [person(aalto, rng, skill=1.5) for _ in range(42)]
    slow = [person(aalto, rng, skill=-1.5) for _ in range(42)]
    assert np.median([t.median_iki_ms for t in fast]) < 0.6 * np.median([t.median_iki_ms for t in slow])
    # not a multiplier: other parameters (holds, errors) come with speed as in the data, and still vary
    err_fast = np.array([t.error_rate for t in fast])
    assert np.std(err_fast) > 0
    ev_f = synth_typing(SENTENCES * 6, profile=aalto, rng=rng, users=fast)
    ev_s = synth_typing(SENTENCES * 6, profile=aalto, rng=rng, users=slow)
    assert np.median([e.t_ms[-1] for e in ev_f]) < np.median([e.t_ms[-1] for e in ev_s])
    from simulator.errors import HcisimError
    with pytest.raises(HcisimError, match="typist '01' types as fitted"):  # a skill was ignored without a word
        person(load_profile("freetext"), rng, user="01", skill=99)


def test_holds_stay_within_what_people_do_even_for_extreme_texts():
    """Per-text effects and the Backspace shape multiply; no draw may hold a key for minutes."""
    from simulator.typing.model import MAX_HOLD_MS

    from simulator.typing.autorepeat import held, repeats

    prof = load_profile("freetext")
    texts = ["a quiet walk along the old harbour wall, before thr rain came in again"] * 400  # own words
    ev = synth_typing(texts, profile=prof, rng=np.random.default_rng(1), users=["01"] * len(texts))
    for e in ev:
        k = e.to_keystrokes()
        hold = k.release_ms - k.press_ms
        run = held(repeats(k))  # a Backspace held down to auto-repeat: as long as the data's long runs, no longer
        assert np.all(hold[run] <= prof.shared.autorepeat.max_ms + 1.0)
        keys = (k.key != "Shift") & ~run  # Shift spans the keys it shifts and the gap before them
        assert np.sum(keys) and np.all(hold[keys] <= MAX_HOLD_MS + 1.0)


def test_texts_of_one_typist_differ_in_shape_not_only_in_tempo(aalto):
    """Recorded texts of one person differ in how spread out their intervals are; the generator draws
    each text's spread below and above the median (model.TEXT_EFFECTS), so with those effects the
    widths vary over texts more than sampling noise alone gives."""
    import copy

    t = person(aalto, np.random.default_rng(3))
    text = SENTENCES[0] * 3

    def widths(profile):
        ev = synth_typing([text] * 300, profile=profile, rng=np.random.default_rng(4), users=[t] * 300,
                          candidates=1)  # the law's text effects, not the critic's choice among draws
        w = []
        for e in ev:
            li = np.log(np.maximum(np.diff(np.sort(e.to_keystrokes().press_ms)), 1.0))
            p10, p50, p90 = np.percentile(li, (10, 50, 90))
            w.append((p50 - p10, p90 - p50))
        return np.std(np.log(np.array(w)), axis=0)

    assert aalto.shared.text_cov is not None and np.all(np.diag(aalto.shared.text_cov) > 0)
    tempo = np.diag(aalto.shared.text_cov)[[0, 3]]
    fixed, varied = copy.deepcopy(aalto), copy.deepcopy(aalto)
    fixed.shared.text_cov = np.diag([tempo[0], 0, 0, tempo[1], 0, 0])
    varied.shared.text_cov = np.diag([tempo[0], 0.3 ** 2, 0.3 ** 2, tempo[1], 0, 0])
    assert np.all(widths(varied) > widths(fixed) * 1.1)


def test_text_place_marks_edges_and_short_texts():
    from simulator.typing.model import EDGE_KEYS, SHORT_TEXT_KEYS, text_place

    long_n, short_n = SHORT_TEXT_KEYS + 10, 12
    start = np.zeros(long_n + short_n, bool)
    start[[0, long_n]] = True
    place = text_place(start)
    lo, sh = place[:long_n], place[long_n:]
    assert lo[0] == 0 and np.all(lo[1:EDGE_KEYS + 1] == 1) and np.all(lo[-EDGE_KEYS:] == 2)
    assert np.all(lo[EDGE_KEYS + 1:-EDGE_KEYS] == 0)
    assert np.all(sh[1:EDGE_KEYS + 1] == 1) and np.all(sh[-EDGE_KEYS:] == 2) and np.all(sh[EDGE_KEYS + 1:-EDGE_KEYS] == 3)


def test_texts_pause_more_where_the_place_offsets_say(aalto):
    import copy

    prof = copy.deepcopy(aalto)
    text = "the quick brown fox jumps over the lazy dog and then it runs far away from here"
    typist = person(prof, np.random.default_rng(0))

    def edge_share(off):
        prof.shared.place_pause_off = np.asarray(off, float)
        ev = synth_typing([text] * 300, profile=prof, rng=np.random.default_rng(1), users=[typist] * 300,
                          uncorrected_errors=False, candidates=1)
        k = n = 0
        for e in ev:
            d = np.diff(np.sort(e.to_keystrokes().press_ms))
            k += np.sum(d[-3:] > 500)
            n += 3
        return k / n

    assert edge_share([0, 0, 2.0, 0]) > 1.5 * edge_share([0, 0, 0, 0])


def test_synth_typing_skill_option_sets_the_new_typists_speed(tmp_path):
    texts = write_csv(tmp_path / "t.csv", [(i, SENTENCES[i % len(SENTENCES)], "") for i in range(30)])

    def ms_per_key(skill):
        out = tmp_path / f"{skill}.parquet"
        synth_typing_file(texts, out, seed=1, skill=skill, candidates=1)
        t = pq.read_table(out).to_pydict()
        tid, tm = np.array(t["text_id"]), np.array(t["t_ms"])
        return sum(tm[tid == i].max() for i in set(tid)) / (np.array(t["type"]) == "down").sum()

    assert ms_per_key(1.5) < 0.75 * ms_per_key(0.0) < 0.75 * 0.75 * ms_per_key(-1.5)


def test_the_command_types_every_text_exactly_when_told(tmp_path):
    """`--no-uncorrected-errors` is the issue's option for form filling, on the command line too."""
    from tests.helpers import hcisim

    texts = SENTENCES * 8
    csv_path = write_csv(tmp_path / "t.csv", [(i, s, "05") for i, s in enumerate(texts)])
    r = hcisim("synth-typing", "--texts", csv_path, "--out", tmp_path / "o.parquet", "--profile", "freetext",
               "--candidates", "1", "--no-uncorrected-errors")
    assert r.returncode == 0, r.stderr
    t = pq.read_table(tmp_path / "o.parquet").to_pydict()
    ids = np.array(t["text_id"])
    for i, s in enumerate(texts):
        rows = ids == i  # ids 0, 1, ... come back as the integers a CSV reader reads
        typed = apply_key_events({"type": np.array(t["type"])[rows], "key": np.array(t["key"])[rows]})
        assert typed == s, i


@pytest.mark.parametrize("ids, kind", [(["3", "1", "2"], "int64"), (["3", "1.5", "2"], "double"),
                                       (["t3", "1", "2"], "string"), (["3", "nan", "2"], "string"),
                                       (["2024-01-03", "2024-01-01", "x"], "string"),
                                       ([str(2**64 + 1), str(2**64), "2"], "string"),
                                       (["TRUE", "1", "2"], "string"), (["0x1", "1", "2"], "string")])
def test_text_ids_keep_the_type_a_csv_reader_gives_them(tmp_path, ids, kind):
    """Ids 1, 2, 3 came out as the strings '1', '2', '3' while pandas or pyarrow read the texts file's as
    integers: joining the output back to the texts on text_id matched nothing (synth-moves keeps pair_id's
    type the same way)."""
    import pyarrow.csv as pacsv

    csv_path = write_csv(tmp_path / "t.csv", [(i, s) for i, s in zip(ids, SENTENCES)], "text_id,text")
    out = tmp_path / "o.parquet"
    synth_typing_file(csv_path, out, seed=2, candidates=1)
    got = pq.read_table(out)["text_id"]
    assert str(got.type) == kind
    order = list(dict.fromkeys(got.to_pylist()))
    if kind == "string":  # a column a number reader would not keep whole stays as written
        assert order == ids
    else:  # the values and type a CSV reader gives the file's column: a join matches every text
        read = pacsv.read_csv(csv_path)["text_id"]
        assert read.type == got.type and order == read.to_pylist()


def test_workers_give_the_same_bytes(tmp_path):
    """--workers only decides which process types each chunk of 250 texts: the file is the same, byte for byte
    (600 texts: three chunks, new typists and typist 01, the critic choosing among 2 draws)."""
    rows = [(i, SENTENCES[i % len(SENTENCES)][:40], "01" if i % 5 == 0 else "") for i in range(600)]
    csv_path = write_csv(tmp_path / "t.csv", rows)
    for w in (1, 2):
        synth_typing_file(csv_path, tmp_path / f"w{w}.parquet", profile="freetext", seed=2, candidates=2, workers=w)
    assert (tmp_path / "w1.parquet").read_bytes() == (tmp_path / "w2.parquet").read_bytes()


def test_a_repeated_text_id_gives_one_text_per_row_in_input_order(tmp_path):
    """Ids numbering each typist's segments (1, 2, ... per user) repeat across typists; such a file was refused
    whole. As synth-moves does with a repeated pair_id, each row is typed, its events one run in input order."""
    rows = [("1", "first one", "01"), ("2", "second", "01"), ("1", "third text", "05"), ("2", "fourth", "")]
    csv_path = write_csv(tmp_path / "t.csv", rows)
    out = tmp_path / "o.parquet"
    synth_typing_file(csv_path, out, profile="freetext", seed=1, candidates=1, uncorrected_errors=False)
    t = pq.read_table(out).to_pydict()
    ids, tm = t["text_id"], np.asarray(t["t_ms"])
    starts = [0] + [i for i in range(1, len(ids)) if ids[i] != ids[i - 1]] + [len(ids)]
    assert [ids[i] for i in starts[:-1]] == [1, 2, 1, 2]
    for (a, b), (_, text, _) in zip(zip(starts, starts[1:]), rows):
        assert tm[a] == 0 and np.all(np.diff(tm[a:b]) >= 0)
        assert apply_key_events({"type": np.array(t["type"][a:b]), "key": np.array(t["key"][a:b])}) == text


CLUSTERED = ["Great job \U0001F44D\U0001F3FD see you at the caf\u00e9 soon", "family \U0001F468\u200D\U0001F469\u200D\U0001F467 dinner tonight at eight",
             "re\u0301sume\u0301 sent to the team as agreed", "flags \U0001F1EB\U0001F1F7 and \U0001F1E9\U0001F1EA on the wall today"]
"""Texts with characters made of several code points: a skin-toned emoji, a family (ZWJ), letters with a
combining accent, flags (two regional indicators)."""


def test_corrections_never_backspace_into_a_character_of_several_code_points(aalto):
    """Chromium deletes a skin-toned or ZWJ emoji, a flag, with one Backspace: a correction that ran back over
    one deleted a correct character too many in a real field (a pop-per-code-point reading saw the right text)."""
    joined = {"\U0001F3FD", "\u200D", "\U0001F469", "\U0001F467", "\u0301", "\U0001F1F7", "\U0001F1EA"}  # 2nd, 3rd...
    texts = CLUSTERED * 75  # without the guard, 3 to 5 corrections per kind of cluster run back over one
    ev = synth_typing(texts, profile=aalto, rng=np.random.default_rng(3), uncorrected_errors=False)
    deleted: list[str] = []
    for e in ev:
        out: list[str] = []
        for typ, key in zip(e.type, e.key):
            if typ == "down" and key == "Backspace":
                deleted.append(out.pop())
            elif typ == "down" and len(key) == 1:
                out.append(key)
        assert "".join(out) == e.text
    assert len(deleted) > 100  # corrections were made, near the clusters too
    assert not joined & set(deleted), joined & set(deleted)
