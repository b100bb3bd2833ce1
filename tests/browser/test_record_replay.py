"""Sessions recorded on v1 replay on v1 exactly and on v2 (changed build) with the removed button named."""

import json
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from replay.replayer import Replayer
from replay.report import print_summary
from scenarios.apps.web.server import serve
from simulator.dataset import read_dataset, validate_dataset
from tests.live import WEB_SCENARIOS, assert_sent_on_deadlines

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "checkout_form-offline"


def _replay(version: str, recording: Path, out: Path):
    with serve(version) as server:
        return Replayer(recording, server.url, out, timing="fast").run()


@pytest.fixture(scope="module")
def replays(web_runs, tmp_path_factory):
    """Each recording replayed on v1 and v2, and the generated checkout session on v1, four at a time (these
    replays check steps, not timing)."""
    root = tmp_path_factory.mktemp("replays")
    keys = [(version, name) for name in WEB_SCENARIOS for version in ("v1", "v2")]  # checkout_form, the longest, first
    jobs = [(v, web_runs[n].recording, root / f"{n}-{v}") for v, n in keys]
    keys += [("generated", "checkout_form"), ("fixture", "checkout_form")]
    jobs += [("v1", web_runs["checkout_form"].dataset, root / "checkout_form-generated"),
             ("v1", FIXTURE, root / "checkout_form-fixture")]
    with ProcessPoolExecutor(max_workers=4) as pool:
        return dict(zip(keys, pool.map(_replay, *zip(*jobs))))


def test_recordings_are_valid_datasets_with_derived_actions(web_runs):
    for name in WEB_SCENARIOS:
        rec = web_runs[name].recording
        assert validate_dataset(rec) == [], name
        kinds = set(read_dataset(rec).actions.column("kind").to_pylist())
        assert "click" in kinds or "drag" in kinds, name


def test_secrets_never_reach_the_recording(web_runs):
    gen = read_dataset(web_runs["checkout_form"].dataset)
    secrets = [a["text_intended"] for a in gen.actions.to_pylist()
               if a["kind"] == "type" and a["target_name"] in ("Password", "Card number", "Delivery notes")]
    assert len(secrets) == 3
    files = [p for p in web_runs["checkout_form"].recording.rglob("*") if p.is_file()]
    for secret in secrets:
        for f in files:
            assert secret.encode() not in f.read_bytes(), (f.name, "leaks a secret")


def _failed_steps(r) -> list:
    return [(s.step, s.status, s.message, [c for c in s.checkpoints if not c.ok]) for s in r.steps
            if s.status == "failed" or not all(c.ok for c in s.checkpoints)]


@pytest.mark.parametrize("name", WEB_SCENARIOS)
def test_replay_on_v1_passes_every_step(replays, name):
    r = replays["v1", name]
    bad = _failed_steps(r)
    assert not bad and r.passed, bad
    assert validate_dataset(r.out) == []


def test_an_offline_session_reaches_fields_by_tab_on_its_own_build(replays):
    """An offline session's step starts the instant the one before ends: the previous field's last key release was
    taken for this step's first key, the Tab inside the step went unseen, and the replay clicked Phone number and
    then tabbed out of it -- the number went into Street, the street into City, on the build it was made for."""
    actions = read_dataset(FIXTURE).actions.to_pylist()
    assert sum(a["session_id"] == "s00000" and a["outcome"] == "tabbed" for a in actions) == 3
    r = replays["fixture", "checkout_form"]  # its first session, s00000
    bad = _failed_steps(r)
    assert not bad and r.passed, bad
    assert r.final_values and all(c.ok for c in r.final_values), r.final_values


