from __future__ import annotations

import numpy as np
import pytest

from simulator.dataset import Manifest, write_dataset
from simulator.typing import fit_profile, load_profile, synth_typing
from simulator.typing.params import P
from simulator.typing.realism import CRITIC_STEPS

from .conftest import SENTENCES


def test_fit_from_an_hcisim_dataset_keeps_typists_apart(tmp_path):
    """Sessions of a recorded hcisim dataset are typists; their texts are cut at pauses like pynput logs."""
    prof = load_profile("freetext")
    rng = np.random.default_rng(4)
    events = []
    who = {"fast": None, "slow": None}
    mus = {u: prof.user_params[u][P["mu"]] for u in prof.users}
    who["fast"], who["slow"] = min(mus, key=mus.get), max(mus, key=mus.get)
    for sid, user in who.items():
        ev = synth_typing(SENTENCES * 3, profile=prof, rng=rng, users=[user] * (len(SENTENCES) * 3))
        t0, seq = 0.0, 0
        for e in ev:
            for t, ty, k, c in zip(e.t_ms, e.type, e.key, e.code):
                events.append(dict(session_id=sid, seq=seq, t_ms=t0 + t, device="keyboard", type=f"key_{ty}",
                                   key=k, code=c))
                seq += 1
            t0 += e.t_ms[-1] + 8000.0  # a break longer than the segmenting pause
    data = write_dataset(tmp_path / "ds", Manifest(driver="offline", seed=1), {"events": events})
    calls = []
    out = fit_profile(data, "hcisim", tmp_path / "fitted.json", progress=lambda d, t: calls.append((d, t)))
    # every step reported, the critic's stages and rounds (most of a large fit's time) included
    assert sorted({d for d, _ in calls}) == list(range(1, 5 + CRITIC_STEPS)) and calls[-1] == (4 + CRITIC_STEPS,) * 2
    fitted = load_profile(out)
    assert sorted(fitted.users) == ["fast", "slow"]
    assert fitted.user_params["fast"][P["mu"]] < fitted.user_params["slow"][P["mu"]] - 0.3
    assert (tmp_path / "fitted.html").read_text().count("data:image/png;base64,") >= 2


def test_imported_transcription_is_cut_at_its_sentences_and_keeps_what_was_meant(tmp_path):
    """An imported Aalto participant's sentences follow each other within a second: the fit's reader ran them
    together into one text of unknown intent, named after the session, where `import` had recorded a `type`
    action per sentence and the person; a sentence with a long pause in it was cut in two."""
    from simulator.readers.hcisim import read_typing, session_of

    ev = synth_typing(SENTENCES[:3], profile=load_profile("aalto"), rng=np.random.default_rng(2))
    events, actions, t0 = [], [], 0.0
    for i, (e, s) in enumerate(zip(ev, SENTENCES[:3])):
        times = np.array(e.t_ms, float)
        if i == 1:  # a 6 s pause in the middle of the sentence: still one sentence
            times[len(times) // 2:] += 6000.0
        for t, ty, k, c in zip(times, e.type, e.key, e.code):
            events.append(dict(session_id="p7", seq=len(events), t_ms=t0 + t, device="keyboard", type=f"key_{ty}",
                               key=k, code=c))
        actions.append(dict(session_id="p7", action_id=i, kind="type", t_start_ms=t0, t_end_ms=t0 + times[-1],
                            text_intended=s, text_typed=s, outcome="ok"))
        t0 += times[-1] + 900.0
    data = write_dataset(tmp_path / "ds", Manifest(driver="import", people={"p7": "7"}),
                         {"events": events, "actions": actions})
    recs = read_typing(data)
    assert [(r.user, session_of(r), r.intended) for r in recs] == [("7", "p7", s) for s in SENTENCES[:3]]


def test_the_data_set_s_licence_goes_only_with_its_own_files(tmp_path):
    """Any file in the Aalto format got the Aalto study's non-commercial licence stamped on its profile; the
    free-text credit went by the word "free" in the path. Its files mixed with one's own keep its terms (they
    were dropped for all when one file was named otherwise)."""
    from simulator.typing.io import data_terms

    (tmp_path / "study").mkdir()
    (tmp_path / "study" / "1002_keystrokes.txt").write_text("x")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "alice.txt").write_text("x")
    (tmp_path / "mine" / "bob.csv").write_text("x")
    assert "licence" in data_terms(tmp_path / "study", "aalto")
    assert data_terms(tmp_path / "mine", "aalto") == data_terms(tmp_path / "mine", "pynput") == {}
    (tmp_path / "mine" / "f_01.csv").write_text("x")
    assert "credit" in data_terms(tmp_path / "mine" / "f_01.csv", "pynput")
    assert "credit" in data_terms(tmp_path / "mine", "pynput")  # one of the study's among one's own
    assert data_terms(tmp_path / "mine", "pynput", read=[tmp_path / "mine" / "bob.csv"]) == {}  # but not read


