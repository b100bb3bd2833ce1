"""The identity quota of ``augment --people new``: no recorded person is named for more than their share."""

from __future__ import annotations

import numpy as np
import pyarrow.compute as pc

from simulator.augment import augment_dataset
from simulator.augment.identity import ROUNDS, IdentityQuota
from simulator.dataset import read_dataset


class _Named:
    """An identification model that names class ``X[:, col]`` of each item."""

    classes = np.array(["p0", "p1", "p2"], dtype=object)

    def __init__(self, col: int = 0) -> None:
        self.col = col

    def proba(self, X):
        p = np.full((len(X), 3), 0.01)
        p[np.arange(len(X)), X[:, self.col].astype(int)] = 0.98
        return p


def _quota(cap: int, models: int = 1) -> IdentityQuota:
    return IdentityQuota("mouse", [_Named(k) for k in range(models)], cap, np.zeros((models, 3), np.int64))


def _items(who) -> np.ndarray:
    """A session's items: model k names ``who[k]`` (one number: every model names it)."""
    return np.tile(np.atleast_1d(np.asarray(who, float)), (5, 1))


def test_a_draw_naming_a_full_person_is_redrawn_until_one_names_someone_with_room():
    q = _quota(cap=1)
    asked = []

    def redraw(r):
        asked.append(r)
        return [0, 0, 2][r]

    assert q.admit(0, redraw, _items) == 0 and asked == []          # p0 has room: the first draw stays
    assert q.admit(0, redraw, _items) == 2 and asked == [0, 1, 2]   # p0 full: redrawn until p2
    assert q.named.tolist() == [[1, 0, 1]]
    assert q.counts["redrawn"] == 1 and q.counts["redraws"] == 3 and q.counts["over_cap"] == 0


def test_after_all_redraws_the_draw_naming_the_least_named_person_is_kept():
    q = _quota(cap=1)
    q.named[0] = [1, 3, 1]
    draws = [1] * ROUNDS
    draws[4] = 2  # names p2 (1 session): the least named of the draws, though over the cap too
    kept = q.admit(1, lambda r: draws[r], _items)
    assert kept == 2 and q.named.tolist() == [[1, 3, 2]] and q.counts["over_cap"] == 1


def test_with_several_models_every_one_must_name_someone_with_room():
    """Two models that disagree on who a session looks like: the cap holds for each."""
    q = _quota(cap=1, models=2)
    assert q.admit((0, 1), lambda r: None, _items) == (0, 1)
    draws = [(0, 2), (2, 1), (2, 0)]   # p0 is full for model 0, p1 for model 1
    kept = q.admit((0, 2), lambda r: draws[r], _items)
    assert kept == (2, 0) and q.named.tolist() == [[1, 0, 1], [1, 1, 0]]
    stats = q.stats()
    assert stats["models"] == 2 and stats["named"] == {"p0": 1, "p1": 1, "p2": 1} and stats["most_named"] == 1


def test_a_session_without_items_is_not_counted():
    q = _quota(cap=1)
    assert q.admit(7, lambda r: 0, lambda d: np.zeros((0, 1))) == 7
    assert q.named.sum() == 0 and q.counts["unnamed"] == 1


def _session_rows(root, sid):
    ev = read_dataset(root).events
    return ev.filter(pc.equal(ev["session_id"], sid)).drop_columns(["session_id"])


def test_new_people_spread_over_the_recorded_people_and_the_first_draw_stays(mouse_ds, tmp_path):
    on, off = tmp_path / "on", tmp_path / "off"
    augment_dataset(mouse_ds, on, factor=3, people="new", seed=3)
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
