"""``hcisim augment``: factor x sessions, people, determinism, task structure, privacy of texts, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from simulator.augment import augment_dataset
from simulator.augment.fit import TYPING_FIT_STEPS
from simulator.augment.tasks import extract
from simulator.dataset import DatasetWriter, Manifest, read_dataset, validate_dataset
from simulator.mouse.fit import FIT_STEPS
from simulator.typing import apply_key_events
from tests.helpers import hcisim, one_line_error
from tests.helpers import data_files


def test_factor_times_sessions_with_the_recorded_people(same_out, mouse_ds):
    src, ds = read_dataset(mouse_ds), read_dataset(same_out)
    assert validate_dataset(same_out) == []
    assert len(ds.sessions) == 3 * len(src.sessions)
    for sid in ds.sessions:  # every new session is attributed to the person of the session it was shaped on
        origin = sid.rsplit("-x", 1)[0]
        assert ds.manifest.people[sid] == src.manifest.people[origin]
    assert set(ds.manifest.people.values()) == {"13", "25"}
    params = {json.loads(p)["person"] for p in ds.actions.column("params").to_pylist()}
    assert params == {"13", "25"}


def test_manifest_names_source_and_profiles(same_out, mouse_ds):
    m = read_dataset(same_out).manifest
    assert m.source["dataset_sha256"] == read_dataset(mouse_ds).manifest.content_sha256()
    assert m.seed == 5 and m.driver == "augment"
    prof = m.profiles["mouse"]
    assert prof["sha256"] == m.files[prof["path"]].sha256  # the stored profile is the one named
    users = json.loads((same_out / prof["path"]).read_text())["users"]
    assert set(users) == {"13", "25"}  # the profile's users are the dataset's people, not its sessions
    assert "typing" not in m.profiles


def test_same_seed_same_bytes_other_seed_other_data(same_out, mouse_ds, tmp_path):
    again = tmp_path / "again"
    augment_dataset(mouse_ds, again, factor=3, people="same", seed=5)
    assert data_files(again) == data_files(same_out)
    a, b = (json.loads((p / "manifest.json").read_text()) for p in (again, same_out))
    for m in (a, b):
        del m["created_at"]
    assert a == b
    other = tmp_path / "other"
    augment_dataset(mouse_ds, other, factor=3, people="same", seed=6)
    assert data_files(other)["events.parquet"] != data_files(same_out)["events.parquet"]


def test_sessions_made_in_chunks_on_workers_are_the_same_bytes(same_out, mouse_ds, tmp_path, monkeypatch):
    import simulator.augment.generate as generate

    monkeypatch.setattr(generate, "SESSION_CHUNK", 2)  # the 6 new sessions in 3 chunks, on 2 workers
    again = tmp_path / "again"
    augment_dataset(mouse_ds, again, factor=3, people="same", seed=5, workers=2)
    assert data_files(again) == data_files(same_out)
    a, b = (json.loads((p / "manifest.json").read_text()) for p in (again, same_out))
    for m in (a, b):
        del m["created_at"]
    assert a == b  # the privacy guard's counts too, added up over the chunks


def test_task_structure_is_kept_but_not_copied(same_out, mouse_ds):
    src, gen = extract(read_dataset(mouse_ds)), extract(read_dataset(same_out))
    by_sid = {s.session_id: s for s in src.sessions}
    for st in gen.sessions:
        rec = by_sid[st.session_id.rsplit("-x", 1)[0]]
        # as many pointing tasks (a few generated ones may fall under the cutting rule's 20 px)
        assert 0.9 * len(rec.pointing) <= len(st.pointing) <= len(rec.pointing)
    d_rec = np.array([np.hypot(p.press[0] - p.start[0], p.press[1] - p.start[1]) for s in src.sessions
                      for p in s.pointing])
    d_gen = np.array([np.hypot(p.press[0] - p.start[0], p.press[1] - p.start[1]) for s in gen.sessions
                      for p in s.pointing])
    assert abs(np.median(np.log(d_gen)) - np.median(np.log(d_rec))) < 0.25  # same kind of distances
    rec_starts = {p.start for s in src.sessions for p in s.pointing}
    gen_starts = [p.start for s in gen.sessions for p in s.pointing]
    assert np.mean([s in rec_starts for s in gen_starts]) < 0.2  # resampled with jitter, not copied


def test_pointing_stays_on_the_area_the_person_used_without_piling_on_its_edges(same_out, mouse_ds):
    """The recorded area stands for the person's screen: no sample beyond it, and no more presses exactly
    on its edge than the recording has (a long task near an edge used to be clipped onto it)."""
    src, gen = read_dataset(mouse_ds), read_dataset(same_out)
    people = gen.manifest.people

    def by_person(ds, mapping):
        out: dict = {}
        for e in ds.events.to_pylist():
            if e["x"] is not None:
                out.setdefault(mapping[e["session_id"]], []).append((e["x"], e["y"], e["type"] == "down"))
        return {p: np.array(v) for p, v in out.items()}

    rec, syn = by_person(src, src.manifest.people), by_person(gen, people)
    for person, r in rec.items():
        x0, y0 = r[:, :2].min(axis=0)
        x1, y1 = r[:, :2].max(axis=0)
        s = syn[person]
        assert (s[:, 0] >= x0).all() and (s[:, 0] <= x1).all() and (s[:, 1] >= y0).all() and (s[:, 1] <= y1).all()
        on_edge = lambda a: np.mean(np.isin(a[:, 0], [x0, x1]) | np.isin(a[:, 1], [y0, y1]))
        presses_r, presses_s = r[r[:, 2] == 1], s[s[:, 2] == 1]
        assert on_edge(presses_s) <= on_edge(presses_r) + 0.02, person


def test_new_people_are_nobody_recorded(new_out, mouse_ds):
    m = read_dataset(new_out).manifest
    assert len(m.sessions) == 6 and validate_dataset(new_out) == []
    who = [m.people[s] for s in m.sessions]
    assert len(set(who)) == 6 and not set(who) & {"13", "25"}
    # nor named anywhere in what is meant to be shared: session ids, params, the profiles stored in it (they held
    # each person's fitted parameters under their name, and ids their file names: own-alice_smith-x000)
    src = read_dataset(mouse_ds)
    names = [*src.sessions, *src.manifest.people.values()]
    for f in (p for p in new_out.rglob("*") if p.is_file()):
        data = f.read_bytes()
        assert not [n for n in names if f'"{n}"'.encode() in data or f"{n}-x".encode() in data], f.name
    assert sorted(m.sessions) == [f"s0000{i}-x00{k}" for i in range(2) for k in range(3)]


def test_typing_augment_types_new_texts_of_the_same_kind(typing_ds, tmp_path):
    out = tmp_path / "typed"
    augment_dataset(typing_ds, out, factor=2, people="same", seed=2)
    ds, src = read_dataset(out), read_dataset(typing_ds)
    assert validate_dataset(out) == [] and ds.manifest.profiles.keys() == {"typing"}
    assert {ds.manifest.people[s] for s in ds.sessions} == {"01", "05"}
    recorded = apply_key_events(src.events)
    intended = [t for t in ds.actions.column("text_intended").to_pylist() if t]
    long = [t for t in intended if len(t) >= 15]
    assert long and not any(t in recorded for t in long)  # nobody's own text is passed on
    rec_seg = [s.length for st in extract(src).sessions for s in st.segments]
    gen_seg = [len(t) for t in intended]
    assert len(gen_seg) == 2 * len(rec_seg)
    # read back by the same cutting rule, the segments stay apart (Enter or a pause over 5 s between them)
    assert len(gen_seg) <= sum(len(st.segments) for st in extract(ds).sessions) <= 1.1 * len(gen_seg)
    assert abs(np.median(gen_seg) - np.median(rec_seg)) <= 0.3 * np.median(rec_seg) + 2


def _mixed(mouse_ds: Path, typing_ds: Path, tmp_path: Path, typing_keys: int | None = None) -> Path:
    """One session of a SapiMouse subject's pointing and a free-text typist's keys (the first ``typing_keys``
    key events of them: None, all), interleaved in time, by one person."""
    m_ev = read_dataset(mouse_ds).events.filter(pa.compute.equal(read_dataset(mouse_ds).events["session_id"],
                                                                 "user13-1min"))
    k_ev = read_dataset(typing_ds).events.filter(pa.compute.equal(read_dataset(typing_ds).events["session_id"],
                                                                  "t_05"))
    both = pa.concat_tables([m_ev, k_ev.slice(0, typing_keys)])
    both = both.take(pa.compute.sort_indices(both, [("t_ms", "ascending")]))
    both = both.set_column(0, "session_id", pa.array(["mixed"] * both.num_rows))
    both = both.set_column(1, "seq", pa.array(np.arange(both.num_rows, dtype=np.int64)))
    out = tmp_path / f"mixed-{typing_keys}"
    with DatasetWriter(out, Manifest(driver="recorder", people={"mixed": "ann"})) as w:
        w.add_session("mixed", events=both)
    return out


def test_mixed_sessions_keep_both_modalities_and_fit_them_side_by_side_to_the_same_bytes(mouse_ds, typing_ds,
                                                                                         tmp_path):
    mixed = _mixed(mouse_ds, typing_ds, tmp_path)
    calls: dict[int, list] = {1: [], 2: []}
    for workers in (1, 2):
        augment_dataset(mixed, tmp_path / f"out{workers}", factor=1, people="same", seed=0, workers=workers,
                        progress=lambda done, total: calls[workers].append((done, total)))
        # fitting both models is most of the time: it reports each step, never going back, before the session
        # (side by side too: the worker's steps reach the bar through a queue, and the two parts add up)
        done = [d for d, _ in calls[workers]]
        last = calls[workers][-1]
        assert done == sorted(done) and last[0] == last[1] == FIT_STEPS + TYPING_FIT_STEPS + 1 + 1
        assert sorted(set(done)) == list(range(1, last[1] + 1))  # each critic stage and tilt round too
    out = tmp_path / "out1"
    ev = read_dataset(out).events
    assert {"mouse", "keyboard"} <= set(ev.column("device").to_pylist())
    assert validate_dataset(out) == []
    assert read_dataset(out).manifest.people == {"mixed-x000": "ann"}
    assert data_files(tmp_path / "out2") == data_files(out)  # profiles, events and actions alike


# -- bad input: one line, non-zero exit, nothing at --out ----------------------------------------------

def _empty(tmp_path: Path) -> Path:
    with DatasetWriter(tmp_path / "empty", Manifest(driver="recorder")):
        pass
    return tmp_path / "empty"


def _one_person(mouse_ds: Path, tmp_path: Path) -> Path:
    """The first subject's session alone: a population of one."""
    ds = read_dataset(mouse_ds)
    sid = ds.sessions[0]
    m = Manifest(driver="import", coordinate_space=ds.manifest.coordinate_space,
                 people={sid: ds.manifest.people[sid]})
    with DatasetWriter(tmp_path / "one", m) as w:
        w.add_session(sid, events=ds.events.filter(pc.equal(ds.events["session_id"], sid)))
    return tmp_path / "one"


