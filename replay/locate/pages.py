"""Pages as trees, the changes a new build makes to them, and synthetic pages.

This is where the matcher's training and evaluation changes come from. A page
snapshot (descriptors, e.g. captured from the demo app) is rebuilt into a tree
from its XPaths; seeded mutations then do what new builds do -- rename ids and
classes, reword text, move, wrap, reorder and remove elements, add look-alikes,
shift the layout -- and the tree is rendered back to descriptors with paths,
CSS paths and neighbours recomputed, so every derived field changes the way it
would in a browser. Each node keeps a ``key`` across mutations: the truth.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from replay.locate.descriptor import SIDES, normalize

INTERACTIVE_TAGS = ("a", "button", "input", "select", "textarea", "li", "label", "h1", "h2", "h3", "td", "summary")
_IMPLICIT = {"button": "button", "a": "link", "select": "combobox", "textarea": "textbox", "ul": "list",
             "li": "listitem", "h1": "heading", "h2": "heading", "h3": "heading", "table": "table", "tr": "row",
             "td": "cell", "nav": "navigation", "form": "form"}
_NAMED_BY_CONTENT = ("button", "link", "listitem", "heading", "cell")
_WORDS = ("account", "add", "address", "all", "apply", "archive", "back", "billing", "board", "book", "browse",
          "cancel", "card", "cart", "change", "checkout", "city", "clear", "close", "comment", "confirm", "contact",
          "continue", "copy", "country", "create", "date", "delete", "details", "done", "download", "draft", "edit",
          "email", "event", "export", "file", "filter", "find", "first", "help", "history", "home", "import",
          "invite", "item", "language", "last", "list", "load", "login", "logout", "message", "more", "name", "new",
          "next", "notes", "open", "order", "page", "password", "payment", "phone", "plan", "post", "preview",
          "previous", "print", "profile", "project", "publish", "read", "refresh", "remove", "reply", "report",
          "reset", "results", "review", "save", "search", "send", "settings", "share", "show", "sign", "sort",
          "start", "street", "submit", "subscribe", "summary", "support", "tag", "task", "team", "terms", "today",
          "update", "upload", "user", "view", "week", "zip")
_SYNONYMS = {"delete": "remove", "remove": "delete", "save": "store", "sign": "log", "login": "sign in",
             "logout": "sign out", "email": "e-mail", "submit": "send", "send": "submit", "search": "find",
             "find": "search", "cancel": "dismiss", "close": "dismiss", "edit": "change", "next": "continue",
             "continue": "next", "create": "new", "new": "create", "settings": "preferences", "zip": "postal code",
             "phone": "telephone", "name": "full name", "view": "show", "show": "view", "details": "more info"}


@dataclass
class Node:
    key: int
    tag: str
    attrs: dict[str, str]
    box: list[float] | None = None
    children: list["Node"] = field(default_factory=list)
    parent: "Node | None" = field(default=None, repr=False)
    own_text: str = ""
    info: dict[str, Any] | None = None  # role, name, label, text, visible_text, is_button; None: not in snapshot


@dataclass
class Page:
    key: str
    root: Node
    next_key: int

    def nodes(self) -> list[Node]:
        out, stack = [], [self.root]
        while stack:
            n = stack.pop()
            out.append(n)
            stack.extend(reversed(n.children))
        return out

    def new_key(self) -> int:
        self.next_key += 1
        return self.next_key


# -- snapshot <-> tree --------------------------------------------------------------------------

_STEP = re.compile(r"^([a-z0-9_-]+)\[(\d+)\]$", re.I)


def tree_from_snapshot(descs: list[dict[str, Any]], page: str) -> Page:
    """Rebuild the page tree from its descriptors' XPaths (ancestors not in the snapshot become bare nodes)."""
    root = Node(0, "html", {})
    by_path: dict[str, Node] = {"/html[1]": root}
    k = 0
    items = [normalize(d) for d in descs]
    items = [d for d in items if d["xpath"].startswith("/html[1]/")]
    items.sort(key=lambda d: [(m.group(1), int(m.group(2))) if (m := _STEP.match(s)) else (s, 0)
                              for s in d["xpath"].split("/")[1:]])
    for d in items:
        steps = d["xpath"].split("/")[1:]
        parent = root
        for depth in range(2, len(steps) + 1):
            path = "/" + "/".join(steps[:depth])
            node = by_path.get(path)
            if node is None:
                k += 1
                m = _STEP.match(steps[depth - 1])
                node = Node(k, m.group(1) if m else steps[depth - 1], {}, parent=parent)
                parent.children.append(node)
                by_path[path] = node
            parent = node
        node = parent
        node.tag, node.attrs, node.box = d["tag"] or node.tag, dict(d["attrs"]), list(d["box"]) if d["box"] else None
        node.info = {f: d[f] for f in ("role", "name", "label", "text", "visible_text", "is_button")}
        node.own_text = ""
        if d["idxpath"].startswith("//*[@id="):
            anchor = d["idxpath"].split("/")[2][7:-2]
            rest = len([s for s in d["idxpath"].split("/")[3:] if s])
            a = node
            for _ in range(rest):
                a = a.parent if a.parent is not None else a
            a.attrs.setdefault("id", anchor)
    for n in Page(page, root, k).nodes():  # own text: the text of nodes no snapshot descendant speaks for
        if n.info and (n.info["visible_text"] or n.info["text"]):
            if not any(c.info and (c.info["visible_text"] or c.info["text"]) for c in _descendants(n)):
                n.own_text = n.info["visible_text"] or n.info["text"]
    return Page(page, root, k)


