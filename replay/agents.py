"""Run a computer-use agent on a bundled task and record what it did as a dataset.

An agent is a Python callable ``agent(observation: dict) -> dict`` (named as
``module:callable``; a class is instantiated once), or any program speaking
JSON lines on stdin/stdout (``--agent-cmd``): hcisim writes one observation
per line and reads one action per line.

Observation: ``task`` (text), ``step`` (0-based), ``url``, ``pointer`` [x, y],
``screenshot_png`` (base64), ``dom`` (every visible element as an element
descriptor, docs/format.md: tag, attrs, text, role, name, label, xpath, css,
box in page px, scroll, ...).

Action, one of: ``{"type": "click", "locator": "role=button[name=\\"Log in\\"]"}``
or ``{"type": "click", "x": .., "y": ..}``; ``{"type": "type", "text": .., "locator": .., "clear": false}``;
``{"type": "select", "locator": .., "option": ..}``; ``{"type": "check", "locator": .., "on": true}``;
``{"type": "key", "keys": ["Control", "a"]}``; ``{"type": "scroll", "dy": ..}`` or ``{"type": "scroll", "locator": ..}``;
``{"type": "drag", "locator": .., "to": ..}``; ``{"type": "goto", "url": ..}``; ``{"type": "done"}``.
Locators use hcisim's text form (``role=..[name=".."]``, ``label=".."``, ``text=".."``, ``testid=".."``, ``css=..``).

The agent's actions are carried out by the Actor, so the humanlike motion and
typing models apply to them (``humanlike=False`` uses straight, instant input
instead, as automation does).
"""

from __future__ import annotations

import base64
import importlib
import json
import math
import os
import select
import signal
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any, Callable

from simulator import locate as L
from simulator.errors import HcisimError
from simulator.jsonl import json_number
from simulator.scenario import Actor, Scenario, load_scenario
from simulator.content import DEFAULT_LOCALE, check_locale
from simulator.task import Task, parse_instruction, task_for
from replay.locate import CANDIDATES_JS

ANSWER_TIMEOUT_S = 300.0
"""Longest wait for one answer of an agent command (a model may think for a while; a hung one must not
hang the run)."""

Agent = Callable[[dict[str, Any]], dict[str, Any]]


def load_agent(spec: str) -> Agent:
    """``module:callable`` (a class is instantiated with no arguments)."""
    if ":" not in spec:
        raise HcisimError(f"--agent must look like module:callable, not {spec!r}")
    mod_name, attr = spec.split(":", 1)
    if "" not in sys.path and os.getcwd() not in sys.path:  # an agent beside you loads, as with `python -m`
        sys.path.insert(0, os.getcwd())
    try:
        obj = getattr(importlib.import_module(mod_name), attr)
    except (ImportError, AttributeError) as exc:
        raise HcisimError(f"cannot load agent {spec}: {exc}") from None
    return obj() if isinstance(obj, type) else obj


