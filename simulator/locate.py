"""Locators: how scenarios name the things they act on, Playwright-style.

A `Locator` is data (role + name, text, label, test id, CSS), so it can be
written into a dataset, shown in an error message, turned into a Playwright
locator by the browser driver, or matched against a snapshot of elements by
the offline driver and the replayer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

BY = ("role", "text", "label", "testid", "css", "placeholder")


@dataclass(frozen=True)
class Box:
    """A rectangle in the driver's coordinate space (viewport CSS px or screen px)."""

    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def contains(self, px: float, py: float) -> bool:
        return self.x <= px <= self.x + self.w and self.y <= py <= self.y + self.h

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.x, self.y, self.w, self.h)


@dataclass(frozen=True)
class Locator:
    by: str
    value: str
    name: str | None = None
    exact: bool = False

    def __post_init__(self) -> None:
        if self.by not in BY:
            raise ValueError(f"locator kind must be one of {BY}, not {self.by!r}")

    def describe(self) -> str:
        """A readable, stable one-line form, e.g. ``role=button[name="Log in"]``."""
        if self.by == "role" and self.name is not None:
            return f'role={self.value}[name="{self.name}"]'
        return f'{self.by}="{self.value}"' if self.by != "css" else f"css={self.value}"

    def __str__(self) -> str:
        return self.describe()

    def to_dict(self) -> dict[str, Any]:
        return {"by": self.by, "value": self.value, "name": self.name, "exact": self.exact}


def role(role_name: str, name: str | None = None, *, exact: bool = False) -> Locator:
    return Locator("role", role_name, name, exact)


def text(value: str, *, exact: bool = False) -> Locator:
    return Locator("text", value, exact=exact)


def label(value: str, *, exact: bool = False) -> Locator:
    return Locator("label", value, exact=exact)


def testid(value: str) -> Locator:
    return Locator("testid", value, exact=True)


def css(selector: str) -> Locator:
    return Locator("css", selector, exact=True)


def placeholder(value: str, *, exact: bool = False) -> Locator:
    return Locator("placeholder", value, exact=exact)


def parse(spec: str) -> Locator:
    """Parse the ``describe()`` form back, e.g. for locators given on a command line."""
    m = re.fullmatch(r'role=([\w-]+)\[name="(.*)"\]', spec)
    if m:
        return role(m.group(1), m.group(2))
    m = re.fullmatch(r'(role|text|label|testid|placeholder)="(.*)"', spec)
    if m:
        return Locator(m.group(1), m.group(2), exact=m.group(1) == "testid")
    if spec.startswith("css="):
        return css(spec[4:])
    return css(spec)