def _descendants(n: Node) -> list[Node]:
    out, stack = [], list(n.children)
    while stack:
        c = stack.pop()
        out.append(c)
        stack.extend(c.children)
    return out


def _ancestors(n: Node) -> list[Node]:
    out = []
    while n.parent is not None:
        n = n.parent
        out.append(n)
    return out


def render(page: Page, prefix: str) -> tuple[list[dict[str, Any]], list[int]]:
    """Descriptors of the snapshot nodes in document order (paths and neighbours recomputed), and their keys."""
    descs: list[dict[str, Any]] = []
    keys: list[int] = []
    nodes = page.nodes()
    steps: dict[int, str] = {page.root.key: "html[1]"}
    css_step: dict[int, str] = {page.root.key: "html"}
    for n in nodes:
        seen: dict[str, int] = {}
        counts: dict[str, int] = {}
        for c in n.children:
            counts[c.tag] = counts.get(c.tag, 0) + 1
        for c in n.children:
            seen[c.tag] = seen.get(c.tag, 0) + 1
            steps[c.key] = f"{c.tag}[{seen[c.tag]}]"
            css_step[c.key] = c.tag + (f":nth-of-type({seen[c.tag]})" if counts[c.tag] > 1 else "")
    neighbors = _all_neighbors(nodes)
    for n in nodes:
        if n.info is None:
            continue
        chain = [n] + _ancestors(n)
        xpath = "/" + "/".join(steps[a.key] for a in reversed(chain))
        idx = next((i for i, a in enumerate(chain) if a.attrs.get("id")), None)
        if idx is None:
            idxpath = xpath
        else:
            rest = "/".join(steps[a.key] for a in reversed(chain[:idx]))
            idxpath = f"//*[@id='{chain[idx].attrs['id']}']" + ("/" + rest if rest else "")
        css_parts: list[str] = []
        for a in chain[:8]:
            if a.attrs.get("id"):
                css_parts.insert(0, "#" + a.attrs["id"])
                break
            css_parts.insert(0, css_step[a.key])
        d = {"id": f"{prefix}{len(descs)}", "page": page.key, "tag": n.tag, "attrs": dict(n.attrs), **n.info,
             "xpath": xpath, "idxpath": idxpath, "css": " > ".join(css_parts),
             "box": {"x": n.box[0], "y": n.box[1], "w": n.box[2], "h": n.box[3]} if n.box else None,
             "neighbors": neighbors.get(n.key, {})}
        descs.append(d)
        keys.append(n.key)
    return descs, keys


