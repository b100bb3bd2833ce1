"""The changes a new build makes to a page tree, and (targets, candidates, truth) sets from them.

Seeded mutations do what new builds do -- rename ids and classes, reword text, move, wrap, reorder and remove
elements, add look-alikes, shift the layout -- to a ``tree.Page``; rendering the changed tree recomputes every
derived field the way a browser would, and each node's ``key``, kept across mutations, is the truth. These are
the changes the matcher is fitted (``fit``) and benchmarked (``benchmarks/locate.py``) on.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

import numpy as np

from replay.locate.synthetic import WORDS
from replay.locate.tree import Node, Page, ancestors, descendants, render

INTERACTIVE_TAGS = ("a", "button", "input", "select", "textarea", "li", "label", "h1", "h2", "h3", "td", "summary")
_SYNONYMS = {"delete": "remove", "remove": "delete", "save": "store", "sign": "log", "login": "sign in",
             "logout": "sign out", "email": "e-mail", "submit": "send", "send": "submit", "search": "find",
             "find": "search", "cancel": "dismiss", "close": "dismiss", "edit": "change", "next": "continue",
             "continue": "next", "create": "new", "new": "create", "settings": "preferences", "zip": "postal code",
             "phone": "telephone", "name": "full name", "view": "show", "show": "view", "details": "more info"}


def _token(rng: np.random.Generator, n: int = 6) -> str:
    return "".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz0123456789"), n))


def _restyle_id(old: str, rng: np.random.Generator) -> str:
    r = rng.random()
    if r < 0.3:
        return re.sub(r"[-_]([a-z0-9])", lambda m: m.group(1).upper(), old)  # kebab -> camel
    if r < 0.5:
        return "v2-" + old
    if r < 0.8:
        return f"{rng.choice(WORDS)}-{_token(rng, 4)}"
    return _token(rng, 8)  # generated ids: nothing left of the old one


def reword(text: str, rng: np.random.Generator) -> str:
    words = text.split()
    if not words:
        return text
    r = rng.random()
    if r < 0.3:
        out = [(_SYNONYMS.get(w.lower(), w) if rng.random() < 0.7 else w) for w in words]
        if out == words:
            out = words + [str(rng.choice(WORDS))]
        return " ".join(out)
    if r < 0.45:
        return " ".join(words + [str(rng.choice(("now", "here", "all", "details", "item", "»")))])
    if r < 0.6 and len(words) > 1:
        drop = int(rng.integers(len(words)))
        return " ".join(w for i, w in enumerate(words) if i != drop)
    if r < 0.72:
        return text.upper() if rng.random() < 0.5 else text.capitalize() + "…"
    if r < 0.85 and len(words) > 1:
        return " ".join(reversed(words))
    return " ".join(str(w) for w in rng.choice(WORDS, size=max(1, len(words)))).capitalize()  # new wording


def _set_text(page: Page, n: Node, new: str) -> None:
    old = n.own_text
    if not old or old == new:
        return
    n.own_text = new
    for a in [n] + ancestors(n):
        if a.info:
            for f in ("text", "visible_text", "name"):
                if a.info.get(f) and old in a.info[f]:
                    a.info[f] = a.info[f].replace(old, new)
    for m in page.nodes():  # controls labelled by this text
        if m.info and m.info.get("label") == old:
            m.info["label"] = new
            if m.info.get("name") == old:
                m.info["name"] = new
    for k in ("value",) if n.tag == "input" else ():
        n.attrs[k] = new


def _translate(n: Node, dx: float, dy: float) -> None:
    for m in [n] + descendants(n):
        if m.box:
            m.box = [m.box[0] + dx, m.box[1] + dy, m.box[2], m.box[3]]


def _affine(n: Node, x0: float, sx: float, sy: float, dx: float, dy: float) -> None:
    for m in [n] + descendants(n):
        if m.box:
            m.box = [x0 + (m.box[0] - x0) * sx + dx, m.box[1] * sy + dy, m.box[2] * sx, m.box[3] * sy]


def _relayout(page: Page, rng: np.random.Generator) -> None:
    """Blocks of the page (the body's children and theirs) each get their own scale and offset."""
    body = page.root.children[0] if page.root.children else page.root
    blocks = [g for c in body.children for g in (c.children or [c])]
    for b in blocks:
        if b.box is None:
            continue
        _affine(b, b.box[0], float(rng.uniform(0.7, 1.4)), float(rng.uniform(0.9, 1.15)),
                float(rng.normal(0, 200)), float(rng.normal(0, 250)))


def _movable(page: Page) -> list[Node]:
    return [n for n in page.nodes() if n.parent is not None and n.parent.parent is not None]


@dataclass(frozen=True)
class Intensity:
    """Per-element probabilities of each change (one mutated build)."""

    rename_id: float = 0.5
    rename_class: float = 0.5
    rename_testid: float = 0.05
    reword: float = 0.2
    attr_churn: float = 0.3
    wrap: float = 0.08
    move: float = 0.04
    reorder: float = 0.3
    remove: float = 0.03
    decoys: float = 0.02
    layout_shift: float = 0.5
    relayout: float = 0.15


def intensity(rng: np.random.Generator) -> Intensity:
    """A random build: every kind of change at once, from a light touch to heavy (a stress mix)."""
    s = float(rng.uniform(0.1, 0.9))
    base = Intensity()
    return Intensity(**{k: min(1.0, v * s * float(rng.uniform(0.5, 1.5))) for k, v in base.__dict__.items()})


# How sites really change between versions (the kinds of change Similo's and Healenium's authors report):
# most releases touch markup, not wording; front-end rebuilds regenerate ids and classes wholesale while
# QA's test ids and the visible words survive; content releases reword, reorder and remove.
ARCHETYPES: dict[str, tuple[float, Intensity]] = {
    "refactor": (0.35, Intensity(rename_id=0.5, rename_class=0.8, rename_testid=0.02, reword=0.03, attr_churn=0.4,
                                 wrap=0.05, move=0.01, reorder=0.03, remove=0.02, decoys=0.01, layout_shift=0.3,
                                 relayout=0.05)),
    "content": (0.25, Intensity(rename_id=0.05, rename_class=0.1, rename_testid=0.0, reword=0.2, attr_churn=0.1,
                                wrap=0.02, move=0.03, reorder=0.35, remove=0.06, decoys=0.04, layout_shift=0.5,
                                relayout=0.05)),
    "redesign": (0.25, Intensity(rename_id=0.4, rename_class=0.9, rename_testid=0.05, reword=0.12, attr_churn=0.5,
                                 wrap=0.15, move=0.06, reorder=0.1, remove=0.05, decoys=0.03, layout_shift=0.9,
                                 relayout=0.7)),
    "migration": (0.15, Intensity(rename_id=1.0, rename_class=1.0, rename_testid=0.3, reword=0.05, attr_churn=0.6,
                                  wrap=0.2, move=0.02, reorder=0.05, remove=0.03, decoys=0.02, layout_shift=0.7,
                                  relayout=0.4)),
}


def realistic(rng: np.random.Generator) -> Intensity:
    """A build drawn from :data:`ARCHETYPES` (each rate jittered by x0.6-1.4): what the weights are learned and
    the score calibrated on."""
    names = list(ARCHETYPES)
    k = int(rng.choice(len(names), p=[ARCHETYPES[n][0] for n in names]))
    base = ARCHETYPES[names[k]][1]
    return Intensity(**{f: min(1.0, v * float(rng.uniform(0.6, 1.4))) for f, v in base.__dict__.items()})


def mutate(page: Page, rng: np.random.Generator, how: Intensity) -> tuple[Page, set[int]]:
    """A changed build of ``page``; returns it and the keys of removed nodes."""
    p = copy.deepcopy(page)
    nodes = p.nodes()
    for n in nodes:
        if n.attrs.get("id") and rng.random() < how.rename_id:
            old = n.attrs["id"]
            n.attrs["id"] = _restyle_id(old, rng)
            for m in nodes:
                if m.attrs.get("for") == old:
                    m.attrs["for"] = n.attrs["id"]
        if n.attrs.get("class") and rng.random() < how.rename_class:
            n.attrs["class"] = " ".join(f"css-{_token(rng, 5)}" if rng.random() < 0.7 else c
                                        for c in n.attrs["class"].split())
        if n.attrs.get("data-testid") and rng.random() < how.rename_testid:
            n.attrs["data-testid"] = f"{n.attrs['data-testid']}-{rng.choice(WORDS)}"
        if n.attrs.get("href") and rng.random() < how.rename_id / 2:  # new routes, tracking parameters
            n.attrs["href"] = (n.attrs["href"] + f"?ref={_token(rng, 4)}") if rng.random() < 0.5 else \
                f"/{rng.choice(WORDS)}/{_token(rng, 5)}"
        if rng.random() < how.attr_churn:
            r = rng.random()
            if r < 0.4:
                n.attrs[f"data-v-{_token(rng, 6)}"] = ""
            elif r < 0.7 and n.attrs:
                drop = str(rng.choice(sorted(n.attrs)))
                if drop not in ("id", "data-testid"):
                    n.attrs.pop(drop)
            else:
                n.attrs["title"] = str(rng.choice(WORDS))
    for n in nodes:
        if n.own_text and len(n.own_text.split()) <= 8 and rng.random() < how.reword:
            _set_text(p, n, reword(n.own_text, rng))
    if rng.random() < how.layout_shift:  # a banner on top, a wider sidebar: everything below moves
        dx, dy = float(rng.normal(0, 40)), float(rng.uniform(20, 200))
        cut = float(rng.uniform(0, 300))
        for n in nodes:
            if n.box and n.box[1] >= cut:
                n.box = [n.box[0] + dx, n.box[1] + dy, n.box[2], n.box[3]]
    if rng.random() < how.relayout:  # a new layout: the nav goes to the side, sections move and change width
        _relayout(p, rng)
    for n in _movable(p):  # reordered lists and rows: children take each other's slots
        same = [c for c in n.children if c.box]
        if len(same) >= 3 and len({c.tag for c in same}) == 1 and rng.random() < how.reorder:
            order = rng.permutation(len(same))
            slots = [list(c.box[:2]) for c in same]
            moved = [same[i] for i in order]
            for c, (sx, sy) in zip(moved, slots):
                _translate(c, sx - c.box[0], sy - c.box[1])
            others = [c for c in n.children if not c.box]
            n.children = moved + others
    for n in _movable(p):
        if n.parent is None:
            continue
        if rng.random() < how.wrap:  # a wrapper div, itself a visible element with the same text
            w = Node(p.new_key(), "div", {"class": f"wrap-{_token(rng, 4)}"}, parent=n.parent,
                     box=[n.box[0] - 4, n.box[1] - 4, n.box[2] + 8, n.box[3] + 8] if n.box else None)
            info = n.info or {}
            w.info = {"role": "", "name": "", "label": "", "text": info.get("text", ""),
                      "visible_text": info.get("visible_text", ""), "is_button": False}
            i = n.parent.children.index(n)
            n.parent.children[i] = w
            w.children, n.parent = [n], w
        elif rng.random() < how.move:
            dest = [m for m in _movable(p) if m.children and m is not n and n not in ancestors(m)]
            if dest:
                to = dest[int(rng.integers(len(dest)))]
                n.parent.children.remove(n)
                to.children.insert(int(rng.integers(len(to.children) + 1)), n)
                n.parent = to
                _translate(n, float(rng.normal(0, 150)), float(rng.normal(0, 150)))
    removed: set[int] = set()
    for n in _movable(p):
        # what a release removes is a control or a small group, not half the page at once
        if n.parent is not None and n.key not in removed and len(descendants(n)) <= 6 and \
                rng.random() < how.remove:
            while n.parent.parent is not None and len(n.parent.children) == 1 and \
                    n.parent.attrs.get("class", "").startswith("wrap-"):
                n = n.parent  # a wrapper goes with what it wrapped (it only repeated its text)
            i = n.parent.children.index(n)
            n.parent.children.remove(n)
            removed |= {m.key for m in [n] + descendants(n)}
            if n.own_text and rng.random() < 0.5:  # a different element takes its slot (same kind, size, place)
                other = copy.deepcopy(n)
                other.parent = n.parent
                for m in [other] + descendants(other):
                    m.key = p.new_key()
                for k in ("id", "data-testid", "name", "href"):  # a new element brings its own handles
                    if other.attrs.get(k):
                        other.attrs[k] = f"{rng.choice(WORDS)}-{_token(rng, 3)}"
                n.parent.children.insert(i, other)
                words = " ".join(str(w) for w in rng.choice(WORDS, size=max(1, len(n.own_text.split()))))
                _set_text(p, other, words.capitalize())
    for n in _movable(p):  # look-alikes: a copy of an element elsewhere, sometimes reworded
        if n.info and n.own_text and n.parent is not None and rng.random() < how.decoys:
            twin = copy.deepcopy(n)
            twin.parent = n.parent
            for m in [twin] + descendants(twin):
                m.key = p.new_key()
            if twin.attrs.get("id"):
                twin.attrs["id"] = _restyle_id(twin.attrs["id"], rng)
            _translate(twin, float(rng.normal(0, 300)), float(rng.normal(0, 300)))
            n.parent.children.insert(int(rng.integers(len(n.parent.children) + 1)), twin)
            if rng.random() < 0.5:
                _set_text(p, twin, reword(twin.own_text, rng))
    return p, removed



def pick_targets(page: Page, rng: np.random.Generator, k: int) -> list[Node]:
    """Up to ``k`` snapshot elements a person could act on (controls, links, list items, headings)."""
    pool = [n for n in page.nodes() if n.info is not None and n.tag in INTERACTIVE_TAGS and n.box]
    if len(pool) <= k:
        return pool
    return [pool[i] for i in sorted(rng.choice(len(pool), size=k, replace=False))]


def changed_pair(page: Page, rng: np.random.Generator, k: int, how: Intensity | None = None,
                 tag: str = "") -> tuple[list[dict], list[dict], list[str | None]]:
    """Targets from ``page``, candidates from a mutated build, and each target's true candidate id (or None).

    ``how`` defaults to the stress mix (:func:`intensity`); pass :func:`realistic`'s draw for site-like builds."""
    how = how or intensity(rng)
    targets_nodes = pick_targets(page, rng, k)
    new, removed = mutate(page, rng, how)
    t_all, t_keys = render(page, f"{tag}t")
    c_all, c_keys = render(new, f"{tag}c")
    want = {n.key for n in targets_nodes}
    targets = [d for d, key in zip(t_all, t_keys) if key in want]
    t_order = [key for key in t_keys if key in want]
    cid = {key: d["id"] for d, key in zip(c_all, c_keys)}
    truth = [cid.get(key) if key not in removed else None for key in t_order]
    return targets, c_all, truth
