"""A real agent loop in Chromium: the scripted agent reproduces the reference, the flawed one is caught."""

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from replay.agents import FlawedAgent, ScriptedAgent, run_agent
from replay.compare import compare
from tests.browser.conftest import SEED

pytestmark = pytest.mark.browser


def _run(agent, out: Path) -> Path:
    return run_agent(agent, "event_dialog", out, seed=SEED).out  # the reference's seed: the same task


@pytest.fixture(scope="module")
def agent_runs(web_runs, tmp_path_factory):
    """Both agents side by side, one browser per CI core (an agent's session is mostly waiting)."""
    root = tmp_path_factory.mktemp("agents")
    with ProcessPoolExecutor(max_workers=2) as pool:
        good, bad = pool.map(_run, (ScriptedAgent(), FlawedAgent()), (root / "scripted", root / "flawed"))
    ref = web_runs["event_dialog"].dataset
    return compare(ref, good), compare(ref, bad)


def test_scripted_agent_succeeds(agent_runs):
    good, _ = agent_runs
    assert good.task_success is True
    assert good.step_success_rate == 1.0 and good.missing_steps == [] and good.extra_steps == []


def test_flawed_agent_defects_are_reported_exactly(agent_runs):
    _, bad = agent_runs
    assert bad.task_success is False
    assert bad.missing_steps == ['type role=textbox[name="Guests"]'] or bad.missing_steps == ['type label="Guests"']
    assert len(bad.wrong_element) == 1 and "Confirm" in bad.wrong_element[0]
    assert len(bad.wrong_text) == 1 and "Event name" in bad.wrong_text[0]
    assert bad.step_success_rate < 1.0
