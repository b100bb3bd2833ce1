"""A scenario as a task for an agent: the same steps, written as numbered instructions.

`TaskWriter` stands in for the `Actor`: a scenario script runs against it
unchanged and every call becomes one instruction. Faker is seeded exactly as
the Actor seeds it for the same session, so the values in the instructions
are the values the reference session typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from simulator import locate as L
from simulator.content import DEFAULT_LOCALE, session_faker
from simulator.rng import session_seed
from simulator.scenario import Scenario


@dataclass
class Task:
    scenario: str
    start: str
    steps: list[dict] = field(default_factory=list)

    @property
    def text(self) -> str:
        lines = [f"Task ({self.scenario}): carry out these steps in order, then say done."]
        lines += [f"{i}. {render(s)}" for i, s in enumerate(self.steps, 1)]
        return "\n".join(lines)


def render(step: dict) -> str:
    op = step["op"]
    if op == "goto":
        return f"Go to {step['url']}"
    if op == "click":
        return f"Click {step['locator']}"
    if op == "type":
        if step.get("clear"):
            return f"Replace the contents of {step['locator']} with {step['text']!r}"
        return f"Type {step['text']!r} into {step['locator']}"
    if op == "select":
        return f"Choose {step['option']!r} in {step['locator']}"
    if op == "check":
        return f"{'Check' if step['on'] else 'Uncheck'} {step['locator']}"
    if op == "scroll":
        return f"Scroll to {step['locator']}"
    if op == "drag":
        return f"Drag {step['locator']} onto {step['to']}"
    if op == "key":
        return f"Press {'+'.join(step['keys'])}"
    if op == "hover":
        return f"Hover over {step['locator']}"
    raise ValueError(op)


_PATTERNS = [
    ("goto", re.compile(r"Go to (?P<url>\S+)$")),
    ("type", re.compile(r"Type (?P<text>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\") into (?P<locator>.+)$")),
    ("replace", re.compile(r"Replace the contents of (?P<locator>.+) with (?P<text>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")$")),
    ("select", re.compile(r"Choose (?P<option>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\") in (?P<locator>.+)$")),
    ("check", re.compile(r"(?P<verb>Check|Uncheck) (?P<locator>.+)$")),
    ("scroll", re.compile(r"Scroll to (?P<locator>.+)$")),
    ("drag", re.compile(r"Drag (?P<locator>.+) onto (?P<to>.+)$")),
    ("key", re.compile(r"Press (?P<keys>.+)$")),
    ("hover", re.compile(r"Hover over (?P<locator>.+)$")),
    ("click", re.compile(r"Click (?P<locator>.+)$")),
]


def parse_instruction(line: str) -> dict:
    """The inverse of `render` for one numbered line (used by example agents)."""
    import ast

    body = re.sub(r"^\d+\.\s*", "", line.strip())
    for op, pat in _PATTERNS:
        m = pat.match(body)
        if m:
            d = {"op": op, **m.groupdict()}
            if op == "replace":
                d.update(op="type", clear=True)
            for k in ("text", "option"):
                if k in d:
                    d[k] = ast.literal_eval(d[k])
            if op == "check":
                d["on"] = d.pop("verb") == "Check"
            if op == "key":
                d["keys"] = d["keys"].split("+")
            return d
    raise ValueError(f"not an instruction: {line!r}")


class TaskWriter:
    """The Actor's API, writing instructions instead of acting."""

    def __init__(self, scenario: Scenario, seed: int, session_index: int = 0, locale: str = DEFAULT_LOCALE) -> None:
        ss = session_seed(seed, session_index)
        self.fake = session_faker(ss, locale)
        self.task = Task(scenario.name, scenario.start)

    def _add(self, **step) -> None:
        self.task.steps.append(step)

    def goto(self, url: str) -> None:
        self._add(op="goto", url=url)

    def click(self, loc: L.Locator, *, button: str = "left", double: bool = False) -> None:
        self._add(op="click", locator=str(loc))

    def hover(self, loc: L.Locator) -> None:
        self._add(op="hover", locator=str(loc))

    def type(self, loc: L.Locator, text: str, *, clear: bool = False) -> None:
        self._add(op="type", locator=str(loc), text=text, clear=clear)

    def check(self, loc: L.Locator, on: bool = True) -> None:
        self._add(op="check", locator=str(loc), on=on)

    def select(self, loc: L.Locator, option: str) -> None:
        self._add(op="select", locator=str(loc), option=option)

    def scroll(self, to: L.Locator | None = None, *, dy: float | None = None) -> None:
        if to is not None:
            self._add(op="scroll", locator=str(to))

    def drag(self, src: L.Locator, dst: L.Locator) -> None:
        self._add(op="drag", locator=str(src), to=str(dst))

    def hotkey(self, *keys: str) -> None:
        self._add(op="key", keys=list(keys))

    def press(self, key: str) -> None:
        self.hotkey(key)

    def read(self, loc: L.Locator | None = None, *, words: int | None = None) -> None:
        pass  # reading is what the agent does with its observation

    def wait(self, ms: float) -> None:
        pass


def task_for(scenario: Scenario, seed: int, session_index: int = 0, locale: str = DEFAULT_LOCALE) -> Task:
    writer = TaskWriter(scenario, seed, session_index, locale)
    scenario.run(writer)
    return writer.task
