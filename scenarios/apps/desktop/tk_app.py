"""The bundled Tk desktop app that the desktop driver, the X recorder and their tests drive.

    python -m scenarios.apps.desktop.tk_app [--state-file PATH]

A form (name, email, password, a checkbox, Submit), a menu bar (File / Edit / Help,
every item doing something visible) and a 40-item list that scrolls. The window has
a fixed geometry (800x600+0+0) so targets sit where a driver expects them.

What the app saw is written to ``--state-file`` as JSON (atomically: temp file then
``os.replace``) once the window is mapped, after every submit, menu action and
About dialog, every mouse press and key release, and on close. It holds the field
values -- for the password only its length, so the file can sit beside a dataset
without leaking the secret -- the selected list item, the menu actions taken, every
press the app received (wall-clock time and the widget, list row or menu entry under
it: what a driver checks its ground truth against), and the root-window geometry of
every widget and menu entry, so a driver can aim at targets without guessing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import tkinter as tk
from pathlib import Path
from typing import Any, Callable

TITLE = "hcisim demo desktop app"
GEOMETRY = "800x600+0+0"
STATE_FORMAT = 1
ITEMS = [f"Item {i:02d} · {word}" for i, word in enumerate(
    ("alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november oscar papa "
     "quebec romeo sierra tango uniform victor whiskey xray yankee zulu amber basil cedar dune ember fern "
     "garnet heath iris jade kelp lotus maple nutmeg").split(), start=1)]
BUTTONS = {1: "left", 2: "middle", 3: "right"}
"""X button numbers as the dataset names them."""
SAMPLE = {"name": "Ada Lovelace", "email": "ada@example.org"}


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write ``data`` so a reader sees the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1)
            fh.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class DemoApp:
    """The window, its widgets, and the record of what a user did to them."""

    def __init__(self, root: tk.Tk, state_file: Path | None) -> None:
        self.root = root
        self.state_file = state_file
        self.writes = 0
        self.key_releases = 0  # the driver waits for as many as it sent before it reads a field
        self.menu_actions: list[str] = []
        self.presses: list[dict[str, Any]] = []
        self.submissions: list[dict[str, Any]] = []
        self.about: tk.Toplevel | None = None

        root.title(TITLE)
        root.geometry(GEOMETRY)
        root.resizable(False, False)
        root.protocol("WM_DELETE_WINDOW", self.close)

        self.name = tk.StringVar(root)
        self.email = tk.StringVar(root)
        self.password = tk.StringVar(root)
        self.subscribe = tk.BooleanVar(root, value=False)
        self.status = tk.StringVar(root, value="Fill in the form and press Submit.")
        self.widgets: dict[str, tk.Widget] = {}
        self._build_menu()
        self._build_form()
        self._build_list()
        tk.Label(root, textvariable=self.status, anchor="w", relief="sunken", padx=8).pack(side="bottom", fill="x")
        root.bind("<Control-q>", lambda e: self.close())
        root.bind("<Return>", lambda e: self.submit() if e.widget is not self.widgets["list"] else None)
        self._mapped_once = False
        root.bind("<Map>", self._on_map, add="+")
        root.bind_all("<ButtonPress>", self._on_press, add="+")
        root.bind_all("<KeyRelease>", self._on_key_release, add="+")

    # -- building -------------------------------------------------------------
    def _build_menu(self) -> None:
        bar = tk.Menu(self.root, tearoff=0)
        self.menus: dict[str, tk.Menu] = {}
        spec: dict[str, list[tuple[str, Callable[[], None]]]] = {
            "File": [("Clear form", self.clear_form), ("Save state", self.save_state), ("Quit", self.close)],
            "Edit": [("Fill sample", self.fill_sample), ("Uppercase name", self.uppercase_name),
                     ("Clear selection", self.clear_selection)],
            "Help": [("About", self.show_about)],
        }
        for title, items in spec.items():
            menu = tk.Menu(bar, tearoff=0)
            for label, action in items:
                menu.add_command(label=label, command=self._menu_action(f"{title} > {label}", action))
            bar.add_cascade(label=title, menu=menu, underline=0)
            self.menus[title] = menu
        self.menubar = bar
        self.root.config(menu=bar)

    def _menu_action(self, name: str, action: Callable[[], None]) -> Callable[[], None]:
        def run() -> None:
            self.menu_actions.append(name)
            action()
            if name != "File > Quit":
                self.write_state(f"menu: {name}")
        return run

    def _build_form(self) -> None:
        form = tk.LabelFrame(self.root, text="Account", padx=12, pady=10)
        form.place(x=20, y=16, width=360, height=300)
        rows = [("Name", "name", self.name, {}), ("Email", "email", self.email, {}),
                ("Password", "password", self.password, {"show": "•"})]
        for r, (label, key, var, extra) in enumerate(rows):
            tk.Label(form, text=label, anchor="w").grid(row=r, column=0, sticky="w", pady=6)
            entry = tk.Entry(form, textvariable=var, width=26, **extra)
            entry.grid(row=r, column=1, sticky="we", pady=6, padx=(8, 0))
            self.widgets[f"{key}_entry"] = entry
        check = tk.Checkbutton(form, text="Subscribe to the newsletter", variable=self.subscribe, anchor="w")
        check.grid(row=3, column=0, columnspan=2, sticky="w", pady=8)
        self.widgets["subscribe_check"] = check
        submit = tk.Button(form, text="Submit", width=10, command=self.submit)
        submit.grid(row=4, column=1, sticky="e", pady=12)
        self.widgets["submit_button"] = submit

    def _build_list(self) -> None:
        box = tk.LabelFrame(self.root, text="Items", padx=8, pady=8)
        box.place(x=400, y=16, width=380, height=360)
        scroll = tk.Scrollbar(box, orient="vertical")
        lst = tk.Listbox(box, height=20, exportselection=False, yscrollcommand=scroll.set, activestyle="dotbox")
        scroll.config(command=lst.yview)
        for item in ITEMS:
            lst.insert("end", item)
        lst.pack(side="left", fill="both", expand=True)
        scroll.pack(side="right", fill="y")
        lst.bind("<<ListboxSelect>>", self._on_select)
        self.widgets["list"] = lst
        self.widgets["list_scrollbar"] = scroll

    # -- actions ----------------------------------------------------------------
    def fields(self) -> dict[str, Any]:
        return {"name": self.name.get(), "email": self.email.get(), "password_length": len(self.password.get()),
                "subscribe": bool(self.subscribe.get())}

    def selected(self) -> tuple[int | None, str | None]:
        sel = self.widgets["list"].curselection()  # type: ignore[attr-defined]
        return (int(sel[0]), ITEMS[int(sel[0])]) if sel else (None, None)

    def submit(self) -> None:
        _, item = self.selected()
        self.submissions.append({**self.fields(), "selected_item": item})
        self.status.set(f"Submitted: {self.name.get() or '(no name)'}"
                        + (f", item {item}" if item else "") + ".")
        self.write_state("submit")

    def _on_select(self, _event: object) -> None:
        _, item = self.selected()
        if item:
            self.status.set(f"Selected {item}.")

    def clear_form(self) -> None:
        for var in (self.name, self.email, self.password):
            var.set("")
        self.subscribe.set(False)
        self.status.set("Form cleared.")

    def save_state(self) -> None:
        self.status.set("State saved." if self.state_file else "No state file given (--state-file).")

    def fill_sample(self) -> None:
        self.name.set(SAMPLE["name"])
        self.email.set(SAMPLE["email"])
        self.status.set("Sample data filled in.")

    def uppercase_name(self) -> None:
        self.name.set(self.name.get().upper())
        self.status.set("Name in upper case.")

    def clear_selection(self) -> None:
        self.widgets["list"].selection_clear(0, "end")  # type: ignore[attr-defined]
        self.status.set("Selection cleared.")

    def show_about(self) -> None:
        if self.about is not None:
            self.about.lift()
            return
        about = tk.Toplevel(self.root)
        about.title("About")
        about.geometry("320x140+240+200")
        about.transient(self.root)
        tk.Label(about, text="hcisim demo desktop app\nA form, a menu and a list to drive.", pady=16).pack()
        ok = tk.Button(about, text="OK", width=8, command=self.close_about)
        ok.pack(pady=4)
        about.protocol("WM_DELETE_WINDOW", self.close_about)
        about.bind("<Escape>", lambda e: self.close_about())
        self.about = about
        self.widgets["about_ok"] = ok
        self.status.set("About dialog open.")
        about.update_idletasks()
        about.wait_visibility()

    def close_about(self) -> None:
        if self.about is None:
            return
        self.about.destroy()
        self.about = None
        self.widgets.pop("about_ok", None)
        self.status.set("About dialog closed.")
        self.write_state("about closed")

    def close(self) -> None:
        self.write_state("close")
        self.root.destroy()

    def _on_map(self, event: tk.Event) -> None:
        if event.widget is self.root and not self._mapped_once:
            self._mapped_once = True
            # Geometry settles after the first idle pass; write once it has.
            self.root.after(50, lambda: self.write_state("mapped"))

    # -- what the app saw --------------------------------------------------------
    def _on_press(self, event: tk.Event) -> None:
        self.presses.append({"t": time.time() * 1000.0, "button": BUTTONS.get(event.num, "other"),
                             "x": event.x_root, "y": event.y_root, "target": self._pressed(event)})
        self.root.after_idle(lambda: self.write_state("press"))  # after Tk has handled the press itself

    def _pressed(self, event: tk.Event) -> str | None:
        """The name a driver locates the pressed thing by: a widget, ``item-K``, ``menu-T`` or ``menu-T-L``."""
        w = event.widget
        if isinstance(w, str):  # Tk's on-screen clones of the menu bar and of a posted dropdown
            try:
                label = self.root.tk.eval(f"{w} entrycget [{w} index @{event.x},{event.y}] -label")
            except tk.TclError:
                return None
            if label in self.menus:
                return f"menu-{label}"
            for title, menu in self.menus.items():
                if any(menu.entrycget(k, "label") == label for k in range(int(menu.index("end")) + 1)):
                    return f"menu-{title}-{label}"
            return None
        if w is self.widgets.get("list"):
            return f"item-{int(w.nearest(event.y))}"  # type: ignore[attr-defined]
        return next((name for name, x in self.widgets.items() if x is w), None)

    def _on_key_release(self, event: tk.Event) -> None:
        self.key_releases += 1
        self.root.after_idle(lambda: self.write_state("key"))

    def state(self, reason: str) -> dict[str, Any]:
        self.root.update_idletasks()
        index, item = self.selected()
        lst = self.widgets["list"]
        return {
            "app": "hcisim-demo-tk", "format": STATE_FORMAT, "reason": reason, "writes": self.writes + 1,
            "title": self.root.title(), "fields": self.fields(),
            "list": {"selected_index": index, "selected_item": item, "count": len(ITEMS), "items": list(ITEMS),
                     "first_visible": int(lst.nearest(0)), **self._row_geometry()},  # type: ignore[attr-defined]
            "submissions": list(self.submissions), "menu_actions": list(self.menu_actions),
            "presses": list(self.presses), "key_releases": self.key_releases,
            "about_open": self.about is not None, "status": self.status.get(),
            "window": _box(self.root), "widgets": {k: _box(w) for k, w in self.widgets.items() if w.winfo_exists()},
            "menus": self._menu_geometry(),
        }

    def write_state(self, reason: str) -> None:
        if self.state_file is None:
            return
        write_json_atomic(self.state_file, self.state(reason))
        self.writes += 1

    def _row_geometry(self) -> dict[str, Any]:
        """Where list row k is: y = rows_y + (k - first_visible) * row_height (root coordinates)."""
        lst = self.widgets["list"]
        first = int(lst.nearest(0))  # type: ignore[attr-defined]
        bbox = lst.bbox(first)  # type: ignore[attr-defined]
        if not bbox:
            return {"row_height": None, "rows_x": None, "rows_y": None}
        x, y, _w, h = bbox
        below = lst.bbox(first + 1)  # type: ignore[attr-defined]
        pitch = below[1] - y if below else h
        return {"row_height": pitch, "rows_x": lst.winfo_rootx() + x, "rows_y": lst.winfo_rooty() + y}

    def _menu_geometry(self) -> dict[str, Any]:
        """Menu bar entries, and each dropdown entry where it appears once its menu is opened.

        On X11 Tk draws the menu bar with a clone of the menu widget; the clone is the
        one on screen, so geometry is read from it.
        """
        tcl = self.root.tk
        clone = tcl.eval(f"winfo children {self.root}").split()
        clone = next((c for c in clone if c.startswith(".#")), None)
        if clone is None or tcl.eval(f"winfo ismapped {clone}") != "1":
            return {}
        bx, by = int(tcl.eval(f"winfo rootx {clone}")), int(tcl.eval(f"winfo rooty {clone}"))
        bw, bh = int(tcl.eval(f"winfo width {clone}")), int(tcl.eval(f"winfo height {clone}"))
        titles = list(self.menus)
        xs = [int(tcl.eval(f"{clone} xposition {i}")) for i in range(len(titles))]
        font = tcl.eval(f"{clone} cget -font")
        pad = (xs[1] - xs[0]) - int(tcl.call("font", "measure", font, titles[0])) if len(xs) > 1 else 16
        out: dict[str, Any] = {}
        for i, title in enumerate(titles):
            w = xs[i + 1] - xs[i] if i + 1 < len(xs) else int(tcl.call("font", "measure", font, title)) + pad
            menu = self.menus[title]
            menu.update_idletasks()
            n = int(menu.index("end")) + 1
            ys = [int(menu.yposition(k)) for k in range(n)] + [int(menu.winfo_reqheight())]
            mx, my, mw = bx + xs[i], by + bh, int(menu.winfo_reqwidth())
            out[title] = {"x": bx + xs[i], "y": by, "w": w, "h": bh,
                          "items": {menu.entrycget(k, "label"): {"x": mx, "y": my + ys[k], "w": mw, "h": ys[k + 1] - ys[k]}
                                    for k in range(n)}}
        return {"bar": {"x": bx, "y": by, "w": bw, "h": bh}, "entries": out}


def _box(w: tk.Misc) -> dict[str, int]:
    return {"x": w.winfo_rootx(), "y": w.winfo_rooty(), "w": w.winfo_width(), "h": w.winfo_height()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scenarios.apps.desktop.tk_app", description=__doc__.split("\n")[0])
    parser.add_argument("--state-file", type=Path, default=None, help="where to write the app's state as JSON")
    args = parser.parse_args(argv)
    try:
        root = tk.Tk()
    except tk.TclError as exc:
        print(f"error: cannot open the window: {exc} (is DISPLAY set?)", file=sys.stderr)
        return 2
    DemoApp(root, args.state_file)
    root.mainloop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
