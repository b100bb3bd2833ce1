"""The privacy guard of ``hcisim augment``: no output item is a near copy of a fitting item.

Distances are recomputed here independently of the guard, the way ``hcisim fidelity`` measures
them (`simulator.fidelity.features.load_items`, `privacy._scale`, `privacy.nearest_distance`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import simulator.mouse
import simulator.typing
from simulator.augment import augment_dataset
from simulator.augment.guard import Guards
from simulator.augment.tasks import extract
from simulator.dataset import read_dataset, validate_dataset
from simulator.fidelity.features import load_items
from simulator.fidelity.privacy import _scale, nearest_distance
from simulator.readers.hcisim import read_pointer as read_pointer_logs
from simulator.mouse.synth import MoveBatch
from simulator.readers.common import cut_movements
from simulator.readers.hcisim import read_typing as read_segments
from simulator.typing.records import KeyEvents

OFFSET = (37.0, 23.0)
"""Where the copier puts a copied movement: the recorded one, shifted on the screen."""


def dcr(fitting: Path, synth: Path, modality: str) -> np.ndarray:
    """Each SYNTH item's distance to its closest FIT item, as the fidelity judge computes it."""
    fit_items, syn_items = load_items(fitting).get(modality), load_items(synth).get(modality)
    if syn_items is None:
        return np.zeros(0)
    mu, sd = _scale(fit_items.V)
    return nearest_distance((fit_items.V - mu) / sd, (syn_items.V - mu) / sd)


def guard_stats(out: Path, modality: str) -> dict:
    return read_dataset(out).manifest.stats["privacy_guard"][modality]


def mouse_copier(fitting: Path, share: float, offset=OFFSET):
    """A generator that replays recorded movements (consecutive ones of the person it is asked to move as,
    shifted by ``offset``) for ``share`` of the movements asked for and moves genuinely otherwise; which
    ones it copies comes from its rng."""
    genuine = simulator.mouse.synth_moves
    everyone = cut_movements(read_pointer_logs(fitting))
    people = read_dataset(fitting).manifest.people
    person = np.array([people.get(str(sid), str(sid)) for sid in everyone.session], dtype=object)

    def synth_moves(x0, y0, x1, y1, width=None, height=None, *, profile, rng, user=None, device=None):
        copy = rng.random(len(x0)) < share  # drawn first: which ones does not depend on the model's draws
        mine = person == getattr(user, "id", None)
        rec = everyone.subset(mine) if mine.any() else everyone
        first = int(rng.integers(len(rec)))
        real = genuine(x0, y0, x1, y1, width, height, profile=profile, rng=rng, user=user)
        n = len(real)
        parts, px, py = [], real.press_x.copy(), real.press_y.copy()
        for i in range(n):
            if copy[i]:
                j = (first + i) % len(rec)
                t, x, y = rec.one(j)
                parts.append((t, x + offset[0], y + offset[1]))
                px[i], py[i] = rec.press_x[j] + offset[0], rec.press_y[j] + offset[1]
            else:
                parts.append(real.one(i))
        lens = [len(p[0]) for p in parts]
        return MoveBatch(*(np.concatenate([p[k] for p in parts]) for k in range(3)), np.r_[0, np.cumsum(lens)],
                         real.missed & ~copy, real.n_submovements, px, py, real.user)

    return synth_moves


def typing_copier(fitting: Path, share: float):
    """A generator that replays recorded keystroke timings for ``share`` of the texts asked for."""
    genuine = simulator.typing.synth_typing
    rec = [r for r in read_segments(fitting) if len(r) >= 8]

    def synth_typing(texts, *, profile, rng, users=None, **kw):
        copy = rng.random(len(texts)) < share
        pick = rng.integers(len(rec), size=len(texts))
        real = genuine(texts, profile=profile, rng=rng, users=users, **kw)
        for i in np.flatnonzero(copy):
            r = rec[int(pick[i])]
            t = np.r_[r.press_ms, r.release_ms]
            o = np.argsort(t, kind="stable")
            n = len(r)
            real[i] = KeyEvents(t[o], np.r_[["down"] * n, ["up"] * n][o], np.r_[r.key, r.key][o],
                                np.r_[r.code, r.code][o], np.zeros(2 * n, bool), np.zeros(2 * n, bool),
                                texts[i], texts[i])
        return real

    return synth_typing


