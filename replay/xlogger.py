"""Log X input events with the RECORD extension, as OS-level capture tools do.

Writes one JSON object per line -- ``{"t": epoch seconds, "type", "x", "y",
"button", "key", "window"}`` -- flushed per event, so it is both the desktop
recorder behind ``hcisim record --desktop`` and a real external logger for
``hcisim audit`` tests. Window names come from the window under the pointer
at press time; key names are X keysym names mapped to DOM ``key`` values.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import TextIO

from Xlib import X, XK, display
from Xlib.ext import record
from Xlib.protocol import rq

from simulator.errors import HcisimError

_BUTTONS = {1: "left", 2: "middle", 3: "right"}  # 8, 9 (back, forward) and beyond: "other", as imports name them
_WHEEL = {4: ("dy", -100.0), 5: ("dy", 100.0), 6: ("dx", -100.0), 7: ("dx", 100.0)}  # 6, 7: the horizontal wheel
SHIFT_MASK, LOCK_MASK, CONTROL_MASK, MOD1_MASK, NUMLOCK_MASK, MOD4_MASK = 1, 2, 4, 8, 16, 64  # X state bits
_COMBO_MODS = ((CONTROL_MASK, "Control"), (MOD1_MASK, "Alt"), (MOD4_MASK, "Meta"))
"""Modifiers that make a key a command (Ctrl+A), not a character typed."""
# X keysym names whose DOM key value differs.
_KEYSYM_TO_DOM = {
    "Shift_L": "Shift", "Shift_R": "Shift", "Control_L": "Control", "Control_R": "Control", "Alt_L": "Alt",
    "Alt_R": "Alt", "Return": "Enter", "BackSpace": "Backspace", "Tab": "Tab", "Escape": "Escape",
    "space": " ", "Caps_Lock": "CapsLock", "Delete": "Delete", "Up": "ArrowUp", "Down": "ArrowDown",
    "Left": "ArrowLeft", "Right": "ArrowRight", "Home": "Home", "End": "End", "Super_L": "Meta",
    "Super_R": "Meta", "Prior": "PageUp", "Next": "PageDown", "Page_Up": "PageUp", "Page_Down": "PageDown",
    "Insert": "Insert", "Menu": "ContextMenu", "Num_Lock": "NumLock", "Scroll_Lock": "ScrollLock",
    "ISO_Level3_Shift": "AltGraph", "Mode_switch": "AltGraph", "Print": "PrintScreen", "Pause": "Pause",
    "KP_Enter": "Enter", "KP_Add": "+", "KP_Subtract": "-", "KP_Multiply": "*", "KP_Divide": "/",
    "KP_Decimal": ".", "KP_Delete": "Delete", "KP_Home": "Home", "KP_End": "End", "KP_Up": "ArrowUp",
    "KP_Down": "ArrowDown", "KP_Left": "ArrowLeft", "KP_Right": "ArrowRight", "KP_Prior": "PageUp",
    "KP_Next": "PageDown", "KP_Insert": "Insert", "KP_Begin": "Clear",
    **{f"KP_{d}": str(d) for d in range(10)},
}


_KEYSYM_NAMES = {getattr(XK, a): a[3:] for a in dir(XK) if a.startswith("XK_")}


def dom_key(d: display.Display, keycode: int, state: int) -> str:
    """The DOM ``KeyboardEvent.key`` of a key event: the character it types under the event's modifier ``state``
    (Shift, and CapsLock for letters), or the key's name."""
    shifted = bool(state & SHIFT_MASK)
    keysym = d.keycode_to_keysym(keycode, 1 if shifted else 0) or d.keycode_to_keysym(keycode, 0)
    if state & NUMLOCK_MASK and not shifted:  # NumLock on: the keypad types its digits (KP_1, not KP_End)
        alt = d.keycode_to_keysym(keycode, 1)
        if _KEYSYM_NAMES.get(alt, "").startswith("KP_"):
            keysym = alt
    char = XK.keysym_to_string(keysym)
    if char is not None and len(char) == 1 and char.isprintable():
        if state & LOCK_MASK and char.isalpha():  # CapsLock inverts the case of letters only
            return char.lower() if shifted else char.upper()
        return char
    name = _KEYSYM_NAMES.get(keysym)
    if name is None:
        return f"Unidentified({keycode})"
    return _KEYSYM_TO_DOM.get(name, name)


