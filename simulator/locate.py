"""Locators: how scenarios name the things they act on, Playwright-style.

A `Locator` is data (role + name, text, label, test id, CSS, and which of several matches), so it can be
written into a dataset, shown in an error message, turned into a Playwright locator by the browser driver, or
matched against a snapshot of elements by the offline driver and the replayer.

Strict, as Playwright's locators are: a locator that matches more than one element is an error in every driver
(`Ambiguous`), not the first match taken in silence; ``.first`` / ``.nth(i)`` say which one is meant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from simulator.errors import HcisimError

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
    index: int | None = None
    """Which of the elements matched, from 0 in document order (Playwright's ``nth``); None: the one element it
    must match."""
    within: Locator | None = None
    """Where to look: the list this locator names or opens (the list itself, or the one it controls:
    ``aria-controls`` / ``aria-owns``), for an option of that list (`option`); None: the whole page."""

    def __post_init__(self) -> None:
        if self.by not in BY:
            raise ValueError(f"locator kind must be one of {BY}, not {self.by!r}")
        if self.index is not None and (type(self.index) is not int or self.index < 0):
            raise ValueError(f"nth counts matches from 0: a whole number 0 or more, not {self.index!r}")

    def nth(self, i: int) -> Locator:
        """The ``i``-th element (from 0, in document order) of those this locator matches."""
        return replace(self, index=i)

    @property
    def first(self) -> Locator:
        """The first element this locator matches (``.nth(0)``)."""
        return self.nth(0)

    def option(self, name: str) -> Locator:
        """The option named exactly ``name`` of the list this locator names or opens, not any such option on the
        page: two lists offering the same option (two country selects) are not ambiguous."""
        return Locator("role", "option", name, exact=True, within=self)

    @property
    def every(self) -> Locator:
        """This locator without its ``nth``: what strictness counts the matches of."""
        return replace(self, index=None)

    def describe(self) -> str:
        """A readable, stable one-line form, e.g. ``role=button[name="Log in"]``. Exact matching (``exact=True``)
        is written as Playwright's selectors write it, with an ``s`` after the quoted text
        (``label="Letter"s``, ``role=option[name="France"s]``), a list an option was looked up in goes before it
        (``label="Country" >> role=option[name="France"s]``), and a chosen match follows in Playwright's selector
        syntax (``role=button[name="Delete"] >> nth=1``); each only when so, so the datasets and layout
        snapshots written before read as they did."""
        s = "s" if self.exact and self.by not in ("testid", "css") else ""
        if self.by == "role" and self.name is not None:
            base = f'role={self.value}[name="{self.name}"{s}]'
        elif self.by == "role":
            base = f'role="{self.value}"'
        else:
            base = f'{self.by}="{self.value}"{s}' if self.by != "css" else f"css={self.value}"
        if self.within is not None:
            base = f"{self.within.describe()} >> {base}"
        return base if self.index is None else f"{base} >> nth={self.index}"

    def __str__(self) -> str:
        return self.describe()


class Ambiguous(HcisimError):
    """A locator without ``nth`` matched several elements (Playwright's strict mode violation)."""

    def __init__(self, loc: Locator, count: int, where: str) -> None:
        super().__init__(f"{loc} matches {count} elements {where}: say which one with .first or .nth(i) "
                         f"(from 0), or name it more closely")


def not_one(loc: Locator, count: int, where: str, nothing: str) -> HcisimError | None:
    """Why ``loc`` cannot act, strict as Playwright is, when it matches ``count`` elements: several and it chose none
    (`Ambiguous`), or fewer than the one it chose (``nothing`` says so in the driver's words); None when it means
    exactly one."""
    if loc.index is None and count > 1:
        return Ambiguous(loc, count, where)
    if count <= (loc.index or 0):
        chose = f" ({loc.every} matches {count})" if count else ""
        return HcisimError(f"{loc} {nothing}{chose}")
    return None


def none_visible(loc: Locator, count: int, where: str) -> str:
    """What is said of a locator whose every match stays hidden (Playwright waited for it to show, then failed)."""
    return f"{loc} matches {count} element(s), none visible {where}"


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
    """Parse the ``describe()`` form back, e.g. for locators given on a command line: ``"s`` (exact), a list
    before ``>>`` and ``>> nth=i`` included; a form written before exact was (``label="Letter"``) reads as it
    always did, not exact."""
    m = re.fullmatch(r"(.*) >> nth=(\d+)", spec)
    if m:
        return parse(m.group(1)).nth(int(m.group(2)))
    within, sep, last = spec.rpartition(" >> ")
    if sep and within:
        inner = _one_part(last)
        if inner is not None:
            return replace(inner, within=parse(within))
    one = _one_part(spec)
    if one is not None:
        return one
    if spec.startswith("css="):
        return css(spec[4:])
    return css(spec)


def _one_part(spec: str) -> Locator | None:
    """One locator of the describe() form other than CSS, or None."""
    m = re.fullmatch(r'role=([\w-]+)\[name="(.*)"(s?)\]', spec)
    if m:
        return role(m.group(1), m.group(2), exact=bool(m.group(3)))
    m = re.fullmatch(r'(role|text|label|testid|placeholder)="(.*)"(s?)', spec)
    if m:
        return Locator(m.group(1), m.group(2), exact=m.group(1) == "testid" or bool(m.group(3)))
    return None
