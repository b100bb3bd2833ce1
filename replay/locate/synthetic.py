"""Synthetic pages: plausible app pages (nav, forms, card lists, tables, footer) as trees.

The matcher's weights are learned and its score calibrated on changed builds of these (``fit``); roles,
accessible names, labels and texts are derived the way capture.js derives them. ``WORDS`` is the vocabulary of
their text, and of the new ids and wording of a changed build (``changes``).
"""

from __future__ import annotations

import numpy as np

from replay.locate.tree import Node, Page, descendants

_IMPLICIT = {"button": "button", "a": "link", "select": "combobox", "textarea": "textbox", "ul": "list",
             "li": "listitem", "h1": "heading", "h2": "heading", "h3": "heading", "table": "table", "tr": "row",
             "td": "cell", "nav": "navigation", "form": "form"}
_NAMED_BY_CONTENT = ("button", "link", "listitem", "heading", "cell")
WORDS = ("account", "add", "address", "all", "apply", "archive", "back", "billing", "board", "book", "browse",
         "cancel", "card", "cart", "change", "checkout", "city", "clear", "close", "comment", "confirm", "contact",
         "continue", "copy", "country", "create", "date", "delete", "details", "done", "download", "draft", "edit",
         "email", "event", "export", "file", "filter", "find", "first", "help", "history", "home", "import",
         "invite", "item", "language", "last", "list", "load", "login", "logout", "message", "more", "name", "new",
         "next", "notes", "open", "order", "page", "password", "payment", "phone", "plan", "post", "preview",
         "previous", "print", "profile", "project", "publish", "read", "refresh", "remove", "reply", "report",
         "reset", "results", "review", "save", "search", "send", "settings", "share", "show", "sign", "sort",
         "start", "street", "submit", "subscribe", "summary", "support", "tag", "task", "team", "terms", "today",
         "update", "upload", "user", "view", "week", "zip")


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
        return " ".join(str(w) for w in rng.choice(WORDS, size=k)).capitalize()

    def cls() -> dict:
        return {"class": " ".join(str(w) for w in rng.choice(WORDS, size=int(rng.integers(1, 3))))}

    def maybe_id(base: str) -> dict:
        a = cls()
        if rng.random() < 0.4:
            a["id"] = f"{base}-{page.next_key}"
        if rng.random() < 0.2:
            a["data-testid"] = f"{base}-{rng.choice(WORDS)}-{page.next_key}"
        return a

    nav = add(body, "nav", {"id": "nav", **cls()}, box=[0, 0, 1280, 48])
    ul = add(nav, "ul", cls(), box=[0, 0, 1280, 48])
    for i in range(int(rng.integers(3, 9))):
        li = add(ul, "li", cls(), box=[20 + i * 130, 8, 120, 32])
        add(li, "a", {**maybe_id("nav"), "href": f"/{rng.choice(WORDS)}"}, words(int(rng.integers(1, 3))),
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
                fid = f"f-{rng.choice(WORDS)}-{page.next_key}"
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
        add(footer, "a", {"href": f"/{rng.choice(WORDS)}"}, words(1), box=[20 + i * 100, y + 40, 90, 20])
    # Real pages are not a grid of equal boxes: labels size their controls, fonts differ between sites.
    scale = float(rng.uniform(0.8, 1.3))
    for n in page.nodes():
        if n.box and n.own_text and n.tag in ("button", "a", "label", "h2", "h3"):
            n.box = [n.box[0], n.box[1], float(np.clip((7.5 * len(n.own_text) + 24) * scale + rng.normal(0, 4),
                                                       24, 600)), n.box[3] * scale]
    for n in page.nodes():  # containers without a box: the union of their children
        if n.box is None:
            boxes = [m.box for m in descendants(n) if m.box]
            if boxes:
                b = np.array(boxes)
                x0, y0 = b[:, 0].min(), b[:, 1].min()
                n.box = [float(x0), float(y0), float((b[:, 0] + b[:, 2]).max() - x0),
                         float((b[:, 1] + b[:, 3]).max() - y0)]
    _semantics(page)
    root.info = None
    return page