def _all_neighbors(nodes: list[Node]) -> dict[int, dict[str, str]]:
    """The nearest text-bearing element on each side of every node (overlapping on the other axis, not an
    ancestor or descendant), as capture.js does -- as (nodes x texts) matrices, nodes in document order."""
    pre = {n.key: i for i, n in enumerate(nodes)}
    end = np.zeros(len(nodes), dtype=np.int64)  # preorder index past the node's subtree
    for i in range(len(nodes) - 1, -1, -1):
        n = nodes[i]
        end[i] = end[pre[n.children[-1].key]] if n.children else i + 1
    ti = np.array([i for i, n in enumerate(nodes) if n.own_text and n.box], dtype=np.int64)
    boxed = np.array([i for i, n in enumerate(nodes) if n.info is not None and n.box], dtype=np.int64)
    if not len(ti) or not len(boxed):
        return {}
    tb = np.array([nodes[i].box for i in ti], float)
    nb = np.array([nodes[i].box for i in boxed], float)
    x, y, w, h = (nb[:, k:k + 1] for k in range(4))
    tx, ty, tw, th = (tb[None, :, k] for k in range(4))
    related = ((ti[None, :] >= boxed[:, None]) & (ti[None, :] < end[boxed][:, None])) | \
              ((boxed[:, None] >= ti[None, :]) & (boxed[:, None] < end[ti][None, :]))
    ovy = (np.minimum(y + h, ty + th) - np.maximum(y, ty)) > 0
    ovx = (np.minimum(x + w, tx + tw) - np.maximum(x, tx)) > 0
    gaps = {"left": np.where(ovy & (tx + tw <= x + 1), x - (tx + tw), np.inf),
            "right": np.where(ovy & (tx >= x + w - 1), tx - (x + w), np.inf),
            "above": np.where(ovx & (ty + th <= y + 1), y - (ty + th), np.inf),
            "below": np.where(ovx & (ty >= y + h - 1), ty - (y + h), np.inf)}
    out: dict[int, dict[str, str]] = {nodes[i].key: {} for i in boxed}
    for side in SIDES:
        g = np.where(related, np.inf, gaps[side])
        j = np.argmin(g, axis=1)
        ok = np.isfinite(g[np.arange(len(boxed)), j])
        for r in np.nonzero(ok)[0]:
            out[nodes[boxed[r]].key][side] = nodes[ti[j[r]]].own_text
    return out


# -- mutations ------------------------------------------------------------------------------------

def _token(rng: np.random.Generator, n: int = 6) -> str:
    return "".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz0123456789"), n))


def _restyle_id(old: str, rng: np.random.Generator) -> str:
    r = rng.random()
    if r < 0.3:
        return re.sub(r"[-_]([a-z0-9])", lambda m: m.group(1).upper(), old)  # kebab -> camel
    if r < 0.5:
        return "v2-" + old
    if r < 0.8:
        return f"{rng.choice(_WORDS)}-{_token(rng, 4)}"
    return _token(rng, 8)  # generated ids: nothing left of the old one


def reword(text: str, rng: np.random.Generator) -> str:
    words = text.split()
    if not words:
        return text
    r = rng.random()
    if r < 0.3:
        out = [(_SYNONYMS.get(w.lower(), w) if rng.random() < 0.7 else w) for w in words]
        if out == words:
            out = words + [str(rng.choice(_WORDS))]
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
    return " ".join(str(w) for w in rng.choice(_WORDS, size=max(1, len(words)))).capitalize()  # new wording


