"""The identity quota of ``augment --people new``: no recorded person is named for more than their share."""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc

from simulator.augment import augment_dataset
from simulator.augment.identity import MARGIN, ROUNDS, UNCLEAR, WAVE, IdentityQuota
from simulator.dataset import DatasetWriter, Manifest, read_dataset
from simulator.fidelity.identify import Identifier


class _Named(Identifier):
    """An identification model that names class ``X[:, col]`` of each item: surely (0.98 against 0.01) when the
    item's last column is 1, barely (0.40 against 0.35 for the next class) when it is 0."""

    def __init__(self, col: int = 0) -> None:
        super().__init__(np.array(["p0", "p1", "p2"], dtype=object), np.zeros(0), None)
        self.col = col

    def proba(self, X):
        who, sure, rows = X[:, self.col].astype(int), X[:, -1] == 1, np.arange(len(X))
        p = np.where(sure[:, None], 0.01, 0.25) * np.ones((len(X), 3))
        p[rows, (who + 1) % 3] = np.where(sure, 0.01, 0.35)
        p[rows, who] = np.where(sure, 0.98, 0.40)
        return p


def _quota(cap: int, models: int = 1, margin: float | None = MARGIN) -> IdentityQuota:
    return IdentityQuota("mouse", [_Named(k) for k in range(models)], cap, np.zeros((models, 3), np.int64), margin)


def _items(who, sure: bool = True) -> np.ndarray:
    """A session's five items: model k names ``who[k]`` (one number: every model names it), surely or barely
    (summed over the items, a lead of 22.9 or 0.7 nats over the runner-up)."""
    return np.tile(np.r_[np.atleast_1d(np.asarray(who, float)), float(sure)], (5, 1))


def test_a_draw_naming_a_full_person_is_redrawn_until_one_names_someone_with_room():
    q = _quota(cap=1)
    asked = []

    def redraw(r):
        asked.append(r)
        return [0, 0, 2, 1, 1, 1][r]

    assert q.admit(0, redraw, _items) == 0 and asked == []          # p0 has room: the first draw stays
    assert q.admit(0, redraw, _items) == 2                          # p0 full: redrawn until p2
    assert asked == list(range(WAVE)) and WAVE < 6                  # made one wave at a time, the rest unused
    assert q.named.tolist() == [[1, 0, 1]]
    assert q.counts["redrawn"] == 1 and q.counts["redraws"] == 3 and q.counts["over_cap"] == 0


def test_after_all_redraws_the_draw_naming_the_least_named_person_is_kept():
    q = _quota(cap=1)
    q.named[0] = [1, 3, 1]
    draws = [1] * ROUNDS
    draws[4] = 2  # names p2 (1 session): the least named of the draws, though over the cap too
    kept = q.admit(1, lambda r: draws[r], _items)
    assert kept == 2 and q.named.tolist() == [[1, 3, 2]] and q.counts["over_cap"] == 1


def test_models_that_disagree_do_not_name_a_session_clearly_so_it_is_redrawn():
    """Two models that disagree on who a session looks like: a judge would name it by a coin flip."""
    q = _quota(cap=2, models=2)
    assert q.admit((0, 0), lambda r: None, _items) == (0, 0)
    draws = [(1, 2), (2, 1), (2, 2)] + [(0, 0)] * ROUNDS
    kept = q.admit((0, 1), lambda r: draws[r], _items)
    assert kept == (2, 2) and q.named.tolist() == [[1, 0, 1], [1, 0, 1]]
    stats = q.stats()
    assert stats["models"] == 2 and stats["named"] == {"p0": 1, "p1": 0, "p2": 1} and stats["most_named"] == 1
    assert stats["redraws"] == 3 and stats["margin"] == MARGIN


def test_without_a_margin_models_may_disagree_but_every_one_must_name_someone_with_room():
    """The typing quota's rule."""
    q = _quota(cap=1, models=2, margin=None)
    assert q.admit((0, 1, False), lambda r: None, lambda d: _items(d[:2], d[2])) == (0, 1, False)
    draws = [(0, 2, True), (2, 1, True), (2, 0, True)] + [(0, 0, True)] * ROUNDS  # p0 full for model 0, p1 for 1
    kept = q.admit((0, 2, True), lambda r: draws[r], lambda d: _items(d[:2], d[2]))
    assert kept == (2, 0, True) and q.named.tolist() == [[1, 0, 1], [1, 1, 0]]
    assert q.stats()["margin"] is None and q.counts["redraws"] == 3


def test_a_naming_by_too_small_a_margin_is_redrawn():
    q = _quota(cap=5)
    draws = [(1, False), (0, False), (2, True)] + [(1, True)] * ROUNDS
    kept = q.admit((1, False), lambda r: draws[r], lambda d: _items(*d))
    assert kept == (2, True) and q.named.tolist() == [[0, 0, 1]] and q.counts["redraws"] == 3