class XLogger:
    def __init__(self, out: TextIO, display_name: str | None = None) -> None:
        self.out = out
        try:
            self.local = display.Display(display_name)
            self.rec = display.Display(display_name)
        except Exception as exc:
            raise HcisimError(f"no X display to record ({exc})") from None
        if not self.rec.has_extension("RECORD"):
            raise HcisimError("the X server has no RECORD extension")
        self.ctx = self.rec.record_create_context(0, [record.AllClients], [{
            "core_requests": (0, 0), "core_replies": (0, 0), "ext_requests": (0, 0, 0, 0),
            "ext_replies": (0, 0, 0, 0), "delivered_events": (0, 0), "device_events": (X.KeyPress, X.MotionNotify),
            "errors": (0, 0), "client_started": False, "client_died": False}])

    def _window_name(self, x: int, y: int) -> str | None:
        try:
            root = self.local.screen().root
            child = root.query_pointer().child
            while child:
                name = child.get_wm_name()
                if name:
                    return str(name)
                tree = child.query_pointer()
                child = tree.child if tree.child and tree.child != child else None
        except Exception:
            return None
        return None

    def _write(self, rec: dict) -> None:
        self.out.write(json.dumps(rec, separators=(",", ":")) + "\n")
        self.out.flush()

    def _handle(self, reply) -> None:
        if reply.category != record.FromServer or reply.client_swapped or not reply.data:
            return
        data = reply.data
        while data:
            event, data = rq.EventField(None).parse_binary_value(data, self.rec.display, None, None)
            t = time.time()
            if event.type == X.MotionNotify:
                self._write({"t": t, "type": "move", "x": event.root_x, "y": event.root_y})
            elif event.type in (X.ButtonPress, X.ButtonRelease):
                if event.detail in _WHEEL:
                    if event.type == X.ButtonPress:
                        axis, delta = _WHEEL[event.detail]
                        self._write({"t": t, "type": "wheel", "x": event.root_x, "y": event.root_y, "dx": 0.0,
                                     "dy": 0.0, axis: delta})
                    continue
                rec = {"t": t, "type": "down" if event.type == X.ButtonPress else "up", "x": event.root_x,
                       "y": event.root_y, "button": _BUTTONS.get(event.detail, "other")}
                if event.type == X.ButtonPress:
                    rec["window"] = self._window_name(event.root_x, event.root_y)
                self._write(rec)
            elif event.type in (X.KeyPress, X.KeyRelease):
                key = dom_key(self.local, event.detail, event.state)
                rec = {"t": t, "type": "key_down" if event.type == X.KeyPress else "key_up", "key": key}
                mods = [name for mask, name in _COMBO_MODS if event.state & mask and name != key]
                if mods:
                    rec["mods"] = mods
                self._write(rec)

    def run(self) -> None:
        """Block and log until the process is told to stop (SIGTERM/SIGINT)."""
        self.rec.record_enable_context(self.ctx, self._handle)

    def close(self) -> None:
        try:
            self.local.record_disable_context(self.ctx)
            self.local.flush()
        except Exception:
            pass


def main(argv: list[str] | None = None) -> None:
    """``python -m replay.xlogger OUT.jsonl``: log until SIGTERM or Ctrl-C."""
    args = argv if argv is not None else sys.argv[1:]
    usage = "usage: python -m replay.xlogger OUT.jsonl  (logs the X display in $DISPLAY until SIGTERM or Ctrl-C)"
    if args in (["-h"], ["--help"]):
        print(usage)
        sys.exit(0)
    if len(args) != 1 or args[0].startswith("-"):
        print(usage, file=sys.stderr)
        sys.exit(2)
    out = Path(args[0])
    try:  # a new log each time: two runs in one file were audited as one, and the audit blamed the clock
        fh = os.fdopen(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8")  # keys: yours
    except FileExistsError:
        print(f"error: {out} already exists; name a new log file", file=sys.stderr)
        sys.exit(2)
    except OSError as exc:  # no such folder, a folder, no permission
        print(f"error: {out}: cannot write there ({exc.strerror})", file=sys.stderr)
        sys.exit(2)
    with fh:
        try:
            logger = XLogger(fh)
        except HcisimError as exc:
            fh.close()
            out.unlink(missing_ok=True)  # a logger that never started leaves no empty log behind
            print(f"error: {exc}", file=sys.stderr)
            sys.exit(2)

        def stop(*_):
            fh.flush()
            sys.exit(0)

        signal.signal(signal.SIGTERM, stop)
        try:
            print("ready", file=sys.stderr, flush=True)
            logger.run()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