def _set_text(page: Page, n: Node, new: str) -> None:
    old = n.own_text
    if not old or old == new:
        return
    n.own_text = new
    for a in [n] + _ancestors(n):
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
    for m in [n] + _descendants(n):
        if m.box:
            m.box = [m.box[0] + dx, m.box[1] + dy, m.box[2], m.box[3]]


def _affine(n: Node, x0: float, sx: float, sy: float, dx: float, dy: float) -> None:
    for m in [n] + _descendants(n):
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
            n.attrs["data-testid"] = f"{n.attrs['data-testid']}-{rng.choice(_WORDS)}"
        if n.attrs.get("href") and rng.random() < how.rename_id / 2:  # new routes, tracking parameters
            n.attrs["href"] = (n.attrs["href"] + f"?ref={_token(rng, 4)}") if rng.random() < 0.5 else \
                f"/{rng.choice(_WORDS)}/{_token(rng, 5)}"
        if rng.random() < how.attr_churn:
            r = rng.random()
            if r < 0.4:
                n.attrs[f"data-v-{_token(rng, 6)}"] = ""
            elif r < 0.7 and n.attrs:
                drop = str(rng.choice(sorted(n.attrs)))
                if drop not in ("id", "data-testid"):
                    n.attrs.pop(drop)
            else:
                n.attrs["title"] = str(rng.choice(_WORDS))
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
            dest = [m for m in _movable(p) if m.children and m is not n and n not in _ancestors(m)]
            if dest:
                to = dest[int(rng.integers(len(dest)))]
                n.parent.children.remove(n)
                to.children.insert(int(rng.integers(len(to.children) + 1)), n)
                n.parent = to
                _translate(n, float(rng.normal(0, 150)), float(rng.normal(0, 150)))
    removed: set[int] = set()
    for n in _movable(p):
        # what a release removes is a control or a small group, not half the page at once
        if n.parent is not None and n.key not in removed and len(_descendants(n)) <= 6 and \
                rng.random() < how.remove:
            while n.parent.parent is not None and len(n.parent.children) == 1 and \
                    n.parent.attrs.get("class", "").startswith("wrap-"):
                n = n.parent  # a wrapper goes with what it wrapped (it only repeated its text)
            i = n.parent.children.index(n)
            n.parent.children.remove(n)
            removed |= {m.key for m in [n] + _descendants(n)}
            if n.own_text and rng.random() < 0.5:  # a different element takes its slot (same kind, size, place)
                other = copy.deepcopy(n)
                other.parent = n.parent
                for m in [other] + _descendants(other):
                    m.key = p.new_key()
                for k in ("id", "data-testid", "name", "href"):  # a new element brings its own handles
                    if other.attrs.get(k):
                        other.attrs[k] = f"{rng.choice(_WORDS)}-{_token(rng, 3)}"
                n.parent.children.insert(i, other)
                words = " ".join(str(w) for w in rng.choice(_WORDS, size=max(1, len(n.own_text.split()))))
                _set_text(p, other, words.capitalize())
    for n in _movable(p):  # look-alikes: a copy of an element elsewhere, sometimes reworded
        if n.info and n.own_text and n.parent is not None and rng.random() < how.decoys:
            twin = copy.deepcopy(n)
            twin.parent = n.parent
            for m in [twin] + _descendants(twin):
                m.key = p.new_key()
            if twin.attrs.get("id"):
                twin.attrs["id"] = _restyle_id(twin.attrs["id"], rng)
            _translate(twin, float(rng.normal(0, 300)), float(rng.normal(0, 300)))
            n.parent.children.insert(int(rng.integers(len(n.parent.children) + 1)), twin)
            if rng.random() < 0.5:
                _set_text(p, twin, reword(twin.own_text, rng))
    return p, removed


# -- synthetic pages ------------------------------------------------------------------------------