def test_when_nothing_is_clear_and_has_room_an_unclear_draw_counts_as_fuller():
    q = _quota(cap=1)
    q.named[0] = [1, 2, 5]
    draws = [(0, False)] + [(2, True)] * ROUNDS
    # p1 (2 sessions, clear) beats p0 (1 session, but unclear: counts as 1 + UNCLEAR)
    assert UNCLEAR >= 2 and q.admit((1, True), lambda r: draws[r], lambda d: _items(*d)) == (1, True)
    assert q.counts["unclear"] == 0 and q.counts["over_cap"] == 1
    q.named[0] = [1, 2 + UNCLEAR, 5]
    # now every clear draw names someone fuller than the unclear one counts: it is kept
    assert q.admit((1, True), lambda r: draws[r], lambda d: _items(*d)) == (0, False)
    assert q.counts["unclear"] == 1 and q.named.tolist() == [[2, 2 + UNCLEAR, 5]]


def test_sessions_named_together_are_named_as_each_alone():
    """A wave's sessions go through each model in one call; one without items stays unnamed."""
    q = _quota(cap=5, models=2)
    sessions = [_items((0, 1), False), np.zeros((0, 3)), _items((2, 2)), _items((1, 1))[:2]]
    together = q.name(sessions)
    alone = [q.name([X])[0] for X in sessions]
    assert together[1] is None and alone[1] is None
    for t, a in zip(together[::2] + together[3:], alone[::2] + alone[3:]):
        assert t[0].tolist() == a[0].tolist() and t[1] == a[1]
    assert [t[1] for t in together if t] == [False, True, True]


def test_a_session_without_items_is_not_counted():
    q = _quota(cap=1)
    assert q.admit(7, lambda r: 0, lambda d: np.zeros((0, 1))) == 7
    assert q.named.sum() == 0 and q.counts["unnamed"] == 1


def _session_rows(root, sid):
    ev = read_dataset(root).events
    return ev.filter(pc.equal(ev["session_id"], sid)).drop_columns(["session_id"])


def test_new_people_spread_over_the_recorded_people_and_the_first_draw_stays(mouse_ds, new_out, tmp_path):
    on, off = new_out, tmp_path / "off"  # on: --factor 3 --people new --seed 3
    augment_dataset(mouse_ds, off, factor=3, people="new", seed=3, identity_quota=False)
    stats = read_dataset(on).manifest.stats["identity_quota"]["mouse"]
    assert stats["people"] == 2 and stats["cap"] == 3 and stats["sessions"] == 6
    assert stats["over_cap"] > 0 or stats["most_named"] <= stats["cap"]
    assert sorted(stats["named"]) == ["p000", "p001"] and sum(stats["named"].values()) >= 6
    assert "identity_quota" not in read_dataset(off).manifest.stats
    # session 0 finds every recorded person with room: it is what --people new draws without the quota
    first = read_dataset(on).sessions[0]
    assert _session_rows(on, first).equals(_session_rows(off, first))


def test_typing_quota_counts_every_new_typist(typing_ds, tmp_path):
    out = tmp_path / "t"
    augment_dataset(typing_ds, out, factor=2, people="new", seed=2)
    stats = read_dataset(out).manifest.stats["identity_quota"]["typing"]
    assert stats["people"] == 2 and stats["sessions"] == 2 * len(read_dataset(typing_ds).sessions)
    assert sum(stats["named"].values()) >= stats["sessions"] - stats["unnamed"]   # the busiest model's count each
    assert stats["most_named"] <= stats["cap"] or stats["over_cap"] > 0


def test_each_modality_caps_by_its_own_new_sessions(mouse_ds, typing_ds, tmp_path):
    """Mouse sessions and typing sessions recorded apart (two people, one of each per person): each quota's cap is
    its own modality's share, ceil(2 new sessions / 2 people) = 1 -- not the run's 4 sessions over 2, which let one
    recorded person be named for both new mouse sessions."""
    mouse, typing = read_dataset(mouse_ds), read_dataset(typing_ds)
    people = {"user13-1min": "13", "user25-1min": "25", "t_01": "13", "t_05": "25"}
    m = Manifest(driver="recorder", coordinate_space=mouse.manifest.coordinate_space, people=people)
    with DatasetWriter(tmp_path / "apart", m) as w:
        for ds in (mouse, typing):
            for sid in ds.sessions:
                w.add_session(sid, events=ds.events.filter(pc.equal(ds.events["session_id"], sid)))
    augment_dataset(tmp_path / "apart", tmp_path / "out", factor=1, people="new", seed=1)
    stats = read_dataset(tmp_path / "out").manifest.stats["identity_quota"]
    for kind in ("mouse", "typing"):
        assert stats[kind]["sessions"] == 2 and stats[kind]["people"] == 2
        assert stats[kind]["cap"] == 1
        assert stats[kind]["most_named"] <= 1 or stats[kind]["over_cap"] > 0