class CommandAgent:
    """An agent in another process, speaking one JSON object per line each way."""

    def __init__(self, cmd: str, timeout_s: float = ANSWER_TIMEOUT_S, grace_s: float = 5.0) -> None:
        self.timeout_s, self.grace_s = timeout_s, grace_s  # grace: time to exit once its input is closed
        # its stderr is kept (a file: a pipe nobody reads would block it) and its last line said when it fails:
        # the shell's "not found" came out as a second line before hcisim's own
        self.stderr = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")
        try:  # its own process group: the shell and whatever it started go when the run ends
            self.proc = subprocess.Popen(cmd, shell=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                         stderr=self.stderr, start_new_session=True)
        except OSError as exc:
            raise HcisimError(f"cannot start agent command {cmd!r}: {exc}") from None

    def __call__(self, obs: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin and self.proc.stdout
        try:
            self.proc.stdin.write(json.dumps(obs) + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:  # it has exited; what it wrote before is still to be read
            pass
        ready, _, _ = select.select([self.proc.stdout], [], [], self.timeout_s)
        if not ready:
            raise HcisimError(f"the agent command gave no answer within {self.timeout_s:.0f} s{self._said()}")
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait(timeout=self.grace_s)
            raise HcisimError(f"the agent command exited (code {code}) without answering{self._said()}")
        try:
            return json.loads(line)
        except json.JSONDecodeError:
            raise HcisimError(f"the agent answered with something that is not JSON: {line[:80]!r}") from None

    def _said(self) -> str:
        """The last line the agent wrote to stderr, for an error message."""
        self.stderr.seek(0)
        lines = [ln.strip() for ln in self.stderr.read().splitlines() if ln.strip()]
        return f" (its stderr: {lines[-1][:200]})" if lines else ""

    def close(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
        except BrokenPipeError:
            pass
        try:
            self.proc.wait(timeout=self.grace_s)
        except subprocess.TimeoutExpired:
            pass
        try:  # the shell may be gone and its children not: end the whole group
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait()
        self.stderr.close()


def observe(actor: Actor, task: Task, step: int) -> dict[str, Any]:
    page = getattr(actor.driver, "page", None)
    png = actor.driver.screenshot()
    return {
        "task": task.text, "step": step, "url": page.url if page is not None else None,
        "pointer": list(actor.pointer),
        "screenshot_png": base64.b64encode(png).decode("ascii") if png else None,
        "dom": page.evaluate(CANDIDATES_JS) if page is not None else [],
    }


NEEDS = {"click": ("locator",), "type": ("locator", "text"), "select": ("locator", "option"), "check": ("locator",),
         "key": ("keys",), "scroll": (), "drag": ("locator", "to"), "hover": ("locator",), "goto": ("url",)}
"""What each action must carry (a click may give x and y instead of a locator; a scroll a locator or dy)."""


def _check_action(kind: Any, action: dict[str, Any]) -> None:
    """A malformed action is the agent's mistake: one failed step, as an unknown action is, not a crash."""
    if not isinstance(kind, str) or kind not in NEEDS:
        raise HcisimError(f"unknown agent action {kind!r}")
    needs = NEEDS[kind]
    if kind == "click" and action.get("locator") is None:
        needs = ("x", "y")
        if not all(json_number(action.get(k)) for k in needs):
            raise HcisimError("a click needs a locator, or x and y as numbers")
    missing = [k for k in needs if action.get(k) in (None, "")]
    if missing:
        raise HcisimError(f"a {kind} action needs {' and '.join(missing)}")
    if kind == "key" and not (isinstance(action["keys"], list) and all(isinstance(k, str) for k in action["keys"])):
        raise HcisimError('a key action needs keys as a list of key names, e.g. ["Control", "a"]')
    for k in ("locator", "to", "url"):
        if action.get(k) is not None and not isinstance(action[k], str):
            raise HcisimError(f"a {kind} action's {k} must be a string, not {action[k]!r}")
    for k in ("x", "y", "dy"):
        v = action.get(k)
        if v is not None and not (json_number(v) and math.isfinite(v)):
            raise HcisimError(f"a {kind} action's {k} must be a finite number, not {v!r}")


def act(actor: Actor, action: dict[str, Any]) -> None:
    kind = action.get("type")
    _check_action(kind, action)
    loc = L.parse(action["locator"]) if action.get("locator") else None
    if kind == "click":
        if loc is not None:
            actor.click(loc)
        else:
            actor.click_point(float(action["x"]), float(action["y"]))
    elif kind == "type":
        actor.type(loc, str(action["text"]), clear=bool(action.get("clear", False)))
    elif kind == "select":
        actor.select(loc, str(action["option"]))
    elif kind == "check":
        actor.check(loc, bool(action.get("on", True)))
    elif kind == "key":
        actor.hotkey(*action["keys"])
    elif kind == "scroll":
        actor.scroll(to=loc, dy=action.get("dy"))
    elif kind == "drag":
        actor.drag(loc, L.parse(action["to"]))
    elif kind == "hover":
        actor.hover(loc)
    elif kind == "goto":
        actor.goto(action["url"])


def agent_scenario(agent: Agent, scenario: str, seed: int, max_steps: int = 60,
                   locale: str = DEFAULT_LOCALE) -> Scenario:
    """The bundled scenario's task, solved by ``agent`` instead of the script."""
    base = load_scenario(scenario)
    if base.app == "desktop":  # (the browser went to http://app.invalid/ and said so)
        raise HcisimError(f"scenario {base.name} is a task of the desktop app; agent-run solves web tasks in Chromium")
    task = task_for(base, seed, locale=locale)

    def run(actor: Actor) -> None:
        for step in range(max_steps):
            obs = observe(actor, task, step)
            try:
                action = agent(obs)
            except HcisimError:
                raise
            except Exception as exc:  # a bug of the agent's own, said as a scenario script's is
                where = traceback.extract_tb(exc.__traceback__)[-1]
                raise HcisimError(f"agent step {step}: the agent raised {type(exc).__name__}: "
                                  f"{str(exc).splitlines()[0] if str(exc) else ''} "
                                  f"({Path(where.filename).name}, line {where.lineno})") from None
            if not isinstance(action, dict) or "type" not in action:
                raise HcisimError(f"agent step {step}: expected an action object with a type, got {action!r}")
            if action["type"] == "done":
                return
            try:
                act(actor, action)
            except HcisimError as exc:
                actor.note_failure(f"agent step {step} ({action.get('type')}): {exc}")
        raise HcisimError(f"the agent did not finish within {max_steps} steps")

    return Scenario(name=f"agent-{base.name}", description=f"agent solving {base.name}", app=base.app,
                    start=base.start, run=run, path=base.path)


# -- example agents used by the tests ------------------------------------------------

class ScriptedAgent:
    """Reads the task's numbered instructions and carries them out one per step."""

    def __init__(self) -> None:
        self.plan: list[dict] | None = None

    def instructions(self, obs: dict[str, Any]) -> list[dict]:
        if self.plan is None:
            self.plan = [parse_instruction(line) for line in obs["task"].splitlines()[1:]]
        return self.plan

    def to_action(self, ins: dict) -> dict[str, Any]:
        op = ins["op"]
        if op == "goto":
            return {"type": "goto", "url": ins["url"]}
        if op == "key":
            return {"type": "key", "keys": ins["keys"]}
        action = {"type": op, "locator": ins["locator"]}
        for k in ("text", "option", "on", "to", "clear"):
            if k in ins:
                action[k] = ins[k]
        return action

    def __call__(self, obs: dict[str, Any]) -> dict[str, Any]:
        plan = self.instructions(obs)
        return self.to_action(plan[obs["step"]]) if obs["step"] < len(plan) else {"type": "done"}


class FlawedAgent(ScriptedAgent):
    """A deliberately imperfect agent: one step skipped, one wrong element clicked, one typo.

    The defects land on the first type step after the first instruction (typo), the
    first click after that (wrong element: the next click target in the task), and
    the last type step (skipped), so tests know exactly what compare must find.
    """

    def defects(self, plan: list[dict]) -> dict[str, int]:
        types = [i for i, s in enumerate(plan) if s["op"] == "type"]
        clicks = [i for i, s in enumerate(plan) if s["op"] == "click"]
        typo = types[0]
        skip = types[-1] if types[-1] != typo else None
        wrong = next((i for i in clicks if i > typo and i != skip and any(
            plan[j]["op"] == "click" and plan[j]["locator"] != plan[i]["locator"] for j in clicks)), None)
        return {"typo": typo, "skip": skip, "wrong": wrong}

    def __call__(self, obs: dict[str, Any]) -> dict[str, Any]:
        plan = self.instructions(obs)
        if not hasattr(self, "_steps"):
            d = self.defects(plan)
            self._steps = [i for i in range(len(plan)) if i != d["skip"]]
            self._d = d
        if obs["step"] >= len(self._steps):
            return {"type": "done"}
        i = self._steps[obs["step"]]
        action = self.to_action(plan[i])
        if i == self._d["typo"]:
            text = action["text"]
            action["text"] = text[:-2] + text[-1] + text[-2] if len(text) > 2 else text + "x"
        if i == self._d["wrong"]:
            others = [s["locator"] for s in plan if s["op"] == "click" and s["locator"] != action["locator"]]
            action["locator"] = others[-1]
        return action


def run_agent(agent: Agent, scenario: str, out: Path, *, seed: int = 0, humanlike: bool = True,
              url: str | None = None, app_version: str = "v1", max_steps: int = 60, overwrite: bool = False,
              progress=None, locale: str = DEFAULT_LOCALE, keyboard: str | None = None):
    from simulator.runner import RunConfig, run

    cfg = RunConfig(scenario=scenario, driver="browser", sessions=1, seed=seed, out=out, url=url,
                    app_version=app_version, overwrite=overwrite, direct_input=not humanlike, locale=locale,
                    keyboard=keyboard)
    try:  # (a command agent is already running: it is ended whatever fails)
        return run(cfg, progress, scenario_obj=agent_scenario(agent, scenario, seed, max_steps, check_locale(locale)))
    finally:
        if isinstance(agent, CommandAgent):
            agent.close()
