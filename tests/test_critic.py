"""The realism critic on data whose density ratio is known."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulator.critic import Critic, Trees, _Fixed, draw_tilt, fit_critic, fit_critic_in_stages, resample


def _gauss(rng, n, mean, sd):
    return rng.normal(mean, sd, size=(n, 3))


def test_score_follows_the_true_log_density_ratio():
    rng = np.random.default_rng(0)
    rec, mod = _gauss(rng, 3000, 0.0, 1.0), _gauss(rng, 3000, 0.5, 1.5)
    c = fit_critic(rec, mod, seed=0)
    probe = _gauss(rng, 2000, 0.25, 1.3)
    true = (-0.5 * (probe ** 2).sum(1)) - (-0.5 * (((probe - 0.5) / 1.5) ** 2).sum(1))
    assert np.corrcoef(c.score(probe), true)[0, 1] > 0.95


def test_resampling_moves_the_model_towards_the_recorded_distribution():
    rng = np.random.default_rng(1)
    c = fit_critic(_gauss(rng, 3000, 0.0, 1.0), _gauss(rng, 3000, 0.5, 1.5), seed=0, candidates=8)
    cand = _gauss(rng, 4000 * 8, 0.5, 1.5).reshape(4000, 8, 3)
    pick = resample(c.score(cand.reshape(-1, 3)).reshape(4000, 8), rng)
    kept = cand[np.arange(4000), pick]
    before, after = cand[:, 0], kept
    assert np.abs(after.mean(0)).max() < 0.5 * np.abs(before.mean(0)).min()
    assert np.all(np.abs(after.std(0) - 1.0) < 0.5 * np.abs(before.std(0) - 1.0))


def test_same_distributions_give_a_flat_critic():
    rng = np.random.default_rng(2)
    c = fit_critic(_gauss(rng, 2000, 0.0, 1.0), _gauss(rng, 2000, 0.0, 1.0), seed=0)
    assert c.score(_gauss(rng, 1000, 0.0, 1.0)).std() < 0.25


def test_trees_follow_a_ratio_the_quadratic_form_cannot():
    """The model puts 30 % of its items on a spike (a clock, a typist who never pauses): a step in the
    log ratio that trees follow and a quadratic form smears."""
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(5)
    rec, mod = _gauss(rng, 3000, 0.0, 1.0), _gauss(rng, 6000, 0.0, 1.0)
    mod[rng.random(6000) < 0.3, 0] = 2.5
    c = fit_critic(rec, mod, seed=0)
    assert c.trees is not None
    X, y = np.vstack([rec, mod]), np.r_[np.ones(3000), np.zeros(6000)]
    quadratic = roc_auc_score(y, c._quadratic_score(c.standardise(X)))
    assert roc_auc_score(y, c.score(X)) > quadratic + 0.05
    for _ in range(3):  # Gaussians: the quadratic form is the ratio, trees add little if anything
        g = fit_critic(_gauss(rng, 3000, 0.0, 1.0), _gauss(rng, 3000, 0.5, 1.5), seed=0)
        Z = g.standardise(_gauss(rng, 2000, 0.25, 1.3))
        assert g.trees is None or g.trees(Z).std() < 0.25 * g._quadratic_score(Z).std()


def test_a_correction_stage_fixes_what_resampling_by_the_first_critic_leaves():
    """With few candidates and a model far from the recorded items, resampling by the first critic
    gets only part of the way; the correction, fitted on what it chose, takes the rest further."""
    rng = np.random.default_rng(8)
    rec = _gauss(rng, 3000, 0.0, 1.0)
    k = 8

    def through(critic, n=3000):
        cand = _gauss(rng, n * k, 1.0, 1.3)
        if critic is None:
            return cand[:n]
        pick = resample(critic.score(cand).reshape(n, k), rng)
        return cand.reshape(n, k, 3)[np.arange(n), pick]

    c = fit_critic_in_stages(rec, through, seed=0, stages=2, candidates=k)
    assert c.correction is not None and c.correction.correction is None
    probe = _gauss(rng, 500, 0.5, 1.2)
    first = dataclasses.replace(c, correction=None)
    assert np.allclose(c.score(probe), first.score(probe) + c.correction.score(probe))
    gap = lambda x: np.abs(x.mean(0)).mean()  # noqa: E731
    assert gap(through(c, 20000)) < 0.8 * gap(through(first, 20000))
    assert Critic.from_json(c.to_json()).correction is not None
    assert np.allclose(Critic.from_json(c.to_json()).score(probe), c.score(probe), atol=1e-3)


def test_stored_trees_score_as_scikit_learn_does():
    from sklearn.ensemble import GradientBoostingClassifier

    rng = np.random.default_rng(6)
    rec, mod = _gauss(rng, 2000, 0.0, 1.0), np.abs(_gauss(rng, 2000, 0.0, 1.2))
    c = fit_critic(rec, mod, seed=0)
    Z = c.standardise(np.vstack([rec, mod]))
    y = np.r_[np.ones(2000), np.zeros(2000)]
    gb = GradientBoostingClassifier(n_estimators=25, max_depth=3, min_samples_leaf=40, init=_Fixed(c),
                                    random_state=0).fit(Z, y)
    mine = c._quadratic_score(Z) + Trees.from_sklearn(gb.estimators_[:, 0], gb.learning_rate)(Z, chunk=333)
    assert np.allclose(mine, gb.decision_function(Z), atol=1e-5)


def test_small_data_is_regularised_harder():
    rng = np.random.default_rng(3)
    small = fit_critic(_gauss(rng, 40, 0.0, 1.0), _gauss(rng, 40, 0.3, 1.0), seed=0)
    large = fit_critic(_gauss(rng, 4000, 0.0, 1.0), _gauss(rng, 4000, 0.3, 1.0), seed=0)
    assert small.C <= large.C


def test_missing_features_and_json_round_trip():
    rng = np.random.default_rng(4)
    rec, mod = _gauss(rng, 500, 0.0, 1.0), _gauss(rng, 500, 0.4, 1.0)
    rec[::7, 1] = np.nan  # e.g. no Shift in a text: the feature is undefined
    c = fit_critic(np.abs(rec), np.abs(mod), seed=0)
    probe = np.abs(_gauss(rng, 50, 0.2, 1.0))
    probe[::5, 2] = np.nan
    s = c.score(probe)
    assert np.all(np.isfinite(s))
    assert np.allclose(Critic.from_json(c.to_json()).score(probe), s, atol=1e-4)
    c.trees = Trees(np.array([[1, 0, 2]]), np.array([[0.3, -0.2, 1.1]]), np.array([[0.1, -0.2, 0.3, 0.4]]))
    assert np.allclose(Critic.from_json(c.to_json()).score(probe), c.score(probe), atol=1e-4)
    assert c.log_cols.all()  # non-negative features are read on a log scale


def test_resample_draws_in_proportion_to_exp_score():
    rng = np.random.default_rng(5)
    scores = np.tile(np.log([1.0, 2.0, 5.0, 2.0]), (40000, 1))
    counts = np.bincount(resample(scores, rng), minlength=4) / 40000
    assert counts == pytest.approx([0.1, 0.2, 0.5, 0.2], abs=0.01)


def test_resample_never_keeps_an_impossible_candidate():
    rng = np.random.default_rng(6)
    scores = np.array([[-np.inf, 0.0, -np.inf], [np.nan, -np.inf, 3.0], [-np.inf, -np.inf, -np.inf]])
    for _ in range(50):
        pick = resample(scores, rng)
        assert pick[0] == 1 and pick[1] == 2 and 0 <= pick[2] < 3


def _one_feature_critic(names, name: str, scale: float, weight: float, candidates: int = 8) -> Critic:
    """A hand-made critic whose log ratio is weight * feature / scale: it favours that feature."""
    n = len(names)
    sd = np.ones(n)
    sd[names.index(name)] = scale
    w = np.zeros(n + n * (n + 1) // 2)
    w[names.index(name)] = weight
    return Critic(np.zeros(n, bool), np.zeros(n), np.zeros(n), sd, np.zeros(len(w)), np.ones(len(w)), w, 0.0,
                  candidates)


def test_mouse_synthesis_keeps_the_candidates_the_critic_prefers():
    import copy

    from simulator.mouse import load_profile, synth_moves
    from simulator.mouse.features import NAMES, features

    prof = copy.copy(load_profile("sapimouse"))
    prof.critic = _one_feature_critic(list(NAMES), "duration", 100.0, 3.0)
    rng = np.random.default_rng(0)
    x0, y0, x1, y1 = (rng.uniform(100, 900, 400) for _ in range(4))

    def durations(k):
        b = synth_moves(x0, y0, x1, y1, [40] * 400, [30] * 400, profile=prof, rng=np.random.default_rng(1),
                        candidates=k)
        return features(b.t_ms, b.x, b.y, b.offsets)[:, NAMES.index("duration")], b.missed.mean()

    (d1, miss1), (d8, miss8) = durations(1), durations(8)
    assert np.median(d8) > 1.3 * np.median(d1)
    assert abs(miss8 - miss1) < 0.04  # where the press lands is not the critic's to choose


def test_typing_synthesis_keeps_the_candidates_the_critic_prefers():
    import copy

    from simulator.typing import apply_key_events, load_profile, synth_typing
    from simulator.typing.features import FEATURES

    prof = copy.copy(load_profile("aalto"))
    prof.critic = _one_feature_critic(list(FEATURES), "keys_per_s", 1.0, 10.0)
    texts = ["the quick brown fox jumps over the lazy dog"] * 60

    def speed(k):
        ev = synth_typing(texts, profile=prof, rng=np.random.default_rng(2), candidates=k, uncorrected_errors=False)
        assert all(apply_key_events(e) == t for e, t in zip(ev, texts))
        return np.median([(len(e.t_ms) / 2) / (e.t_ms[-1] / 1000) for e in ev])

    assert speed(8) > 1.1 * speed(1)  # the K draws share a typist: only text-to-text spread to pick from


def test_person_tilts_move_each_person_towards_their_own_records():
    from simulator.critic import fit_tilts

    rng = np.random.default_rng(7)
    # two recorded people on either side of the population; the model makes everyone alike
    rec = np.vstack([_gauss(rng, 400, -0.6, 1.0), _gauss(rng, 400, 0.6, 1.0)])
    who = np.array(["a"] * 400 + ["b"] * 400)
    model = _gauss(rng, 800, 0.0, 1.0)
    c = fit_critic(rec, model, seed=0, candidates=16)
    c.tilt = fit_tilts(c, rec, who, model, who)
    assert set(c.tilt) == {"a", "b"}
    for person, sign in (("a", -1), ("b", 1)):
        cand = _gauss(rng, 2000 * 16, 0.0, 1.0).reshape(2000, 16, 3)
        s = c.score(cand.reshape(-1, 3), np.tile(c.tilt[person], (2000 * 16, 1))).reshape(2000, 16)
        kept = cand[np.arange(2000), resample(s, rng)]
        assert np.all(sign * kept.mean(0) > 0.3)
    # without a person (a new one) the population critic alone: no side is taken
    cand = _gauss(rng, 2000 * 16, 0.0, 1.0).reshape(2000, 16, 3)
    kept = cand[np.arange(2000), resample(c.score(cand.reshape(-1, 3)).reshape(2000, 16), rng)]
    assert np.all(np.abs(kept.mean(0)) < 0.15)
    back = Critic.from_json(c.to_json())
    assert np.allclose(back.score(model[:20], np.tile(back.tilt["a"], (20, 1))),
                       c.score(model[:20], np.tile(c.tilt["a"], (20, 1))), atol=1e-3)



def test_too_few_items_give_no_critic():
    rng = np.random.default_rng(8)
    assert fit_critic(_gauss(rng, 12, 0.0, 1.0), _gauss(rng, 12, 0.5, 1.0)) is None
    assert fit_critic(_gauss(rng, 40, 0.0, 1.0), _gauss(rng, 40, 0.5, 1.0)) is not None


def test_new_people_tilts_vary_as_the_fitted_peoples_do():
    rng = np.random.default_rng(9)
    c = fit_critic(_gauss(rng, 500, 0.0, 1.0), _gauss(rng, 500, 0.3, 1.0), seed=0)
    assert draw_tilt(c, rng) is None  # nobody fitted: no law of tilts
    c.tilt = {"a": np.array([1.0, 0.0, 0.0])}
    assert draw_tilt(c, rng) is None
    c.tilt = {str(i): t for i, t in enumerate(rng.normal([0.5, -1.0, 0.0], [0.2, 1.0, 0.5], size=(12, 3)))}
    T = np.stack(list(c.tilt.values()))
    D = np.stack([draw_tilt(c, rng) for _ in range(20000)])
    assert np.allclose(D.mean(0), T.mean(0), atol=0.03)
    assert np.allclose(np.cov(D.T), np.cov(T.T), atol=0.05)
