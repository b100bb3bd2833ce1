from __future__ import annotations

import copy

import numpy as np

from simulator.typing import load_profile, synth_typing
from simulator.typing.calibrate import _place_pause_counts
from simulator.typing.fit import fit_records
from simulator.typing.layout import get_layout
from simulator.typing.model import synthesise
from simulator.typing.params import P, Typist, expit

from .conftest import SENTENCES


def test_fit_recovers_known_parameters():
    prof = copy.deepcopy(load_profile("aalto"))
    place_truth = np.array([0.0, 1.0, 1.4, 0.0])  # pauses more at a text's first and last intervals
    prof.shared.place_pause_off = place_truth
    rng = np.random.default_rng(12)
    truth = {}
    texts, users = [], []
    for k in range(12):
        t = prof.draw(rng)
        th = t.theta.copy()
        th[P["mu"]] = np.log(150 + 25 * k)            # known tempo spread over typists
        th[P["c_same_finger"]] = 0.25
        th[P["b_shifted"]] = 0.5
        th[P["logit_err"]] = np.log(0.04 / 0.96)
        truth[f"u{k}"] = th
        texts += SENTENCES * 12
        users += [Typist(f"u{k}", th)] * (len(SENTENCES) * 12)
    ev = synth_typing(texts, profile=prof, rng=rng, users=users, candidates=1)  # the law with the known parameters
    recs = []
    for j, (e, s) in enumerate(zip(ev, texts)):
        r = e.to_keystrokes(text_id=str(j))
        r.intended, r.submitted = s, e.text
        recs.append(r)
    res = fit_records(recs, get_layout())
    got = np.stack([res.users[u] for u in truth])
    want = np.stack(list(truth.values()))
    # tempo per typist
    assert np.corrcoef(got[:, P["mu"]], want[:, P["mu"]])[0, 1] > 0.97
    assert np.max(np.abs(got[:, P["mu"]] - want[:, P["mu"]])) < 0.15
    # effects
    assert abs(np.mean(got[:, P["c_same_finger"]]) - 0.25) < 0.08
    assert abs(np.mean(got[:, P["b_shifted"]]) - 0.5) < 0.12
    # hold level and Shift lead per typist
    assert np.corrcoef(got[:, P["h_mu"]], want[:, P["h_mu"]])[0, 1] > 0.9
    assert np.max(np.abs(got[:, P["h_mu"]] - want[:, P["h_mu"]])) < 0.1
    assert np.corrcoef(got[:, P["lead_logit"]], want[:, P["lead_logit"]])[0, 1] > 0.8
    # corrected-error rate (one Backspace burst per corrected typo)
    rate = np.mean(expit(got[:, P["logit_err"]]))
    assert 0.025 < rate < 0.055
    # which two keys follow each other, and which key is held: the population offsets come back
    for fitted, truth_off in ((res.shared.digraph_off, prof.shared.digraph_off),
                              (res.shared.key_hold_off, prof.shared.key_hold_off)):
        common = sorted(set(fitted) & set(truth_off))
        assert len(common) >= 15
        assert np.corrcoef([fitted[k] for k in common], [truth_off[k] for k in common])[0, 1] > 0.6
    # pausing at a text's edges: the data's own first-word and last-word slowing takes part of it, so
    # the offsets are not identifiable alone; what must come back is how often the texts pause there
    assert res.shared.place_pause_off is not None
    again = synthesise(texts, [Typist(u.id, res.users[u.id]) for u in users], res.shared, get_layout(),
                       np.random.default_rng(5))
    want_k, want_n = _place_pause_counts(recs)
    got_k, got_n = _place_pause_counts([e.to_keystrokes() for e in again])
    assert want_k[2] / want_n[2] > 1.3 * want_k[0] / want_n[0]  # the truth pauses more at the end
    assert np.all(np.abs(got_k[:3] / got_n[:3] - want_k[:3] / want_n[:3]) < 0.025)