def test_guard_measures_fitting_items_as_the_judge_does(mouse_ds, typing_ds):
    """One definition of the privacy space: the guard's fitting items are the judge's FIT items."""
    for ds, modality in ((mouse_ds, "mouse"), (typing_ds, "typing")):
        tasks = extract(read_dataset(ds))
        g = Guards.fit(tasks.movements if modality == "mouse" else None,
                       tasks.typing_records if modality == "typing" else None)
        guard, judged = getattr(g, modality), load_items(ds).get(modality)
        assert guard.n_fitting == len(judged) >= 8
        mu, sd = _scale(judged.V)
        assert np.allclose(guard.mu, mu) and np.allclose(guard.sd, sd)
        assert guard.reference == "other sessions" and guard.threshold > 0


@pytest.mark.parametrize("modality", ["mouse", "typing"])
def test_a_copying_generator_is_caught_and_nothing_close_is_written(modality, mouse_ds, typing_ds, tmp_path,
                                                                    monkeypatch):
    ds = mouse_ds if modality == "mouse" else typing_ds
    if modality == "mouse":
        monkeypatch.setattr(simulator.mouse, "synth_moves", mouse_copier(ds, share=0.7))
    else:
        monkeypatch.setattr(simulator.typing, "synth_typing", typing_copier(ds, share=0.5))
    unguarded, guarded = tmp_path / "unguarded", tmp_path / "guarded"
    augment_dataset(ds, unguarded, factor=1, people="same", seed=3, guard_quantile=None)
    augment_dataset(ds, guarded, factor=1, people="same", seed=3)
    st = guard_stats(guarded, modality)
    # without the guard, the copies are there, far below the threshold (a copied movement that follows
    # a genuine one is bent a little where it is pulled onto the last press, so not all are at ~0)
    d_without = dcr(ds, unguarded, modality)
    assert np.mean(d_without < 0.5 * st["threshold"]) >= 0.15
    # with it, the copies were redrawn (the copier copies a share of each redraw too, so 20 rounds resolve
    # nearly all of them)
    assert st["redrawn"] >= 0.2 * st["items"] and st["redraws"] >= st["redrawn"]
    assert st["dropped"] <= 0.05 * st["items"]
    d_with = dcr(ds, guarded, modality)
    assert len(d_with) > 0
    assert d_with.min() >= st["threshold"] * (1 - 1e-9)
    assert validate_dataset(guarded) == []


def test_a_generator_that_only_copies_has_everything_left_out(mouse_ds, tmp_path, monkeypatch):
    # the person's own movements where they were: a shifted copy could leave the area the person used,
    # where the pointer stops at the edge and the copy is no longer one
    monkeypatch.setattr(simulator.mouse, "synth_moves", mouse_copier(mouse_ds, share=1.0, offset=(0.0, 0.0)))
    out = tmp_path / "out"
    augment_dataset(mouse_ds, out, factor=1, people="same", seed=4)
    st = guard_stats(out, "mouse")
    assert st["dropped"] == st["items"] > 0
    assert validate_dataset(out) == []
    ds = read_dataset(out)
    assert ds.actions.num_rows == 0  # every task was skipped with its movement
    assert "move" not in set(ds.events.column("type").to_pylist())


@pytest.mark.parametrize("modality, people", [("mouse", "same"), ("mouse", "new"), ("typing", "same")])
def test_no_output_item_is_closer_than_the_guard_threshold(modality, people, mouse_ds, typing_ds, tmp_path, request):
    if modality == "mouse":  # the factor-3 augments other tests read too (conftest)
        ds, out = mouse_ds, request.getfixturevalue(f"{people}_out")
    else:
        ds, out = typing_ds, tmp_path / "out"
        augment_dataset(ds, out, factor=3, people=people, seed=11)
    st = guard_stats(out, modality)
    assert st["quantile"] == 0.02 and st["reference"] == "other sessions"
    assert st["dropped"] <= 0.02 * st["items"]  # a genuine generator needs a redraw now and then, no more
    d = dcr(ds, out, modality)
    assert len(d) >= 0.8 * st["items"] if modality == "mouse" else len(d) > 0
    assert d.min() >= st["threshold"] * (1 - 1e-9)
