"""Privacy measures: a copy of the fitting data is flagged, a faithful generator is not; re-identification."""

from __future__ import annotations

import pytest

MODS = ("mouse", "typing")


@pytest.mark.parametrize("mod", MODS)
def test_a_copy_of_the_fitting_data_is_flagged(fx, mod):
    p = fx.result("copy_fit", "fit").modalities[mod].privacy
    assert p is not None
    assert p.dcr_synth_min == 0.0 and p.dcr_synth_median == 0.0
    assert p.frac_below_p1 >= 0.95  # every copied item is closer than almost all real data
    assert p.mia_auc >= 0.95 and p.mia_auc_session >= 0.95


@pytest.mark.parametrize("mod", MODS)
def test_a_faithful_generator_is_no_closer_to_the_fitting_data_than_real_data(fx, mod):
    p = fx.result("same", "fit").modalities[mod].privacy
    assert p.frac_below_p1 <= 0.05
    assert p.dcr_ratio >= 0.8
    assert p.mia_auc <= 0.7


@pytest.mark.parametrize("mod", MODS)
def test_same_people_are_re_identified_as_well_as_their_real_sessions(fx, mod):
    rid = fx.result("same", "fit").modalities[mod].privacy.reid
    assert rid.mode == "same" and rid.people == 8 and rid.chance == pytest.approx(1 / 8)
    assert rid.top1_synth_session >= 0.5
    assert rid.top1_real_session >= 0.375
    assert abs(rid.top1_real_session - rid.top1_synth_session) <= 0.4


@pytest.mark.parametrize("mod", MODS)
def test_new_people_spread_over_recorded_people_unless_they_are_one_of_them(fx, mod):
    spread = fx.result("new", "fit").modalities[mod].privacy.reid
    assert spread.mode == "new" and spread.top1_synth_session is None
    assert sum(spread.attribution.values()) == 16
    assert spread.max_share_over_chance <= 2.5
    collapsed = fx.result("new_collapsed", "fit").modalities[mod].privacy.reid
    assert collapsed.mode == "new"
    assert collapsed.max_share_over_chance >= 4  # half or more of all sessions named as one person


def test_the_chance_null_of_the_largest_share_shrinks_with_more_sessions(fx):
    from simulator.fidelity.privacy import uniform_max_share_over_chance

    few, many = uniform_max_share_over_chance(27, 27), uniform_max_share_over_chance(20000, 27)
    assert 4.0 <= few <= 6.0  # 27 sessions over 27 people: a few land on one person by chance
    assert 1.0 < many < 1.15
    assert uniform_max_share_over_chance(270, 27) < few
    rid = fx.result("new", "fit").modalities["mouse"].privacy.reid
    assert rid.max_share_over_chance_null == uniform_max_share_over_chance(16, 8)
    assert "mouse.reid_max_share_over_chance_null" in fx.result("new", "fit").metrics()


def test_without_fitting_data_privacy_is_skipped_with_a_note(fx):
    r = fx.result("copy_real")
    assert all(m.privacy is None for m in r.modalities.values())
    assert not any(k.split(".")[1].startswith(("dcr", "mia", "reid")) for k in r.metrics())
    assert any("--fitting" in n for n in r.notes)


# -- the generator's guard (used by hcisim augment) ---------------------------------------------------

def test_record_guard_threshold_is_a_quantile_of_distances_to_other_sessions():
    import numpy as np

    from simulator.fidelity.privacy import RecordGuard, leave_session_out_distance

    rng = np.random.default_rng(0)
    # session a: tight pairs (each item's twin is 0.01 away in its own session); session b far from a
    a = np.repeat(rng.normal(0, 1, (50, 3)), 2, axis=0) + rng.normal(0, 0.01, (100, 3))
    b = rng.normal(0, 1, (100, 3)) + 0.5
    V = np.r_[a, b]
    sessions = np.array(["a"] * 100 + ["b"] * 100, dtype=object)
    g = RecordGuard.fit(V, sessions, quantile=0.05)
    Z = (V - g.mu) / g.sd
    d = leave_session_out_distance(Z, sessions)
    brute = np.array([np.min(np.linalg.norm(Z[sessions != s] - z, axis=1)) for z, s in zip(Z, sessions)])
    assert np.allclose(d, brute)
    assert g.reference == "other sessions" and g.threshold == pytest.approx(np.quantile(brute, 0.05))
    assert g.threshold > 0.05  # the same-session twins (distance ~0.01 / sd) do not set it
    assert g.too_close(V).all()  # every fitting item is a copy of itself
    far = V + 5 * g.sd
    assert not g.too_close(far).any()
    near = V[:10] + 0.5 * g.threshold * g.sd / np.sqrt(3)  # moved by half the threshold in standardised units
    assert g.too_close(near).all()
    assert RecordGuard.fit(V, sessions, quantile=0.2).threshold > g.threshold


def test_record_guard_falls_back_to_other_items_and_to_nothing():
    import numpy as np

    from simulator.fidelity.privacy import RecordGuard

    V = np.random.default_rng(1).normal(0, 1, (40, 2))
    one = RecordGuard.fit(V, np.array(["s"] * 40, dtype=object))
    assert one.reference == "other items" and one.threshold > 0
    empty = RecordGuard.fit(np.zeros((0, 2)), np.zeros(0, dtype=object))
    assert empty.threshold == 0 and not empty.too_close(V).any()
    with pytest.raises(ValueError):
        RecordGuard.fit(V, np.array(["s"] * 40, dtype=object), quantile=1.5)
