import copy
import json

from replay.compare import compare, token_f1
from tests.replay.sessions import REFERENCE, write_session


def test_identical_sessions_score_perfectly(tmp_path):
    ref = write_session(tmp_path / "ref", REFERENCE, final_state={"email": "ada@example.org"})
    cand = write_session(tmp_path / "cand", copy.deepcopy(REFERENCE), final_state={"email": "ada@example.org"})
    c = compare(ref, cand)
    assert c.task_success is True
    assert c.step_success_rate == 1.0 and c.element_accuracy == 1.0 and c.action_type_accuracy == 1.0
    assert c.missing_steps == [] and c.extra_steps == [] and c.first_divergence is None
    assert c.trajectory_dtw_px == 0.0 and c.duration_ratio == 1.0


def test_each_defect_is_named(tmp_path):
    ref = write_session(tmp_path / "ref", REFERENCE, final_state={"email": "ada@example.org"})
    flawed = copy.deepcopy(REFERENCE)
    flawed[0]["text_typed"] = flawed[0]["text_intended"] = "aad"           # typo
    flawed[2].update(target_name="Cancel", target_selector='css=#cancel', target_testid="cancel",
                     step="click Cancel")                                  # wrong element
    del flawed[3]                                                          # missing step
    for i, a in enumerate(flawed):
        a["action_id"] = i
    cand = write_session(tmp_path / "cand", flawed, final_state={"email": ""})
    c = compare(ref, cand)
    assert c.task_success is False
    assert c.missing_steps == ["type Email"]
    assert c.extra_steps == []
    assert c.wrong_element == ["click Log in -> click Cancel"]
    assert c.wrong_text == ["type Username: 'ada' -> 'aad'"]
    assert c.step_success_rate == 2 / 5
    assert c.first_divergence == "type Username: 'ada' vs 'aad'"  # what differs, not the same label twice
    # over the reference's typed texts: the typo graded, the password right, the never-typed Email 0
    assert c.typed_text_f1 == (token_f1("ada", "aad") + 1.0 + 0.0) / 3


def test_typed_text_f1_ignores_keys_and_is_zero_for_an_agent_that_typed_nothing(tmp_path):
    """A key step (Escape) counted as a perfect text, and an agent that did nothing scored None, not 0."""
    ref = write_session(tmp_path / "ref", REFERENCE)
    nothing = [copy.deepcopy(a) for a in REFERENCE if a["kind"] not in ("type", "select")]
    for i, a in enumerate(nothing):
        a["action_id"] = i
    assert compare(ref, write_session(tmp_path / "cand", nothing)).typed_text_f1 == 0.0
    assert compare(ref, ref).typed_text_f1 == 1.0


def test_a_secret_one_side_never_stored_is_neither_right_nor_wrong(tmp_path):
    """A recording keeps no password: compared with the session it recorded, the password was a "wrong text"
    (None -> the secret, printed) and halved the typed-text F1 of a person who typed everything right."""
    from simulator.dataset import Manifest, write_dataset
    from tests.replay.sessions import events_for

    recorded = copy.deepcopy(REFERENCE)
    recorded[1]["text_typed"] = recorded[1]["text_intended"] = None  # sensitive: stored as its length only
    rec = write_dataset(tmp_path / "rec", Manifest(driver="recorder", seed=0, scenario="hand", sessions=["s0"]),
                        {"events": events_for(REFERENCE), "actions": recorded})
    gen = write_session(tmp_path / "gen", REFERENCE)
    for c in (compare(rec, gen), compare(gen, rec)):
        assert c.wrong_text == [] and c.typed_text_f1 == 1.0 and c.step_success_rate == 1.0, c


def test_an_unknown_task_success_says_which_side_has_no_final_state(tmp_path):
    """A replay has no final_state.json: compare printed task_success: None and left the user guessing why."""
    with_state = write_session(tmp_path / "ref", REFERENCE, final_state={"email": "ada@example.org"})
    without = write_session(tmp_path / "cand", copy.deepcopy(REFERENCE))
    c = compare(with_state, without)
    assert c.task_success is None
    assert c.task_success_note.startswith("task_success unknown: the candidate has no final app state")
    assert "the reference and the candidate have" in compare(without, without).task_success_note
    assert compare(with_state, with_state).task_success_note is None


def test_text_f1_grades_typos():
    assert token_f1("hello", "hello") == 1.0
    assert 0.0 < token_f1("hello", "hlelo") < 1.0
    assert token_f1("abc", "xyz") == 0.0


