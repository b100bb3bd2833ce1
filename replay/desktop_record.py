"""``hcisim record --desktop``: X input (RECORD extension) into an hcisim dataset.

The logger (`replay.xlogger`) runs as a child process writing JSON lines,
flushed per event, beside the output; when recording stops (Ctrl-C, or the
given duration) the log is converted into a dataset in screen pixels with
derived click, drag, key and type actions (the window under the pointer names
the target). X does not say which field has focus, so no typed character is
logged unless asked (``keep_text``): a password is kept out by keeping out all
text, as the browser recorder keeps out a password field's.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

from simulator.atomic import make_folder, output_path, remove_if_empty
from simulator.dataset import DatasetWriter, Manifest
from simulator.children import die_with_parent
from simulator.errors import HcisimError
from simulator.drivers.base import DOUBLE_CLICK_MS, DOUBLE_CLICK_PX
from simulator.jsonl import read_jsonl
from simulator.typing.records import WITHHELD

DRAG_PX = 12.0
MODIFIERS = ("Shift", "CapsLock", "Control", "Alt", "Meta", "AltGraph", "Unidentified")
"""Keys that change what other keys do: pressed alone they are no step of their own (``Unidentified``: a key
withheld with the text, a Shift or CapsLock among them)."""


def log_to_dataset(log: Path, out: Path, screen: tuple[int, int] | None = None,
                   command: list[str] | None = None) -> Path:
    rows = read_jsonl(log, cut_short_ok=True)  # a line cut short by a kill
    if not rows:
        raise HcisimError(f"nothing was recorded (no X input before it stopped); {out} was not written")
    t0 = rows[0]["t"]
    sid = "x00000"
    events, actions = [], []
    typing: dict[str, Any] | None = None
    down: dict[str, Any] | None = None

    def add(kind: str, t_start: float, t_end: float, **extra: Any) -> None:
        actions.append(dict(session_id=sid, action_id=len(actions), kind=kind, t_start_ms=t_start,
                            t_end_ms=max(t_end, t_start), outcome="recorded", **extra))

    def close_typing() -> None:
        nonlocal typing
        if typing and typing["text"]:
            text = None if WITHHELD in typing["text"] else typing["text"]  # withheld: its length alone
            add("type", typing["t0"], typing["t1"], step=f"type in {typing['window'] or 'the desktop'}",
                target_name=typing["window"], text_typed=text, text_intended=text,
                params=json.dumps({"length": len(typing["text"]), **({"sensitive": True} if text is None else {})}))
        typing = None

    window = None
    for r in rows:
        t = round((r["t"] - t0) * 1000.0, 3)  # the server's whole ms, less the float noise of epoch seconds
        typ = r["type"]
        device = "keyboard" if typ.startswith("key") else ("wheel" if typ == "wheel" else "mouse")
        events.append(dict(session_id=sid, seq=len(events), t_ms=t, device=device, type=typ, x=r.get("x"),
                           y=r.get("y"), button=r.get("button"), key=r.get("key"), code=r.get("code"), dy=r.get("dy"),
                           dx=r.get("dx", 0.0) if typ == "wheel" else None))
        if typ in ("down", "up") and r.get("button") == "other":  # a side button (back, forward): no click
            continue
        if typ == "down":
            close_typing()
            down = {**r, "t_ms": t}
            window = r.get("window") or window
        elif typ == "up" and down is not None:
            dist = ((r["x"] - down["x"]) ** 2 + (r["y"] - down["y"]) ** 2) ** 0.5
            kind = "drag" if dist > DRAG_PX else ("right_click" if down.get("button") == "right" else "click")
            if kind == "click" and _second_click(actions, down):
                actions[-1].update(kind="double_click", t_end_ms=t,
                                   step=f"double_click in {down.get('window') or 'the desktop'}")
            else:
                add(kind, down["t_ms"], t, step=f"{kind} in {down.get('window') or 'the desktop'}",
                    target_name=down.get("window"),
                    params=json.dumps({"at": [down["x"], down["y"]], "to": [r["x"], r["y"]]}))
            down = None
        elif typ == "key_down":
            key = r.get("key") or ""
            if r.get("mods") and key not in MODIFIERS:  # Ctrl+A: a command
                close_typing()
                combo = "+".join([*r["mods"], key])
                add("key", t, t, step=f"press {combo}", text_intended=combo, text_typed=combo)
            elif len(key) == 1 or key == "Backspace":
                if typing is None:
                    typing = {"t0": t, "t1": t, "text": "", "window": window}
                typing["t1"] = t
                typing["text"] = typing["text"][:-1] if key == "Backspace" else typing["text"] + key
            elif key not in MODIFIERS:  # a modifier alone: no step
                close_typing()
                add("key", t, t, step=f"press {key}", text_intended=key, text_typed=key)
    close_typing()
    manifest = Manifest(driver="desktop-recorder", coordinate_space="screen_px",
                        command=command or ["hcisim", "record", "--desktop", "--out", str(out)],
                        screen={"width": screen[0], "height": screen[1]} if screen else None,
                        device={"name": "x-record"}, sessions=[sid])
    with DatasetWriter(out, manifest, private=True) as w:  # a person's input: as private as the log it came from
        w.add_session(sid, events=events, actions=actions)
    return out


def _second_click(actions: list[dict[str, Any]], down: dict[str, Any]) -> bool:
    """Whether a left press completes a double click with the click just before it (nothing in between)."""
    if not actions or actions[-1]["kind"] != "click":
        return False
    first = actions[-1]
    x, y = json.loads(first["params"])["at"]
    return (down["t_ms"] - first["t_start_ms"] <= DOUBLE_CLICK_MS
            and ((down["x"] - x) ** 2 + (down["y"] - y) ** 2) ** 0.5 <= DOUBLE_CLICK_PX)


def record_desktop(out: Path, duration_s: float | None = None, started: Callable[[], None] | None = None,
                   command: list[str] | None = None, keep_text: bool = False) -> Path:
    """Record X input into ``out`` until ``duration_s`` or Ctrl-C. ``keep_text``: store each key as typed,
    passwords included, instead of withholding every typed character (`replay.xlogger.withheld`)."""
    out = output_path(out)
    if out.exists():
        raise HcisimError(f"{out} already exists; choose another --out")
    log = out.parent / f".{out.name}.xrecord.jsonl"
    if log.exists() and not read_jsonl(log, cut_short_ok=True):
        log.unlink()  # a recorder that never got an event (or was killed writing its first): nothing to keep
    elif log.exists():  # a recorder that was killed: what it logged becomes the recording, as a browser journal does
        log_to_dataset(log, out, None, command)
        log.unlink()
        raise HcisimError(f"found an unfinished recording for {out}; it was saved there -- record again to "
                          f"another --out")
    created = make_folder(out.parent)  # (taken away again when the logger does not start)
    # the logger dies with this process (a recorder killed with SIGKILL left a keylogger running, parent 1)
    proc = subprocess.Popen([sys.executable, "-m", "replay.xlogger", *([] if keep_text else ["--withhold-text"]),
                             str(log)], stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: die_with_parent(signal.SIGTERM))
    try:
        ready = proc.stderr.readline()
    except KeyboardInterrupt:  # stopped before X sent anything: no log left behind for the next record to find
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=5)
        if log.exists() and log.stat().st_size == 0:
            log.unlink()
        remove_if_empty(created)
        raise
    if "ready" not in ready:
        proc.wait()
        remove_if_empty(created)
        raise HcisimError(ready.strip().removeprefix("error: ") or "the X logger did not start")
    if started is not None:
        started()
    try:
        deadline = time.monotonic() + duration_s if duration_s else float("inf")
        while time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.1)
    except KeyboardInterrupt:
        pass
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=5)
    if proc.returncode not in (0, -signal.SIGTERM):  # it stopped by itself: the display closed, say so
        said = (proc.stderr.read().strip().splitlines() or [f"exit code {proc.returncode}"])[-1]
        print(f"note: the recording ended early: {said.removeprefix('error: ')}", file=sys.stderr, flush=True)
    try:
        from Xlib import display

        d = display.Display()
        screen = (d.screen().width_in_pixels, d.screen().height_in_pixels)
    except Exception:
        screen = None
    try:
        return log_to_dataset(log, out, screen, command)
    finally:
        log.unlink(missing_ok=True)  # converted, or nothing in it: either way no log stays behind
        remove_if_empty(created)  # (a recording of nothing: nor the folders made for it)