def _edited_manifest(mouse_ds: Path, tmp_path: Path, edit) -> Path:
    """A copy of the dataset whose manifest ``edit`` changed by hand (docs/augment.md has people mapped so)."""
    import json
    import shutil

    shutil.copytree(mouse_ds, tmp_path / "edited")
    m = json.loads((tmp_path / "edited" / "manifest.json").read_text())
    edit(m)
    (tmp_path / "edited" / "manifest.json").write_text(json.dumps(m))
    return tmp_path / "edited"


def _one_mouse_person(mouse_ds: Path, tmp_path: Path) -> Path:
    """Both subjects, the second with only the start of their session (2 pointing movements): two people, of
    whom one has enough movements to fit -- a mouse population of one."""
    ds = read_dataset(mouse_ds)
    first, second = ds.sessions[:2]
    ev = ds.events.filter(pc.equal(ds.events["session_id"], second))
    downs = np.flatnonzero(np.asarray(ev["type"].to_pylist()) == "down")
    m = Manifest(driver="import", coordinate_space=ds.manifest.coordinate_space,
                 people={s: ds.manifest.people[s] for s in (first, second)})
    with DatasetWriter(tmp_path / "one-mover", m) as w:
        w.add_session(first, events=ds.events.filter(pc.equal(ds.events["session_id"], first)))
        w.add_session(second, events=ev.slice(0, int(downs[2])))
    return tmp_path / "one-mover"