def _semantics(page: Page) -> None:
    """Role, accessible name, label, texts of synthetic nodes, derived the way capture.js derives them."""
    nodes = page.nodes()
    by_id = {n.attrs["id"]: n for n in nodes if n.attrs.get("id")}
    for n in reversed(nodes):  # children first
        text = " ".join(t for t in [n.own_text] + [c.info["text"] for c in n.children if c.info] if t)
        role = n.attrs.get("role") or _IMPLICIT.get(n.tag, "")
        if n.tag == "input":
            role = {"checkbox": "checkbox", "radio": "radio", "submit": "button", "button": "button"}.get(
                n.attrs.get("type", "text"), "textbox")
        label = ""
        if n.tag in ("input", "select", "textarea") and n.attrs.get("id"):
            lab = next((m for m in nodes if m.tag == "label" and m.attrs.get("for") == n.attrs["id"]), None)
            label = lab.own_text if lab else ""
        name = n.attrs.get("aria-label") or label or (text if role in _NAMED_BY_CONTENT else "") \
            or n.attrs.get("placeholder", "") or n.attrs.get("title", "")
        visible = n.attrs.get("placeholder", "") if n.tag == "input" else text
        n.info = {"role": role, "name": name[:200], "label": label, "text": text[:200], "visible_text": visible[:200],
                  "is_button": n.tag == "button" or (n.tag == "input" and n.attrs.get("type") == "submit")}
    del by_id


