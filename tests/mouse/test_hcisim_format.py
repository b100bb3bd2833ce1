"""``fit mouse --format hcisim`` reads the project's own datasets (one user per session)."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.dataset import DatasetWriter, Manifest
from simulator.errors import HcisimError
from simulator.mouse import fit_profile, load_profile, synth_moves
from simulator.readers.hcisim import read_pointer as read_hcisim
from simulator.readers.common import cut_movements


def _events(sid: str, rng, n: int) -> list[dict]:
    b = synth_moves(rng.uniform(0, 1200, n), rng.uniform(0, 700, n), rng.uniform(0, 1200, n),
                    rng.uniform(0, 700, n), profile="sapimouse", rng=rng)
    ev, seq, t0 = [], 0, 0.0
    for i in range(n):
        t, x, y = b.one(i)
        for tt, xx, yy in zip(t, x, y):
            ev.append(dict(session_id=sid, seq=seq, t_ms=t0 + tt, device="mouse", type="move", x=xx, y=yy))
            seq += 1
        tp = t0 + t[-1] + 80
        for typ, dt in (("down", 0.0), ("up", 100.0)):
            ev.append(dict(session_id=sid, seq=seq, t_ms=tp + dt, device="mouse", type=typ, x=x[-1], y=y[-1],
                           button="left"))
            seq += 1
        t0 = tp + 1500
    return ev


def test_fit_from_hcisim_dataset(tmp_path):
    rng = np.random.default_rng(4)
    man = Manifest(driver="offline", seed=1, scenario="t", storage="parquet", screen={"width": 1280, "height": 800},
                   device={"name": "raf60"})
    with DatasetWriter(tmp_path / "ds", man) as w:
        for sid in ("s0", "s1"):
            w.add_session(sid, events=_events(sid, rng, 20), actions=[])
    logs = read_hcisim(tmp_path / "ds")
    assert sorted(lg.user for lg in logs) == ["s0", "s1"]
    mv = cut_movements(logs)
    # all 40 but the few under 4 samples or 20 px: still enough for the fit's realism critic (30), whose fit is
    # most of this test's time (twice the movements took 7.5 s, not 3)
    assert 30 <= len(mv) <= 40
    out = fit_profile(tmp_path / "ds", "hcisim", tmp_path / "own.json")
    assert load_profile(out).users == ["s0", "s1"]


def _dataset(path, sessions: dict[str, int], people: dict[str, str] | None = None, seed: int = 4):
    rng = np.random.default_rng(seed)
    man = Manifest(driver="import", seed=1, storage="parquet", screen={"width": 1280, "height": 800},
                   people=people or {})
    with DatasetWriter(path, man) as w:
        for sid, n in sessions.items():
            w.add_session(sid, events=_events(sid, rng, n), actions=[])
    return path


def test_the_manifest_s_people_are_the_fitted_users_and_a_small_fit_says_it_has_no_critic(tmp_path):
    """`import` names each session's person; the fit named users after sessions, so "as user 1" was unknown. A fit
    too small for the realism critic said nothing, and --candidates silently did nothing."""
    ds = _dataset(tmp_path / "ds", {"a-3min": 8, "a-1min": 8, "b-3min": 8}, {"a-3min": "1", "a-1min": "1",
                                                                         "b-3min": "2"})
    notes = []
    prof = load_profile(fit_profile(ds, "hcisim", tmp_path / "own.json", note=notes.append))
    assert prof.users == ["1", "2"] and prof.critic is None
    assert len(notes) == 1 and "realism critic none" in notes[0] and "--candidates has no effect" in notes[0]
    assert "needs at least 30" in (tmp_path / "own.html").read_text()


def test_a_person_with_too_few_movements_left_out_of_the_fit_is_said(tmp_path):
    """A person with fewer than 5 movements was dropped without a word: moving "as" them then said only that the
    profile had no such user."""
    ds = _dataset(tmp_path / "ds", {"a": 8, "b": 8, "c": 3}, {"a": "1", "b": "2", "c": "3"})
    notes = []
    prof = load_profile(fit_profile(ds, "hcisim", tmp_path / "own.json", note=notes.append))
    assert prof.users == ["1", "2"]
    assert prof.meta["users_left_out"] == {"users": ["3"], "why": "fewer than 5 pointing movements each"}
    assert [n for n in notes if "left out" in n] == [f"{tmp_path / 'own.json'}: 1 user(s) left out, fewer than 5 "
                                                     f"pointing movements each: 3"]


def test_a_refused_fit_report_leaves_the_profile_it_would_have_replaced(tmp_path):
    """`--out good.json` beside a page of the user's own named good.html: the fit said no -- after replacing
    good.json."""
    ds = _dataset(tmp_path / "ds", {"s0": 8})
    earlier = '{"kind": "hcisim-mouse-profile"}'  # an earlier profile: one the fit may replace
    (tmp_path / "good.json").write_text(earlier)
    (tmp_path / "good.html").write_text("<p>mine</p>")
    with pytest.raises(HcisimError, match="good.html exists and is not an hcisim report"):
        fit_profile(ds, "hcisim", tmp_path / "good.json")
    assert (tmp_path / "good.json").read_text() == earlier and (tmp_path / "good.html").read_text() == "<p>mine</p>"


def test_too_little_data_says_how_much_there_was(tmp_path):
    ds = _dataset(tmp_path / "ds", {"s0": 3, "s1": 2})
    with pytest.raises(HcisimError, match=r"movement\(s\) of 2 user\(s\), at most [0-3] of one \(need >= 5"):
        fit_profile(ds, "hcisim", tmp_path / "p.json")