def _few_clicks_and_typing(mouse_ds: Path, typing_ds: Path, tmp_path: Path) -> Path:
    """A session of 1 pointing movement and a typist's session, each its own person (a recorded form's
    sessions without a people map look so): too little mouse to fit, enough typing."""
    mouse, typing = read_dataset(mouse_ds), read_dataset(typing_ds)
    ev = mouse.events.filter(pc.equal(mouse.events["session_id"], "user13-1min"))
    downs = np.flatnonzero(np.asarray(ev["type"].to_pylist()) == "down")
    with DatasetWriter(tmp_path / "few-clicks", Manifest(driver="recorder")) as w:
        w.add_session("user13-1min", events=ev.slice(0, int(downs[2])))
        w.add_session("t_05", events=typing.events.filter(pc.equal(typing.events["session_id"], "t_05")))
    return tmp_path / "few-clicks"


@pytest.mark.parametrize("case, fragment", [
    ("empty", "the dataset is empty"),
    ("no-mouse", "no mouse data to augment"),
    ("factor-0", "--factor must be a whole number >= 1"),
    ("people", "--people must be one of same, new"),
    ("not-a-dataset", "not a dataset"),
    ("factor-huge", "--factor 1000000000000 would write about"),
    ("new-from-one", "--people new draws new people from a population fitted to the dataset's people, and it has "
                     "one (13)"),
    ("new-from-one-mover", "and only one of them (13) has enough mouse data to fit; use --people same"),
    # a misspelt session in a hand-made people map made that session a person of its own, without a word
    ("people-typo", "the manifest's people name session(s) it does not list: user25-1mn (edited by hand?); "
                    "`hcisim validate"),
    ("sessions-cut", "events of session(s) the manifest does not list: "),
    # default --modality all: the mouse could not be fitted, and nothing said the typing could be augmented alone
    ("few-clicks", "few-clicks: too few pointing movements per person to fit a mouse profile (need >= 5 for "
                   "someone; most: 1); --modality typing augments its typing alone"),
    # fitted side by side: the mouse fit refused on the worker, and the typing fit here is given up
    ("few-clicks-workers", "few-clicks: too few pointing movements per person to fit a mouse profile (need >= 5 "
                           "for someone; most: 1); --modality typing augments its typing alone"),
    # ... and the typing fit refused here while the mouse fit goes on on the worker (which is stopped)
    ("few-keys-workers", "mixed-6: too little typing to fit a typing profile (1 segments with 2+ keystrokes; "
                         "need 3); --modality mouse augments its mouse alone"),
    ("workers-0", "--workers must be at least 1, not 0"),
])
def test_bad_input(case, fragment, typing_ds, mouse_ds, tmp_path):
    args = {"empty": lambda: [_empty(tmp_path), "--factor", "2"],
            "no-mouse": lambda: [typing_ds, "--factor", "2", "--modality", "mouse"],
            "factor-0": lambda: [mouse_ds, "--factor", "0"],
            "people": lambda: [mouse_ds, "--factor", "1", "--people", "others"],
            "not-a-dataset": lambda: [tmp_path, "--factor", "1"],
            "factor-huge": lambda: [mouse_ds, "--factor", "1000000000000"],  # no disk holds it: said before fitting
            "new-from-one": lambda: [_one_person(mouse_ds, tmp_path), "--factor", "1", "--people", "new"],
            "new-from-one-mover": lambda: [_one_mouse_person(mouse_ds, tmp_path), "--factor", "1", "--people", "new"],
            "people-typo": lambda: [_edited_manifest(mouse_ds, tmp_path, lambda m: m["people"].update(
                {"user25-1mn": "13"})), "--factor", "1"],
            "sessions-cut": lambda: [_edited_manifest(mouse_ds, tmp_path, lambda m: m.update(
                sessions=m["sessions"][:1], people={s: m["people"][s] for s in m["sessions"][:1]})), "--factor", "1"],
            "few-clicks": lambda: [_few_clicks_and_typing(mouse_ds, typing_ds, tmp_path), "--factor", "1"],
            "few-clicks-workers": lambda: [_few_clicks_and_typing(mouse_ds, typing_ds, tmp_path), "--factor", "1",
                                           "--workers", "2"],
            "few-keys-workers": lambda: [_mixed(mouse_ds, typing_ds, tmp_path, typing_keys=6), "--factor", "1",
                                         "--workers", "2"],
            "workers-0": lambda: [mouse_ds, "--factor", "1", "--workers", "0"],
            }[case]()
    one_line_error(hcisim("augment", *args, "--out", tmp_path / "o"), fragment)
    assert not (tmp_path / "o").exists()
    assert not any(tmp_path.glob(".o.tmp-*"))