def test_a_generated_session_replays_on_its_own_build(replays, web_runs):
    """QA replays hcisim's own sessions too. This one reaches Phone number by Tab inside its typing step (the
    replayer clicked the field and then sent the Tab: the number went into the next field) and picks Italian
    from the language list's hidden part (clicked where the list hid it: nothing picked)."""
    actions = read_dataset(web_runs["checkout_form"].dataset).actions.to_pylist()
    assert any(a["kind"] == "type" and a["outcome"] == "tabbed" for a in actions)
    r = replays["generated", "checkout_form"]
    bad = _failed_steps(r)
    assert not bad and r.passed, bad
    assert r.final_values and all(c.ok for c in r.final_values), r.final_values


def test_replay_on_v2_finds_moved_and_renamed_elements(replays):
    total = passed = 0
    for name in WEB_SCENARIOS:
        for s in replays["v2", name].steps:
            if name == "search_results" and "Clear" in s.step:
                continue  # the one removed button: no counterpart on v2
            total += 1
            passed += s.status != "failed" and all(c.ok for c in s.checkpoints)
    assert passed / total >= 0.95, (passed, total)
    assert any(s.status == "retargeted" for n in WEB_SCENARIOS for s in replays["v2", n].steps)
    # v2 respells some ids (search-submit -> searchSubmit): found by them, but a test naming the old one
    # would break, so those steps are retargeted; on v1 every step found by its test id or id is ok
    by_handle = {v: [s.status for n in WEB_SCENARIOS for s in replays[v, n].steps if s.strategy in ("testid", "id")]
                 for v in ("v1", "v2")}
    assert by_handle["v1"] and set(by_handle["v1"]) == {"ok"}
    assert set(by_handle["v2"]) == {"ok", "retargeted"}


def test_removed_button_is_the_first_divergence(replays):
    r = replays["v2", "search_results"]
    first = r.first_divergence
    assert first is not None and not r.passed
    assert first.status == "failed" and "Clear" in first.step, first
    assert first.message.startswith("element not found (best score"), first.message  # the step is said once
    console = Console(record=True, width=300)
    print_summary(r, console)
    line = next(ln for ln in console.export_text().splitlines() if ln.startswith("first divergence"))
    assert line == f"first divergence: step {first.index + 1} ({first.step}): {first.message}"
    assert (r.out / "replay.json").is_file()
    report = json.loads((r.out / "replay.json").read_text())
    assert report["passed"] is False


def test_a_passing_replay_with_retargeted_steps_says_how_many(replays):
    r = next(r for (v, _), r in replays.items() if v == "v2" and r.passed and
             any(s.status == "retargeted" for s in r.steps))
    console = Console(record=True, width=300)
    print_summary(r, console)
    moved = sum(s.status == "retargeted" for s in r.steps)
    assert console.export_text().splitlines()[-1] == (f"PASSED ({moved} step(s) retargeted: the flow works, tests "
                                                      "using their old locators break)")


def test_unchanged_app_gets_the_final_values_and_timing(web_runs, tmp_path):
    with serve("v1") as server:
        r = Replayer(web_runs["compose_message"].recording, server.url, tmp_path / "compose-replay",
                     timing="original", speed=2.0).run()
    assert r.final_values and all(c.ok for c in r.final_values)
    # Sent at the recording's deadlines, held to what load cannot break (`assert_sent_on_deadlines` says why);
    # issue 7's p99 within a frame is measured alone by benchmarks/dispatch_timing.py (CI, beside the rest of the
    # suite, once saw one stall put 2 of 166 events 39-65 ms late).
    late = assert_sent_on_deadlines(r.out)
    assert r.timing["dispatched_events"] == len(late)
    assert r.timing["dispatch_error_ms_p50"] == round(float(np.percentile(late, 50)), 3), r.timing


def test_replayed_typing_arrives_as_key_presses(replays):
    """Replayed text is pressed key by key where it was recorded (the page sees keydowns, not only input)."""
    ds = read_dataset(replays["v1", "login"].out)
    sent = [k for t, k in zip(ds.events.column("type").to_pylist(), ds.events.column("key").to_pylist())
            if t == "key_down" and k and len(k) == 1]
    rc = ds.table("received").to_pydict()
    got = [k for t, k in zip(rc["type"], rc["key"]) if t == "key_down" and k and len(k) == 1]
    assert len(sent) >= 8 and len(got) == len(sent)


