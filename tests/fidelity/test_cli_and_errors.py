"""`hcisim fidelity`: report, JSON, thresholds that gate (exit 1), bad input in one line (exit 2)."""

from __future__ import annotations

import json
from copy import deepcopy

import pytest

from simulator.dataset import Manifest, write_dataset
from simulator.errors import HcisimError
from simulator.fidelity import check_thresholds, evaluate, parse_thresholds
from tests.helpers import hcisim
from tests.helpers import one_line_error as any_one_line_error

from .synth_data import Person, copy, write


def one_line_error(r, *fragments: str) -> str:
    return any_one_line_error(r, *fragments, code=2)  # HcisimError, not a failed threshold (1)


def small(path, fx, seed: int):
    """Four of the people, 12 movements and 3 texts each: every measure is taken, in under half the time of the
    shared datasets -- for what is said about the datasets themselves, not for their scores."""
    return write(path, [(f"{path.name}{i}", p) for i, p in enumerate(fx.people[:4])], seed=seed, n_moves=12,
                 n_texts=3)


def test_report_json_and_thresholds(fx, tmp_path):
    real, synth = fx.path("real"), fx.path("slow")
    html, js = tmp_path / "r" / "report.html", tmp_path / "out.json"
    ok = hcisim("fidelity", real, synth, "--out", html, "--json", js, "--fail-under", "auc=0.5",
                "--fail-over", "mouse.coverage=0.9")
    assert ok.returncode == 0, ok.stderr
    doc = json.loads(js.read_text())
    assert doc["metrics"]["mouse.auc"] >= 0.9 and doc["seed"] == 0
    page = html.read_text()
    assert page.count("data:image/png;base64,") >= 6  # ROC, worst features, diversity per modality
    assert page.count("<figcaption>") == page.count("data:image/png;base64,")  # every figure says what it means
    bad = hcisim("fidelity", real, synth, "--out", html, "--fail-over", "auc=0.7", "--fail-under", "coverage=0.85")
    assert bad.returncode == 1
    failed = [ln for ln in bad.stderr.splitlines() if ln.startswith("fidelity threshold failed")]
    assert len(failed) == 4  # auc and coverage, each in both modalities
    assert any("mouse.auc" in ln and "above 0.7" in ln for ln in failed)
    assert any("typing.coverage" in ln and "below 0.85" in ln for ln in failed)
    from simulator.atomic import check_file_out
    from simulator.fidelity import FIDELITY_JSON
    from simulator.report.page import REPORT

    check_file_out(js, replaces=FIDELITY_JSON)  # its own earlier outputs may be replaced (no error)
    check_file_out(html, replaces=REPORT)


def test_a_file_of_yours_as_json_or_out_is_refused_before_the_work(fx, tmp_path):
    """`--json notes.txt` replaced the user's file; a page of theirs at --out was refused only after the work."""
    real, synth = fx.path("real"), fx.path("slow")
    (tmp_path / "notes.txt").write_text("mine\n")
    (tmp_path / "page.html").write_text("<p>mine</p>")
    one_line_error(hcisim("fidelity", real, synth, "--out", tmp_path / "r.html", "--json", tmp_path / "notes.txt"),
                   "notes.txt exists and is not an earlier hcisim fidelity JSON")
    one_line_error(hcisim("fidelity", real, synth, "--out", tmp_path / "page.html"),
                   "page.html exists and is not an hcisim report")
    assert (tmp_path / "notes.txt").read_text() == "mine\n" and not (tmp_path / "r.html").exists()


def test_a_folder_that_is_not_a_dataset_is_named_before_the_out_check(fx, tmp_path):
    """With the report inside a plain folder given as SYNTH, the error was "the report would be inside the
    synthetic dataset" -- of a folder that is no dataset at all."""
    one_line_error(hcisim("fidelity", fx.path("real"), tmp_path, "--out", tmp_path / "y.html"),
                   f"{tmp_path}: not a dataset")


def test_a_threshold_on_a_measure_that_was_not_taken_fails(fx):
    r = fx.result("copy_real")  # no fitting data: no privacy
    problems = check_thresholds(r, parse_thresholds(["mouse.mia_auc=0.6"], "over"))
    assert problems == ["mouse.mia_auc was not measured (--fail-over mouse.mia_auc=0.6)"]
    assert check_thresholds(r, parse_thresholds(["auc=0.6"], "over")) == []
    r = deepcopy(r)
    r.modalities["mouse"].c2st.auc = float("nan")  # a measure that came out NaN was not taken either
    assert check_thresholds(r, parse_thresholds(["mouse.auc=0.6"], "over")) == [
        "mouse.auc was not measured (--fail-over mouse.auc=0.6)"]


@pytest.mark.parametrize("spec, fragment", [("auc", "expected NAME=VALUE"), ("auc=high", "not a finite number"),
                                            ("auc=nan", "not a finite number"), ("auc=inf", "not a finite number"),
                                            ("mouse.nope=1", "unknown measure"), ("keyboard.auc=1", "unknown")])
def test_malformed_thresholds_are_refused(spec, fragment):
    with pytest.raises(HcisimError, match=fragment):
        parse_thresholds([spec], "under")