def test_cli_augment_writes_a_valid_dataset(typing_ds, tmp_path):
    r = hcisim("augment", typing_ds, "--factor", "1", "--people", "new", "--seed", "3", "--out", tmp_path / "o")
    assert r.returncode == 0, r.stderr
    assert validate_dataset(tmp_path / "o") == []  # what `hcisim validate` checks
    m = read_dataset(tmp_path / "o").manifest
    assert m.source["people"] == "new"
    redrawn = m.stats["identity_quota"]["typing"]["redrawn"]
    assert ("identity quota: " in r.stderr) == (redrawn > 0), r.stderr
    if redrawn:
        assert f"{redrawn} of {m.stats['identity_quota']['typing']['sessions']} new typing people redrawn" in r.stderr


def test_a_session_with_nothing_to_generate_is_said(mouse_ds, typing_ds, tmp_path):
    """A mouse session under --modality typing has no task to redo: it was dropped without a word, leaving
    sessions_in 2, factor 2, sessions_out 2 and nothing left out in the manifest."""
    mouse, typing = read_dataset(mouse_ds), read_dataset(typing_ds)
    m = Manifest(driver="recorder", coordinate_space=mouse.manifest.coordinate_space,
                 people={"user13-1min": "13", "t_05": "05"})
    with DatasetWriter(tmp_path / "both", m) as w:
        for ds, sid in ((mouse, "user13-1min"), (typing, "t_05")):
            w.add_session(sid, events=ds.events.filter(pc.equal(ds.events["session_id"], sid)))
    r = hcisim("augment", tmp_path / "both", "--factor", "2", "--modality", "typing", "--out", tmp_path / "o")
    assert r.returncode == 0, r.stderr
    stats = read_dataset(tmp_path / "o").manifest.stats
    assert stats["sessions_in"] == 2 and stats["sessions_out"] == 2 and stats["sessions_left_out"] == {}
    assert stats["sessions_without_tasks"] == ["user13-1min"]
    assert "1 session(s) had nothing to generate (no pointing movement or typed segment of --modality typing): " \
           "user13-1min" in r.stderr