def test_texts_whose_characters_were_withheld_are_not_read_as_typing(tmp_path):
    """A desktop recording withholds every typed character (as `•`), a browser recording a password's: fitting
    took `•` for a character and ended in a numpy traceback. Such texts are left out, and a dataset of nothing
    else is one line."""
    import json
    import subprocess
    import sys


    from replay.desktop_record import log_to_dataset
    from simulator.augment import augment_dataset
    from simulator.errors import HcisimError
    from simulator.readers.hcisim import read_typing

    def recording(name, texts):
        rows, t = [], 1.79e9
        for text, withheld in texts:
            for key in [*("•" * len(text) if withheld else text), "Enter"]:
                rows += [{"t": t, "type": "key_down", "key": key, "code": None},
                         {"t": t + 0.08, "type": "key_up", "key": key, "code": None}]
                t += 0.2
            t += 10.0
        (tmp_path / f"{name}.jsonl").write_text("\n".join(json.dumps(r) for r in rows))
        return log_to_dataset(tmp_path / f"{name}.jsonl", tmp_path / name)

    mixed = recording("mixed", [("the quick brown fox", False), ("hunter two", True)] * 3)
    assert ["".join(r.key) for r in read_typing(mixed)] == ["the quick brown fox"] * 3
    hidden = recording("hidden", [("hunter two", True)] * 4)
    with pytest.raises(HcisimError, match="every text's characters were withheld"):
        read_typing(hidden)
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "fit", "typing", "--data", str(hidden), "--format",
                        "hcisim", "--out", str(tmp_path / "t.json")], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "withheld" in r.stderr
    assert not (tmp_path / "t.json").exists()
    with pytest.raises(HcisimError, match="0 segments .*; 4 more had their characters withheld"):
        augment_dataset(hidden, tmp_path / "aug", factor=1, modality="typing")


@pytest.mark.parametrize("shift, said", [(-3000.0, r"time goes backwards in session\(s\): s1"),
                                         (float("inf"), r"t_ms not a finite number in session\(s\): s1")])
def test_a_dataset_whose_time_goes_backwards_is_refused_as_validate_reports_it(tmp_path, shift, said):
    """`hcisim validate` calls such a dataset invalid, yet `fit typing|mouse --format hcisim` fitted it without a
    word: the readers take each session in seq order, so a key logged 3 s early was a press before the one typed
    before it. An infinite time is refused too (validate names it apart from reversals)."""

    from simulator.errors import HcisimError
    from simulator.mouse import fit_profile as fit_mouse

    ev = synth_typing(SENTENCES[:4], profile=load_profile("aalto"), rng=np.random.default_rng(3))
    events, t0 = [], 0.0
    for e in ev:
        for t, ty, k, c in zip(e.t_ms, e.type, e.key, e.code):
            events.append(dict(session_id="s1", seq=len(events), t_ms=t0 + t, device="keyboard", type=f"key_{ty}",
                               key=k, code=c))
        t0 += e.t_ms[-1] + 8000.0
    events[40]["t_ms"] += shift
    data = write_dataset(tmp_path / "ds", Manifest(driver="offline", seed=1), {"events": events})
    for fit in (fit_profile, fit_mouse):
        with pytest.raises(HcisimError, match=said + r" .*`hcisim validate") as e:
            fit(data, "hcisim", tmp_path / "p.json")
        assert "\n" not in str(e.value)
    assert not (tmp_path / "p.json").exists()


def test_keys_that_type_no_character_are_refused_in_one_line(tmp_path):
    """A recording of list navigation (arrows, Enter) ended the fit in a numpy traceback ("need at least one array
    to concatenate"): the calibration retypes the recorded texts and there were none."""
    from simulator.errors import HcisimError
    from tests.helpers import hcisim, one_line_error

    events = []
    for s in range(4):
        for i in range(30):
            key = "Enter" if i % 5 == 0 else "ArrowDown"
            for j, (kind, dt) in enumerate((("key_down", 0.0), ("key_up", 80.0))):
                events.append(dict(session_id=f"r{s}", seq=2 * i + j, t_ms=190.0 * i + dt, device="keyboard",
                                   type=kind, key=key, code=key))
    data = write_dataset(tmp_path / "ds", Manifest(driver="desktop-recorder", coordinate_space="screen_px"),
                         {"events": events})
    with pytest.raises(HcisimError, match=r"no text to fit: the \d+ text\(s\) hold only keys that type no character "
                                          r"\(ArrowDown\)"):
        fit_profile(data, "hcisim", tmp_path / "p.json")
    one_line_error(hcisim("fit", "typing", "--data", data, "--format", "hcisim", "--out", tmp_path / "p.json"),
                   "no text to fit", code=2)
    assert not (tmp_path / "p.json").exists() and not (tmp_path / "p.html").exists()


def test_texts_of_one_shifted_key_are_too_little_typing_not_a_traceback(tmp_path):
    """Shift+A counted as two keystrokes, so four such texts passed the "need 3" check and the fit, which times
    keys between modifiers, ended in "need at least one array to concatenate"."""
    from simulator.errors import HcisimError

    keys = [("key_down", "Shift", "ShiftLeft", 0.0), ("key_down", "A", "KeyA", 120.0),
            ("key_up", "A", "KeyA", 200.0), ("key_up", "Shift", "ShiftLeft", 230.0)]
    events = [dict(session_id=f"r{s}", seq=i, t_ms=t, device="keyboard", type=ty, key=k, code=c)
              for s in range(4) for i, (ty, k, c, t) in enumerate(keys)]
    data = write_dataset(tmp_path / "ds", Manifest(driver="desktop-recorder", coordinate_space="screen_px"),
                         {"events": events})
    with pytest.raises(HcisimError, match=r"too little typing to fit \(0 text\(s\) with 2\+ keystrokes besides "
                                          r"modifiers such as Shift; need 3\)"):
        fit_profile(data, "hcisim", tmp_path / "p.json")
    assert not (tmp_path / "p.json").exists()
