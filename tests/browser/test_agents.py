"""A real agent loop in Chromium: the scripted agent reproduces the reference, the flawed one is caught."""

import pytest

from replay.agents import FlawedAgent, ScriptedAgent, run_agent
from replay.compare import compare

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def agent_runs(web_runs, tmp_path_factory):
    root = tmp_path_factory.mktemp("agents")
    good = run_agent(ScriptedAgent(), "event_dialog", root / "scripted", seed=3)
    bad = run_agent(FlawedAgent(), "event_dialog", root / "flawed", seed=3)
    ref = web_runs["event_dialog"].dataset
    return compare(ref, good.out), compare(ref, bad.out)


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
