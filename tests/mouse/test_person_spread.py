"""A person is also how much their movements vary: fitted per user, reproduced when generating."""

from __future__ import annotations

import dataclasses

import numpy as np

from simulator.mouse import load_profile, synth_moves
from simulator.mouse.fit import _user_scales, fit_movements
from simulator.readers.common import Movements


def test_user_scales_recover_known_spreads_and_shrink_small_samples():
    rng = np.random.default_rng(0)
    true = {"calm": -0.4, "plain": 0.0, "jerky": 0.4}
    R, users = [], []
    for u, ls in true.items():
        R.append(rng.standard_normal((400, 5)) * np.exp(ls))
        users += [u] * 400
    R.append(rng.standard_normal((6, 5)) * np.exp(0.8))  # a user with six movements: mostly the population
    users += ["few"] * 6
    scales, pop_sd = _user_scales(np.concatenate(R), np.array(users))
    centre = np.mean([scales[u].mean() for u in true])
    for u, ls in true.items():
        assert abs(scales[u].mean() - centre - ls) < 0.08
    assert abs(scales["few"].mean() - centre) < 0.5  # pulled in from its raw +0.8
    assert np.all(pop_sd > 0.2)


def _batch(prof, user, n=400, seed=3):
    rng = np.random.default_rng(seed)
    ang = rng.uniform(0, 2 * np.pi, n)
    D = rng.uniform(100, 700, n)
    return synth_moves(np.full(n, 900.0), np.full(n, 500.0), 900 + D * np.cos(ang), 500 + D * np.sin(ang),
                       profile=prof, rng=rng, user=[user] * n)


def _durations(b):
    return b.t_ms[b.offsets[1:] - 1]


def test_a_wider_person_varies_more_and_fitting_sees_it():
    prof = load_profile("sapimouse")
    base = prof.user(prof.users[0])
    calm = dataclasses.replace(base, id="calm", log_scale=np.full(len(base.alpha), -0.5))
    wide = dataclasses.replace(base, id="wide", log_scale=np.full(len(base.alpha), 0.4))
    bc, bw = _batch(prof, calm), _batch(prof, wide)
    assert np.std(np.log(_durations(bw))) > 1.2 * np.std(np.log(_durations(bc)))
    # refit on both people's movements: the wide one gets the larger spread
    parts = [(bc, "calm"), (bw, "wide")]
    t, x, y, off, px, py, who = [], [], [], [0], [], [], []
    for b, u in parts:
        t.append(b.t_ms)
        x.append(b.x)
        y.append(b.y)
        off += list(off[-1] + b.offsets[1:])
        px.append(b.press_x)
        py.append(b.press_y)
        who += [u] * len(b)
    last = np.array(off[1:]) - 1
    t_all = np.concatenate(t)
    mv = Movements(t_all, np.concatenate(x), np.concatenate(y), np.array(off), np.concatenate(px),
                   np.concatenate(py), t_all[last], np.array(who), np.array(who))
    fitted = fit_movements(mv, "two", {}, critic=False)  # the spreads are the law's; the critic comes after
    assert fitted.log_scale["wide"].mean() > fitted.log_scale["calm"].mean() + 0.3


def test_generated_variables_stay_inside_the_fitted_range():
    prof = load_profile("sapimouse")
    assert prof.shape.bounds is not None
    far = dataclasses.replace(prof.user(prof.users[0]), alpha=np.full(prof.shape.n_gen, 50.0))
    b = _batch(prof, far, n=50)
    # an absurd offset is held to the fitted range: durations stay within what people did
    assert np.max(_durations(b)) < 10_000