def test_the_dataset_given_as_dot_is_named_in_the_manifest_and_profile(typing_ds, tmp_path, monkeypatch):
    """`cd data/sapi && hcisim augment . ...` wrote source.dataset '' and a profile whose meta.source was ''.
    (Both profiles take their meta from one place; the typists' is much the quicker to fit.)"""
    monkeypatch.chdir(typing_ds)
    m = augment_dataset(Path("."), tmp_path / "out", factor=1, people="same", seed=0)
    assert m.source["dataset"] == typing_ds.name
    profile = json.loads((tmp_path / "out" / "profiles" / "typing.json").read_text())
    assert profile["metadata"]["source"] == typing_ds.name


def test_same_people_move_like_themselves(same_out, mouse_ds):
    """Subject 25 points much faster than 13 (median ~0.4 s vs ~0.75 s): every session generated as one of
    them is nearer that person's recorded median movement time than the other's."""
    def medians(root):
        return {st.session_id: np.median([p.t_last_move - p.t_start for p in st.pointing])
                for st in extract(read_dataset(root)).sessions}

    rec = {read_dataset(mouse_ds).manifest.people[s]: v for s, v in medians(mouse_ds).items()}
    assert abs(rec["25"] - rec["13"]) > 150
    people = read_dataset(same_out).manifest.people
    for sid, v in medians(same_out).items():
        own, other = people[sid], ({"13", "25"} - {people[sid]}).pop()
        assert abs(v - rec[own]) < abs(v - rec[other]), (sid, v, rec)