def test_a_drag_is_replayed_to_the_same_place_and_its_order_checked(replays, web_runs, tmp_path, monkeypatch):
    """A card dragged into a column lands where it was let go among the other cards; replay dropped every drag
    at the column's centre and passed with the cards in another order."""
    drags = [s for s in replays["v1", "kanban_board"].steps if s.kind == "drag"]
    placed = [c for s in drags for c in s.checkpoints if c.name == "placed"]
    assert len(drags) >= 2 and len(placed) == len(drags) and all(c.ok for c in placed), placed
    import replay.replayer as replayer

    # a build (here: a replay) that lets go at the top of each column puts the card first: the check fails
    monkeypatch.setattr(replayer, "drop_point", lambda params, box, start, same_element: (box.cx, box.y + 2))
    with serve("v1") as server:
        r = Replayer(web_runs["kanban_board"].recording, server.url, tmp_path / "top", timing="fast").run()
    wrong = [c for s in r.steps if s.kind == "drag" for c in s.checkpoints if c.name == "placed" and not c.ok]
    assert wrong and not r.passed, [s.checkpoints for s in r.steps if s.kind == "drag"]


def test_an_exported_drag_script_asserts_the_order_it_left(web_runs, tmp_path):
    """The exported script let every drag go at the column's centre and asserted nothing: a card in the
    wrong place passed. Let go at the top of its column instead, the card lands first and the script fails."""
    from replay.export import export
    from tests.browser.test_replay_checks import _run_exports

    source = export(web_runs["kanban_board"].recording, "playwright", tmp_path / "board.py").read_text()
    assert source.count("target_position=") >= 2 and source.count("to_have_text([") >= 2
    import re
    at_top = re.sub(r"target_position=\{'x': (\d+), 'y': \d+\}", r"target_position={'x': \1, 'y': 2}", source)
    with serve("v1") as server:
        assert _run_exports(source, [server.url + "/"]) == [True]
        assert _run_exports(at_top, [server.url + "/"]) == [False]


def test_an_exported_script_runs_on_the_new_build_that_renamed_a_test_id(web_runs, tmp_path, monkeypatch):
    """The exported script located each element by its test id alone: on v2, which renames the Log in button's
    (`login-submit` -> `signin-submit`), it waited for the button until it failed. Each element is now the first
    of its test id and its role and name that finds it alone: Playwright's ``or_`` of the two failed on the build
    it was recorded on as soon as another button was also called "Log in" (a strict-mode error)."""
    import re

    from replay.export import export
    from tests.browser.test_replay_checks import _run_exports

    source = export(web_runs["login"].recording, "playwright", tmp_path / "login.py").read_text()
    assert "login_submit = one(page.get_by_test_id('login-submit'), page.get_by_role('button', name='Log in')" \
        in source
    two_ways = r"one\((page\.get_by_test_id\([^()]*\)), (page\.get_by_role\([^()]*\))(?:, wait=[\d.]+)?\)"
    ids_only, either = re.sub(two_ways, r"\1", source), re.sub(two_ways, r"\1.or_(\2)", source)
    another = ("addEventListener('DOMContentLoaded', () => document.body.prepend("
               "Object.assign(document.createElement('button'), {textContent: 'Log in'})))")
    monkeypatch.setenv("SECRET_PASSWORD", "not-the-recorded-one")
    with serve("v1") as v1, serve("v2") as v2:
        builds = [v1.url + "/", v2.url + "/"]
        assert _run_exports(source, builds) == [True, True]
        assert _run_exports(ids_only, builds) == [True, False]
        assert _run_exports(source, builds[:1], another) == [True]
        assert _run_exports(either, builds[:1], another) == [False]