def test_bad_input_is_refused_in_one_line(fx, tmp_path):
    real = fx.path("real")
    empty = write_dataset(tmp_path / "empty", Manifest(driver="offline", seed=1), {"events": [], "actions": []})
    with pytest.raises(HcisimError, match="empty dataset"):
        evaluate(real, empty)
    wheel = write_dataset(tmp_path / "wheel", Manifest(driver="offline", seed=1), {"events": [
        dict(session_id="s", seq=i, t_ms=i * 10.0, device="wheel", type="wheel", x=1.0, y=1.0, dx=0.0, dy=10.0)
        for i in range(5)]})
    with pytest.raises(HcisimError, match="no pointing movements"):
        evaluate(wheel, real)
    screen = write(tmp_path / "screen", [("q0", fx.people[0])], seed=9, n_moves=12, n_texts=2,
                   coordinate_space="screen_px")
    with pytest.raises(HcisimError, match="coordinate spaces differ"):
        evaluate(real, screen)
    with pytest.raises(HcisimError, match="coordinate spaces differ"):
        evaluate(real, real, fitting=screen)
    # typing has no coordinate space: an Aalto import (viewport) against pynput logs (screen) compares
    keys = {name: write(tmp_path / name, [(f"{name}{k}", p) for k, p in enumerate(fx.people)], seed=k + 3,
                        n_texts=12, mouse=False, coordinate_space=space)
            for k, (name, space) in enumerate([("kv", "viewport_css_px"), ("ks", "screen_px")])}
    assert list(evaluate(keys["kv"], keys["ks"], fitting=keys["ks"]).modalities) == ["typing"]
    # through the command: one line, exit 2, nothing written
    one_line_error(hcisim("fidelity", real, empty, "--out", tmp_path / "r.html"), "empty dataset")
    one_line_error(hcisim("fidelity", real, real, "--out", tmp_path / "r.html", "--fail-under", "auc=high"),
                   "not a finite number")
    assert not (tmp_path / "r.html").exists()


def test_a_modality_one_side_lacks_is_skipped_with_a_note(fx, tmp_path):
    people = fx.people[:4]
    mouse_only = write(tmp_path / "mouse_only", [(f"m{i}", p) for i, p in enumerate(people)], seed=11, typing=False)
    typing_only = write(tmp_path / "typing_only", [(f"t{i}", p) for i, p in enumerate(people)], seed=12, mouse=False)
    r = evaluate(fx.path("real"), mouse_only)
    assert list(r.modalities) == ["mouse"]
    assert any(n.startswith("typing skipped: SYNTH has fewer than") for n in r.notes)
    with pytest.raises(HcisimError, match="nothing to compare") as e:
        evaluate(mouse_only, typing_only)
    assert "privacy" not in str(e.value)  # not the reason: neither side has what the other has


def test_a_dataset_judged_against_itself_is_said_to_be_one(fx, tmp_path):
    """REAL as SYNTH scored AUC 0.5, coverage 1 and no near-copies (REAL as the fitting data too): a gate passed."""
    real = small(tmp_path / "real", fx, seed=14)
    r = evaluate(real, copy(real, tmp_path / "again"), fitting=real)
    assert {"REAL and SYNTH are the same data: their scores say nothing about a generator",
            "REAL and the fitting data are the same data: their scores say nothing about a generator",
            "SYNTH and the fitting data are the same data: their scores say nothing about a generator"} <= set(r.notes)
    assert not [n for n in fx.result("same", "fit").notes if "same data" in n]  # none of three other pairs


def test_fitting_data_other_than_synth_s_source_is_said(fx, tmp_path):
    """SYNTH made by `augment` names its input by content (source.dataset_sha256). Given REAL and --fitting the
    wrong way round, privacy was measured against data the generator never saw and a privacy gate passed without
    a word; given the right way round, nothing is said."""
    from simulator.dataset import read_dataset

    fit, real, synth = (small(tmp_path / name, fx, seed) for name, seed in (("fit", 15), ("real", 16), ("synth", 17)))
    m = json.loads((synth / "manifest.json").read_text())
    m["driver"] = "augment"
    m["source"] = {"dataset": "fit", "dataset_sha256": read_dataset(fit).manifest.content_sha256()}
    (synth / "manifest.json").write_text(json.dumps(m))
    swapped = evaluate(fit, synth, fitting=real)
    assert "the fitting data (real) is not the dataset SYNTH was augmented from (fit): its privacy figures compare " \
           "SYNTH with data its models were not fitted on" in swapped.notes
    assert "REAL (fit) is the dataset SYNTH was augmented from: REAL should be data the generator did not see" \
           in swapped.notes
    right = evaluate(real, synth, fitting=fit)
    assert not [n for n in right.notes if "augmented from" in n]


def test_people_default_to_one_per_session(fx, tmp_path):
    """Without a people map every session is its own person: no people to share, so no utility."""
    anon = write(tmp_path / "anon", [(f"a{i}", Person(f"ignored{i}", p.mover, p.typist))
                                     for i, p in enumerate(fx.people)], seed=13, people=False)
    named = copy(fx.path("real"), tmp_path / "named")
    r = evaluate(named, anon)
    assert r.modalities["mouse"].people_synth == len(fx.people)
    assert r.modalities["mouse"].utility is None


def test_the_report_s_figures_are_readable_and_say_their_units(fx, tmp_path, monkeypatch):
    """The worst features were drawn on bare axes: typing's hold_p10 ran from 3.6 to 4.6 with nothing saying it is
    the natural log of milliseconds."""
    from simulator.fidelity import write_report
    from tests.helpers import figures_saved, unreadable

    figs = figures_saved(monkeypatch)
    page = write_report(fx.result("same", "fit"), tmp_path / "r.html").read_text()
    assert [p for fig in figs for p in unreadable(fig)] == []
    from simulator.mouse.features import UNITS as MOUSE
    from simulator.typing.features import UNITS as TYPING

    worst = {ax.get_title().split(" (KS")[0]: ax.get_xlabel() for fig in figs for ax in fig.axes
             if " (KS " in ax.get_title()}
    assert len(worst) >= 6 and all(unit == {**MOUSE, **TYPING}[name] for name, unit in worst.items())
    assert "<th>unit of the medians</th>" in page and "<td class='text'>ln ms</td>" in page
