"""The agent interface's edges, without a browser: malformed actions, a silent or hung agent command, loading."""

import os
import sys
import time
from types import SimpleNamespace

import pytest

from replay.agents import CommandAgent, _check_action, agent_scenario, load_agent
from simulator.errors import HcisimError


@pytest.mark.parametrize("action, said", [
    ({"type": "click"}, "a click needs a locator, or x and y as numbers"),
    ({"type": "click", "x": "10", "y": 5}, "a click needs a locator, or x and y as numbers"),
    ({"type": "type", "locator": 'label="Name"'}, "a type action needs text"),
    ({"type": "select", "option": "Team"}, "a select action needs locator"),
    ({"type": "drag", "locator": "#a"}, "a drag action needs to"),
    ({"type": "key", "keys": "Control+a"}, "a key action needs keys as a list of key names"),
    ({"type": "goto"}, "a goto action needs url"),
    ({"type": "fly"}, "unknown agent action 'fly'"),
    ({"type": ["click"]}, r"unknown agent action \['click'\]"),  # was TypeError: unhashable type: 'list'
    # a locator, url or distance of the wrong type ended agent-run in a TypeError or ValueError and a traceback
    ({"type": "click", "locator": 123}, "a click action's locator must be a string, not 123"),
    ({"type": "drag", "locator": "#a", "to": ["#b"]}, r"a drag action's to must be a string, not \['#b'\]"),
    ({"type": "goto", "url": 5}, "a goto action's url must be a string, not 5"),
    ({"type": "scroll", "dy": "lots"}, "a scroll action's dy must be a finite number, not 'lots'"),
    ({"type": "click", "x": float("nan"), "y": 5}, "a click action's x must be a finite number, not nan"),
])
def test_a_malformed_action_is_one_failed_step_not_a_crash(action, said):
    """`{"type": "click"}` ended agent-run in KeyError: 'x' and a traceback."""
    with pytest.raises(HcisimError, match=said):
        _check_action(action["type"], action)


def test_well_formed_actions_pass():
    for a in ({"type": "click", "x": 3, "y": 4.5}, {"type": "click", "locator": "#go"}, {"type": "scroll", "dy": 300},
              {"type": "key", "keys": ["Escape"]}, {"type": "type", "locator": "#n", "text": ""[:0] or "x"}):
        _check_action(a["type"], a)


def test_a_hung_agent_command_times_out_and_takes_its_children_with_it(tmp_path):
    """An agent that never answered blocked the run for ever, and Ctrl-C left it running (only its shell
    was killed)."""
    agent = CommandAgent("sleep 300 & sleep 300; echo never", timeout_s=0.5, grace_s=0.2)
    t0 = time.monotonic()
    with pytest.raises(HcisimError, match=r"the agent command gave no answer within 0 s|within 1 s"):
        agent({"step": 0})
    assert time.monotonic() - t0 < 5
    pgid = agent.proc.pid
    assert _alive_in_group(pgid)  # the shell's background sleep
    agent.close()
    deadline = time.monotonic() + 5
    while _alive_in_group(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _alive_in_group(pgid) == []  # nothing of the group is left running


@pytest.mark.parametrize("cmd, said", [
    # the shell's own "not found" line came out before hcisim's, which said nothing of why
    ("/nonexistent/agent", r"exited \(code 127\) without answering \(its stderr: .*/nonexistent/agent: .*not found\)"),
    # it answered and exited before its question was written: "exited without answering"
    ("echo notjson", r"answered with something that is not JSON: 'notjson\\n'"),
    ("echo oops >&2; exit 3", r"exited \(code 3\) without answering \(its stderr: oops\)"),
])
def test_an_agent_command_that_fails_says_why_in_one_error(cmd, said, capfd):
    agent = CommandAgent(cmd, timeout_s=10, grace_s=1)
    time.sleep(0.3)  # let it exit first: the question then meets a closed pipe
    try:
        with pytest.raises(HcisimError, match=said):
            agent({"step": 0})
    finally:
        agent.close()
    assert capfd.readouterr().err == ""  # nothing of the agent's reaches the terminal besides the error


def _alive_in_group(pgid: int) -> list[int]:
    """Processes of a group that still run (a killed child waiting to be reaped does not)."""
    alive = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                fields = open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive.append(int(d))
    return alive


def test_an_agent_module_beside_you_loads(tmp_path, monkeypatch):
    (tmp_path / "my_agent_mod.py").write_text("def agent(obs):\n    return {'type': 'done'}\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    assert load_agent("my_agent_mod:agent")({})["type"] == "done"


def test_an_agent_that_raises_is_one_line_naming_where():
    """A Python agent's own bug (a KeyError in its code) ended agent-run in a traceback, where a scenario
    script's bug is one line naming its file and line."""
    def agent(obs):
        return {}["plan"]

    scenario = agent_scenario(agent, "login", seed=0)
    actor = SimpleNamespace(driver=SimpleNamespace(screenshot=lambda: None), pointer=(0.0, 0.0))
    with pytest.raises(HcisimError, match=r"^agent step 0: the agent raised KeyError: 'plan' "
                                          r"\(test_agent_units\.py, line \d+\)$"):
        scenario.run(actor)


def test_an_agent_s_locator_that_matches_several_elements_is_a_failed_step_it_can_retry():
    """Strict locators: an agent naming one of two Delete buttons gets a failed step saying how to choose, and
    its next action (with .nth) goes on in the same session."""
    from tests.runner.test_strict_locators import offline_actor, strict_layout

    actions = iter([{"type": "click", "locator": 'role=button[name="Delete"]'},
                    {"type": "click", "locator": 'role=button[name="Delete"] >> nth=1'}, {"type": "done"}])
    actor = offline_actor(strict_layout())
    agent_scenario(lambda obs: next(actions), "login", seed=0).run(actor)
    failed = [a for a in actor.rec.actions if a["outcome"] == "failed" and a["kind"] == "wait"]
    assert len(failed) == 1 and "matches 2 elements" in failed[0]["step"] and ".nth(i)" in failed[0]["step"]
    assert actor.rec.actions[-1]["target_selector"] == 'role=button[name="Delete"] >> nth=1 | css=#d2'
