"""The Tk demo app under our own Xvfb, driven with xdotool; its state file says what it saw."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scenarios.apps.desktop.tk_app import ITEMS, write_json_atomic

pytestmark = pytest.mark.desktop

REPO = Path(__file__).resolve().parents[2]


def read_state(path: Path, *, until=lambda s: True, timeout: float = 10.0) -> dict:
    """The state file once it exists and satisfies ``until`` (the app writes it asynchronously)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if path.exists():
            last = json.loads(path.read_text(encoding="utf-8"))  # atomic writes: never a half file
            if until(last):
                return last
        time.sleep(0.05)
    raise AssertionError(f"state file never satisfied the condition; last: {json.dumps(last)[:400]}")


def center(box: dict) -> tuple[int, int]:
    return box["x"] + box["w"] // 2, box["y"] + box["h"] // 2


class Tk:
    def __init__(self, env: dict[str, str], state_file: Path) -> None:
        self.env = env
        self.state_file = state_file
        self.proc = subprocess.Popen([sys.executable, "-m", "scenarios.apps.desktop.tk_app", "--state-file",
                                      str(state_file)], cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)

    def xdo(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], env=self.env, check=True, timeout=10)

    def click(self, x: int, y: int) -> None:
        self.xdo("mousemove", "--sync", str(x), str(y), "click", "1")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=10)


@pytest.fixture
def tk_app(xdisplay, tmp_path):
    app = Tk(xdisplay, tmp_path / "state.json")
    yield app
    app.close()


@pytest.mark.desktop
def test_type_submit_and_close(tk_app) -> None:
    s = read_state(tk_app.state_file, until=lambda s: s["reason"] == "mapped")
    assert s["title"] == "hcisim demo desktop app"
    assert s["window"] == {"x": 0, "y": s["menus"]["bar"]["h"], "w": 800, "h": 600}  # menu bar sits above it
    w = s["widgets"]
    assert {"name_entry", "email_entry", "password_entry", "subscribe_check", "submit_button", "list"} <= set(w)

    tk_app.click(*center(w["name_entry"]))
    tk_app.xdo("type", "--delay", "20", "Grace Hopper")
    tk_app.click(*center(w["password_entry"]))
    tk_app.xdo("type", "--delay", "20", "hunter2!")
    tk_app.click(*center(w["subscribe_check"]))
    rows = s["list"]
    tk_app.click(rows["rows_x"] + 40, rows["rows_y"] + 4 * rows["row_height"] + rows["row_height"] // 2)
    tk_app.click(*center(w["submit_button"]))
    s = read_state(tk_app.state_file, until=lambda s: s["reason"] == "submit")
    assert s["fields"] == {"name": "Grace Hopper", "email": "", "password_length": 8, "subscribe": True}
    assert s["list"]["selected_index"] == 4 and s["list"]["selected_item"] == ITEMS[4]
    assert s["submissions"] == [{"name": "Grace Hopper", "email": "", "password_length": 8, "subscribe": True,
                                 "selected_item": ITEMS[4]}]
    assert "hunter2!" not in tk_app.state_file.read_text(encoding="utf-8")
    assert s["key_releases"] >= len("Grace Hopper") + len("hunter2!")  # what the driver waits for before a read

    tk_app.xdo("key", "ctrl+q")
    assert tk_app.proc.wait(timeout=10) == 0
    assert read_state(tk_app.state_file)["reason"] == "close"


@pytest.mark.desktop
def test_menus_and_scrolled_list_by_geometry(tk_app) -> None:
    s = read_state(tk_app.state_file, until=lambda s: s["reason"] == "mapped")
    menus = s["menus"]["entries"]
    assert list(menus) == ["File", "Edit", "Help"]

    tk_app.click(*center(menus["Edit"]))
    tk_app.click(*center(menus["Edit"]["items"]["Fill sample"]))
    s = read_state(tk_app.state_file, until=lambda s: s["menu_actions"] == ["Edit > Fill sample"])
    assert s["fields"]["name"] == "Ada Lovelace" and s["status"] == "Sample data filled in."

    tk_app.click(*center(menus["Help"]))
    tk_app.click(*center(menus["Help"]["items"]["About"]))
    s = read_state(tk_app.state_file, until=lambda s: s["about_open"])
    tk_app.click(*center(s["widgets"]["about_ok"]))
    s = read_state(tk_app.state_file, until=lambda s: s["reason"] == "about closed")
    assert not s["about_open"] and "about_ok" not in s["widgets"]

    # Scroll the list with the wheel (button 5), then pick the row now under the pointer.
    rows = s["list"]
    x, y = rows["rows_x"] + 40, rows["rows_y"] + 2 * rows["row_height"] + rows["row_height"] // 2
    tk_app.xdo("mousemove", "--sync", str(x), str(y), "click", "--repeat", "4", "5")
    tk_app.xdo("click", "1")
    tk_app.click(*center(menus["File"]))
    tk_app.click(*center(menus["File"]["items"]["Clear form"]))
    s = read_state(tk_app.state_file, until=lambda s: len(s["menu_actions"]) == 3)
    assert s["menu_actions"] == ["Edit > Fill sample", "Help > About", "File > Clear form"]
    assert s["fields"]["name"] == "" and s["status"] == "Form cleared."
    first = s["list"]["first_visible"]
    assert first > 0, "the wheel should have scrolled the list"
    assert s["list"]["selected_index"] == first + 2 and len(ITEMS) >= 30


def test_state_file_is_replaced_atomically(tmp_path) -> None:
    path = tmp_path / "state.json"
    write_json_atomic(path, {"a": 1})
    with pytest.raises(TypeError):
        write_json_atomic(path, {"a": object()})  # fails half way through the dump
    assert json.loads(path.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]  # no temp file left behind