def synthetic_page(rng: np.random.Generator, key: str, n_target: int = 300) -> Page:
    """A plausible app page of about ``n_target`` elements: nav, forms, card lists, tables, footer."""
    root = Node(0, "html", {})
    page = Page(key, root, 0)
    body = Node(page.new_key(), "body", {}, parent=root)
    root.children.append(body)
    y = 0.0

    def add(parent: Node, tag: str, attrs: dict | None = None, text: str = "", box=None) -> Node:
        n = Node(page.new_key(), tag, attrs or {}, box=box, parent=parent, own_text=text)
        parent.children.append(n)
        return n

    def words(k: int) -> str:
        return " ".join(str(w) for w in rng.choice(_WORDS, size=k)).capitalize()

    def cls() -> dict:
        return {"class": " ".join(str(w) for w in rng.choice(_WORDS, size=int(rng.integers(1, 3))))}

    def maybe_id(base: str) -> dict:
        a = cls()
        if rng.random() < 0.4:
            a["id"] = f"{base}-{page.next_key}"
        if rng.random() < 0.2:
            a["data-testid"] = f"{base}-{rng.choice(_WORDS)}-{page.next_key}"
        return a

    nav = add(body, "nav", {"id": "nav", **cls()}, box=[0, 0, 1280, 48])
    ul = add(nav, "ul", cls(), box=[0, 0, 1280, 48])
    for i in range(int(rng.integers(3, 9))):
        li = add(ul, "li", cls(), box=[20 + i * 130, 8, 120, 32])
        add(li, "a", {**maybe_id("nav"), "href": f"/{rng.choice(_WORDS)}"}, words(int(rng.integers(1, 3))),
            box=[24 + i * 130, 12, 112, 24])
    y = 64.0
    main = add(body, "main", {"id": "main"} if rng.random() < 0.5 else cls())
    while len(page.nodes()) < n_target:
        kind = rng.choice(["form", "cards", "table", "text"], p=[0.3, 0.3, 0.3, 0.1])
        sec = add(main, "section", maybe_id("section"))
        add(sec, "h2", cls(), words(int(rng.integers(1, 4))), box=[20, y, 600, 30])
        y += 40
        if kind == "form":
            form = add(sec, "form", maybe_id("form"))
            for _ in range(int(rng.integers(2, 7))):
                row = add(form, "div", {"class": "row"}, box=[20, y, 600, 32])
                fid = f"f-{rng.choice(_WORDS)}-{page.next_key}"
                add(row, "label", {"for": fid}, words(int(rng.integers(1, 3))), box=[20, y + 4, 150, 24])
                attrs = {"id": fid, "type": str(rng.choice(["text", "email", "tel", "text"])),
                         "name": fid.split("-")[1]}
                if rng.random() < 0.3:
                    attrs["placeholder"] = words(2)
                add(row, "input", attrs, box=[180, y, 300, 32])
                y += 42
            add(form, "button", {**maybe_id("submit"), "type": "submit"}, str(rng.choice(["Save", "Submit",
                                                                                             "Continue", "Send"])),
                box=[20, y, 100, 36])
            y += 50
        elif kind == "cards":
            grid = add(sec, "div", {"class": "cards"})
            for i in range(int(rng.integers(3, 13))):
                cx, cy = 20 + (i % 3) * 410, y + (i // 3) * 180
                card = add(grid, "div", {"class": "card", **({"data-testid": f"card-{i}"} if rng.random() < 0.2
                                                             else {})}, box=[cx, cy, 400, 170])
                add(card, "h3", {}, words(int(rng.integers(1, 4))), box=[cx + 10, cy + 10, 380, 24])
                add(card, "p", {}, words(int(rng.integers(4, 12))), box=[cx + 10, cy + 40, 380, 60])
                for b, label in enumerate(rng.choice(["Edit", "Delete", "Share", "Open", "Read more"], 2,
                                                     replace=False)):
                    add(card, "button", {"class": "btn", "type": "button"}, str(label),
                        box=[cx + 10 + b * 110, cy + 120, 100, 32])
            y += ((i // 3) + 1) * 180
        elif kind == "table":
            table = add(sec, "table", maybe_id("table"))
            tbody = add(table, "tbody", {})
            for r in range(int(rng.integers(3, 16))):
                tr = add(tbody, "tr", {}, box=[20, y, 1000, 36])
                for c in range(3):
                    add(tr, "td", {}, words(int(rng.integers(1, 3))) if c < 2 else "", box=[20 + c * 300, y, 290, 36])
                td = tr.children[-1]
                add(td, "a", {"href": f"/item/{r}", "class": "edit"}, "Edit", box=[630, y + 6, 60, 24])
                add(td, "button", {"class": "danger", "type": "button"}, "Delete", box=[700, y + 4, 80, 28])
                y += 40
        else:
            add(sec, "p", cls(), words(int(rng.integers(8, 20))), box=[20, y, 800, 60])
            y += 70
        sec.box = [10, min(c.box[1] for c in sec.children if c.box) - 10, 1200, 0]
        sec.box[3] = y - sec.box[1]
    footer = add(body, "footer", cls(), box=[0, y + 20, 1280, 60])
    for i in range(int(rng.integers(2, 6))):
        add(footer, "a", {"href": f"/{rng.choice(_WORDS)}"}, words(1), box=[20 + i * 100, y + 40, 90, 20])
    # Real pages are not a grid of equal boxes: labels size their controls, fonts differ between sites.
    scale = float(rng.uniform(0.8, 1.3))
    for n in page.nodes():
        if n.box and n.own_text and n.tag in ("button", "a", "label", "h2", "h3"):
            n.box = [n.box[0], n.box[1], float(np.clip((7.5 * len(n.own_text) + 24) * scale + rng.normal(0, 4),
                                                       24, 600)), n.box[3] * scale]
    for n in page.nodes():  # containers without a box: the union of their children
        if n.box is None:
            boxes = [m.box for m in _descendants(n) if m.box]
            if boxes:
                b = np.array(boxes)
                x0, y0 = b[:, 0].min(), b[:, 1].min()
                n.box = [float(x0), float(y0), float((b[:, 0] + b[:, 2]).max() - x0),
                         float((b[:, 1] + b[:, 3]).max() - y0)]
    _semantics(page)
    root.info = None
    return page


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
