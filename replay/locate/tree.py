"""Pages as trees: a page snapshot rebuilt into a tree, and a tree rendered back to descriptors.

This is where the matcher's training and evaluation changes come from (with ``changes``, the changes a new
build makes, and ``synthetic``, generated pages). A page snapshot (descriptors, e.g. captured from the demo
app) is rebuilt into a tree from its XPaths; after the changes, the tree is rendered back to descriptors with
paths, CSS paths and neighbours recomputed, so every derived field changes the way it would in a browser.
Each node keeps a ``key`` across mutations: the truth.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from replay.locate.descriptor import SIDES, normalize


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
            if not any(c.info and (c.info["visible_text"] or c.info["text"]) for c in descendants(n)):
                n.own_text = n.info["visible_text"] or n.info["text"]
    return Page(page, root, k)


def descendants(n: Node) -> list[Node]:
    out, stack = [], list(n.children)
    while stack:
        c = stack.pop()
        out.append(c)
        stack.extend(c.children)
    return out


def ancestors(n: Node) -> list[Node]:
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
        chain = [n] + ancestors(n)
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

