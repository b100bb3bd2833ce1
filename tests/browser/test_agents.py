"""A real agent loop in Chromium: the scripted agent reproduces the reference, the flawed one is caught."""

import pytest

from replay.compare import compare

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def agent_runs(live_runs):
    """Both agents' sessions (made beside the scenarios: tests/live.py), against the reference."""
    ref = live_runs.web["event_dialog"].dataset
    return compare(ref, live_runs.agents["scripted"]), compare(ref, live_runs.agents["flawed"])


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