def test_the_cli_prints_locators_whole(tmp_path):
    """Steps are named by locators such as role=button[name="Cancel"]; a console reading [...] as a style
    tag printed 'click role=button -> click role=button'."""
    import subprocess
    import sys

    ref = write_session(tmp_path / "ref", REFERENCE)
    flawed = copy.deepcopy(REFERENCE)
    flawed[2].update(target_name="Cancel", target_selector='css=#cancel', target_testid="cancel",
                     step='click role=button[name="Cancel"]')
    cand = write_session(tmp_path / "cand", flawed)
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "compare", str(ref), str(cand)], capture_output=True,
                       text=True, env={"COLUMNS": "400", "PATH": ""})
    assert 'click role=button[name="Cancel"]' in r.stdout, r.stdout


def test_the_cli_names_the_sessions_it_compares_and_different_tasks(tmp_path):
    """It always took the first session, without a word, and scored a browser task against a desktop one."""
    import subprocess
    import sys
    from pathlib import Path

    fixtures = Path(__file__).parents[2] / "fixtures"
    checkout, search = fixtures / "checkout_form-offline", fixtures / "search-offline-jsonl"

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "simulator.cli", "compare", *map(str, args), "--json"],
                              capture_output=True, text=True)

    r = cli(checkout, search)
    assert r.returncode == 0, r.stderr
    assert "note: comparing the reference's first session, s00000, of 2 (--session picks another)" in r.stderr
    assert "note: the datasets come from different scenarios (checkout_form, search_results)" in r.stderr
    r = cli(checkout, checkout, "--session", "s00001", "--candidate-session", "s00001")
    assert r.returncode == 0 and "note" not in r.stderr
    assert json.loads(r.stdout)["step_success_rate"] == 1.0
    r = cli(checkout, checkout, "--session", "s00009")
    assert r.returncode == 2 and r.stderr.strip().startswith("error: no session 's00009' in ")


def test_an_out_that_cannot_be_written_is_refused_before_any_score(tmp_path):
    """A folder or a path inside a compared dataset as --out: every score was printed, then exit 2."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from tests.helpers import one_line_error

    ds = tmp_path / "ds"
    shutil.copytree(Path(__file__).parents[2] / "fixtures" / "checkout_form-offline", ds)
    (tmp_path / "folder").mkdir()
    for out, says in ((tmp_path / "folder", "is a folder"), (ds / "page.html", "is inside the reference dataset")):
        r = subprocess.run([sys.executable, "-m", "simulator.cli", "compare", str(ds), str(ds), "--out", str(out)],
                           capture_output=True, text=True)
        one_line_error(r, says)
        assert r.stdout == ""


def test_two_desktop_runs_of_one_task_are_the_same_task_whatever_the_geometry(tmp_path):
    """The Tk app's state holds press times and positions and widget geometry: two desktop runs of one scenario
    always compared as task_success False. The driver keeps what the person did to the app."""
    from simulator.drivers.desktop import task_state

    def state(run):
        return {"app": "hcisim-demo-tk", "format": 1, "reason": "close", "writes": 40 + run, "title": "demo",
                "fields": {"name": "Grace Hopper", "email": "", "password_length": 8, "subscribe": True},
                "list": {"selected_index": 4, "selected_item": "Item 05", "count": 40, "first_visible": run,
                         "row_height": 18, "rows_x": 412, "rows_y": 77 + run},
                "submissions": [{"name": "Grace Hopper", "selected_item": "Item 05"}], "menu_actions": ["Edit > x"],
                "presses": [{"t": 1795544563879.0 + run, "button": "left", "x": 236 + run, "y": 95, "target": "a"}],
                "key_releases": 30 + run, "about_open": False, "status": "Submitted",
                "window": {"x": 0, "y": 32 + run, "w": 800, "h": 600}, "widgets": {"name_entry": {"x": 111 + run}},
                "menus": {"bar": {"x": 0, "y": run}}}

    a, b = (write_session(tmp_path / f"run{i}", copy.deepcopy(REFERENCE), final_state=task_state(state(i)))
            for i in (0, 1))
    assert compare(a, b).task_success is True
    other = state(1)
    other["fields"]["name"] = "Grace"
    c = write_session(tmp_path / "run2", copy.deepcopy(REFERENCE), final_state=task_state(other))
    assert compare(a, c).task_success is False
    raw = write_session(tmp_path / "raw", copy.deepcopy(REFERENCE), final_state=state(1))
    assert compare(write_session(tmp_path / "raw0", copy.deepcopy(REFERENCE), final_state=state(0)),
                   raw).task_success is False  # what it was with the whole state
