"""Log X input events with the RECORD extension, as OS-level capture tools do.

Writes one JSON object per line -- ``{"t": epoch seconds, "type", "x", "y",
"button", "key", "code", "window"}`` -- flushed per event, so it is both the desktop
recorder behind ``hcisim record --desktop`` and a real external logger for
``hcisim audit`` tests. Window names come from the window under the pointer
at press time; key names are X keysym names mapped to DOM ``key`` values, and
``code`` names the physical key as DOM ``KeyboardEvent.code`` does.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Callable, TextIO

from Xlib import X, XK, display
from Xlib import error as XlibError
from Xlib.ext import record
from Xlib.protocol import rq

from simulator.errors import HcisimError
from simulator.typing.records import WITHHELD

_BUTTONS = {1: "left", 2: "middle", 3: "right"}  # 8, 9 (back, forward) and beyond: "other", as imports name them
_WHEEL = {4: ("dy", -100.0), 5: ("dy", 100.0), 6: ("dx", -100.0), 7: ("dx", 100.0)}  # 6, 7: the horizontal wheel
SHIFT_MASK, LOCK_MASK, CONTROL_MASK, MOD1_MASK, NUMLOCK_MASK, MOD4_MASK, MOD5_MASK = 1, 2, 4, 8, 16, 64, 128  # X state
LEVEL3_MASK = MOD5_MASK  # AltGr (ISO_Level3_Shift) sets Mod5 in every XKB layout that has a third level
_COMBO_MODS = ((CONTROL_MASK, "Control"), (MOD1_MASK, "Alt"), (MOD4_MASK, "Meta"))
"""Modifiers that make a key a command (Ctrl+A), not a character typed."""
EDITING_KEYS = frozenset({"Enter", "Tab", "Escape", "Backspace", "Delete", "ArrowLeft", "ArrowRight", "ArrowUp",
                          "ArrowDown", "Home", "End", "Control", "Meta", "Alt"})
"""Keys that move or edit and say nothing of what is typed: kept when text is withheld (as the browser recorder
keeps them in a password field, `simulator/drivers/capture.js`)."""
# X keysym names whose DOM key value differs.
_KEYSYM_TO_DOM = {
    "Shift_L": "Shift", "Shift_R": "Shift", "Control_L": "Control", "Control_R": "Control", "Alt_L": "Alt",
    "Alt_R": "Alt", "Return": "Enter", "BackSpace": "Backspace", "Tab": "Tab", "Escape": "Escape",
    "space": " ", "Caps_Lock": "CapsLock", "Delete": "Delete", "Up": "ArrowUp", "Down": "ArrowDown",
    "Left": "ArrowLeft", "Right": "ArrowRight", "Home": "Home", "End": "End", "Super_L": "Meta",
    "Super_R": "Meta", "Meta_L": "Meta", "Meta_R": "Meta", "Prior": "PageUp", "Next": "PageDown",
    "Page_Up": "PageUp", "Page_Down": "PageDown",
    "Insert": "Insert", "Menu": "ContextMenu", "Num_Lock": "NumLock", "Scroll_Lock": "ScrollLock",
    "ISO_Level3_Shift": "AltGraph", "Mode_switch": "AltGraph", "Print": "PrintScreen", "Pause": "Pause",
    "KP_Enter": "Enter", "KP_Add": "+", "KP_Subtract": "-", "KP_Multiply": "*", "KP_Divide": "/",
    "KP_Decimal": ".", "KP_Delete": "Delete", "KP_Home": "Home", "KP_End": "End", "KP_Up": "ArrowUp",
    "KP_Down": "ArrowDown", "KP_Left": "ArrowLeft", "KP_Right": "ArrowRight", "KP_Prior": "PageUp",
    "KP_Next": "PageDown", "KP_Insert": "Insert", "KP_Begin": "Clear",
    **{f"KP_{d}": str(d) for d in range(10)},
}


for _group in ("xkb", "latin2", "latin3", "latin4", "greek", "cyrillic"):  # named beyond Latin-1: AltGraph, ...
    XK.load_keysym_group(_group)
_KEYSYM_NAMES = {getattr(XK, a): a[3:] for a in dir(XK) if a.startswith("XK_")}


def _xkbcommon():
    """libxkbcommon's keysym-to-character table, or None. Why: python-xlib turns Latin-1 keysyms into characters
    only, so `€`, `ł` or Cyrillic typed on a layout that has them came out as names; the library ships with
    xdotool (libxdo3 depends on it) and Chromium."""
    try:
        lib = ctypes.CDLL("libxkbcommon.so.0")
    except OSError:
        return None
    lib.xkb_keysym_to_utf32.restype = ctypes.c_uint32
    lib.xkb_keysym_to_utf32.argtypes = [ctypes.c_uint32]
    return lib.xkb_keysym_to_utf32


_TO_UTF32 = _xkbcommon()


def keysym_char(keysym: int) -> str | None:
    """The character a keysym types (control characters such as Return's included), or None."""
    if _TO_UTF32 is not None:
        code = _TO_UTF32(keysym)
        return chr(code) if code else None
    if keysym & 0xFF000000 == 0x01000000:  # a Unicode keysym
        return chr(keysym & 0xFFFFFF)
    return XK.keysym_to_string(keysym)


EVDEV_OFFSET = 8
"""X servers on Linux (Xorg with evdev or libinput, Xvfb, Xwayland) number a key by its kernel code + 8."""
_EVDEV_TO_CODE = {
    1: "Escape", **{k: f"Digit{(k - 1) % 10}" for k in range(2, 12)}, 12: "Minus", 13: "Equal", 14: "Backspace",
    15: "Tab", **{k: f"Key{c}" for k, c in zip(range(16, 26), "QWERTYUIOP")}, 26: "BracketLeft",
    27: "BracketRight", 28: "Enter", 29: "ControlLeft", **{k: f"Key{c}" for k, c in zip(range(30, 39), "ASDFGHJKL")},
    39: "Semicolon", 40: "Quote", 41: "Backquote", 42: "ShiftLeft", 43: "Backslash",
    **{k: f"Key{c}" for k, c in zip(range(44, 51), "ZXCVBNM")}, 51: "Comma", 52: "Period", 53: "Slash",
    54: "ShiftRight", 55: "NumpadMultiply", 56: "AltLeft", 57: "Space", 58: "CapsLock",
    **{k: f"F{k - 58}" for k in range(59, 69)}, 69: "NumLock", 70: "ScrollLock", 71: "Numpad7", 72: "Numpad8",
    73: "Numpad9", 74: "NumpadSubtract", 75: "Numpad4", 76: "Numpad5", 77: "Numpad6", 78: "NumpadAdd",
    79: "Numpad1", 80: "Numpad2", 81: "Numpad3", 82: "Numpad0", 83: "NumpadDecimal", 86: "IntlBackslash",
    87: "F11", 88: "F12", 89: "IntlRo", 96: "NumpadEnter", 97: "ControlRight", 98: "NumpadDivide",
    99: "PrintScreen", 100: "AltRight", 102: "Home", 103: "ArrowUp", 104: "PageUp", 105: "ArrowLeft",
    106: "ArrowRight", 107: "End", 108: "ArrowDown", 109: "PageDown", 110: "Insert", 111: "Delete",
    117: "NumpadEqual", 119: "Pause", 124: "IntlYen", 125: "MetaLeft", 126: "MetaRight", 127: "ContextMenu",
}
"""Linux key codes (linux/input-event-codes.h) to DOM ``KeyboardEvent.code``: the key's place on a US
keyboard, whatever the layout types with it (the UI Events KeyboardEvent code values)."""


def dom_code(keycode: int) -> str | None:
    """The DOM ``KeyboardEvent.code`` of an X keycode; None for a key the table does not name."""
    return _EVDEV_TO_CODE.get(keycode - EVDEV_OFFSET)


class ServerClock:
    """Event times in epoch seconds from the X server's own millisecond stamps, anchored to the wall
    clock at the first event.

    Why: RECORD hands events over in batches, so the time a batch is read is not when its keys went
    down -- a burst of keys read at once had intervals of ~0 ms, and typing rhythm is what a dataset is
    for. The server stamps each event as it happens (CARD32 milliseconds, wrapping after 49.7 days)."""

    def __init__(self, wall=time.time) -> None:
        self._wall = wall
        self._anchor: float | None = None
        self._last = 0
        self._elapsed = 0

    def __call__(self, server_ms: int) -> float:
        if self._anchor is None:
            self._anchor, self._last = self._wall(), server_ms
        step = (server_ms - self._last) & 0xFFFFFFFF
        if step < 1 << 31:  # a stamp earlier than the last one (never seen in order) does not go back
            self._elapsed += step
            self._last = server_ms
        return self._anchor + self._elapsed / 1000.0


def dom_key(d: "display.Display | Keymap", keycode: int, state: int) -> str:
    """The DOM ``KeyboardEvent.key`` of a key event: the character it types under the event's modifier ``state``
    (Shift, and CapsLock for letters), or the key's name."""
    shifted = bool(state & SHIFT_MASK)
    # the core keymap lists a key's symbols as (group 1, group 2) x (plain, shifted), then the third level
    base = 4 if state & LEVEL3_MASK else 2 if (state >> 13) & 3 == 1 else 0  # XKB group in bits 13-14
    keysym = (d.keycode_to_keysym(keycode, base + shifted) or d.keycode_to_keysym(keycode, base)
              or d.keycode_to_keysym(keycode, 1 if shifted else 0) or d.keycode_to_keysym(keycode, 0))
    if state & NUMLOCK_MASK and not shifted:  # NumLock on: the keypad types its digits (KP_1, not KP_End)
        alt = d.keycode_to_keysym(keycode, 1)
        if _KEYSYM_NAMES.get(alt, "").startswith("KP_"):
            keysym = alt
    char = keysym_char(keysym)
    if char is not None and len(char) == 1 and char.isprintable():
        if state & LOCK_MASK and char.isalpha():  # CapsLock inverts the case of letters only
            return char.lower() if shifted else char.upper()
        return char
    name = _KEYSYM_NAMES.get(keysym)
    if name is None:
        return f"Unidentified({keycode})"
    return _KEYSYM_TO_DOM.get(name, name)


X_CHANGE_KEYBOARD_MAPPING = 100  # the core request's opcode


class Keymap:
    """The keyboard mapping as each key event found it: the server's at the start, then every core
    ChangeKeyboardMapping request in the recorded stream, in order with the events.

    Why: a character no key makes is typed by mapping it onto a spare keycode, pressing that, and mapping it back
    (xdotool does; the desktop driver keeps its mapping for the run); the mapping is back to nothing before the
    logger reads the batch of events, so every such character was logged as ``Unidentified(8)`` (and an audit
    counted key errors)."""

    def __init__(self, d: display.Display) -> None:
        self.d = d
        self.changed: dict[int, tuple[int, ...]] = {}

    def keycode_to_keysym(self, keycode: int, index: int) -> int:
        if keycode not in self.changed:
            return self.d.keycode_to_keysym(keycode, index)
        syms = self.changed[keycode]
        return syms[index] if index < len(syms) else X.NoSymbol

    def request(self, data: bytes) -> None:
        """Apply the ChangeKeyboardMapping requests among recorded client requests (in the recorder's byte order)."""
        while len(data) >= 4:
            size = int.from_bytes(data[2:4], sys.byteorder) * 4
            big = size == 0 and len(data) >= 8  # BIG-REQUESTS: the length follows in 32 bits
            if big:
                size = int.from_bytes(data[4:8], sys.byteorder) * 4
            if size < 4:
                return
            if data[0] == X_CHANGE_KEYBOARD_MAPPING and not big and size >= 8:
                count, first, per = data[1], data[4], data[5]
                syms = [int.from_bytes(data[8 + 4 * i:12 + 4 * i], sys.byteorder) for i in range(count * per)
                        if 12 + 4 * i <= len(data)]
                for k in range(count if per else 0):
                    self.changed[first + k] = tuple(syms[k * per:(k + 1) * per])
            data = data[size:]


def withheld(rec: dict) -> dict:
    """A key event as logged when typed text is withheld: a character becomes ``•`` and any other key but
    those that edit (`EDITING_KEYS`) ``Unidentified`` -- a Shift or CapsLock said which characters were
    capitals -- with no ``code`` (the physical key is the character on a known layout). A key pressed with
    Ctrl, Alt or Meta held is a command (Ctrl+S), not text, and stays as it is."""
    if rec.get("mods") or rec["key"] in EDITING_KEYS:
        return rec
    return {**rec, "key": WITHHELD if len(rec["key"]) == 1 else "Unidentified", "code": None}


class XLogger:
    def __init__(self, out: TextIO, display_name: str | None = None, withhold_text: bool = False) -> None:
        """``withhold_text``: log no typed character (`withheld`): X does not say which field has focus, so
        a password is known for one only by never being written."""
        self.out = out
        self.withhold_text = withhold_text
        self.clock = ServerClock()
        self._on_start: Callable[[], None] | None = None
        try:
            self.local = display.Display(display_name)
            self.rec = display.Display(display_name)
        except Exception as exc:
            raise HcisimError(f"no X display to record ({exc})") from None
        if not self.rec.has_extension("RECORD"):
            raise HcisimError("the X server has no RECORD extension")
        self.keymap = Keymap(self.local)
        self._pressed: dict[int, str] = {}  # keycode -> the key its last press typed
        self._withheld: set[int] = set()  # keycodes down whose press was withheld
        self.ctx = self.rec.record_create_context(0, [record.AllClients], [{
            "core_requests": (X_CHANGE_KEYBOARD_MAPPING, X_CHANGE_KEYBOARD_MAPPING), "core_replies": (0, 0),
            "ext_requests": (0, 0, 0, 0), "ext_replies": (0, 0, 0, 0), "delivered_events": (0, 0), "device_events": (X.KeyPress, X.MotionNotify),
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
        if reply.category == record.StartOfData and self._on_start is not None:
            self._on_start()
            self._on_start = None
        if reply.category == record.FromClient and not reply.client_swapped:
            self.keymap.request(reply.data)
            return
        if reply.category != record.FromServer or reply.client_swapped or not reply.data:
            return
        data = reply.data
        while data:
            event, data = rq.EventField(None).parse_binary_value(data, self.rec.display, None, None)
            t = self.clock(event.time)
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
                key = dom_key(self.keymap, event.detail, event.state)
                if event.type == X.KeyPress:
                    self._pressed[event.detail] = key
                elif key.startswith("Unidentified(") and event.detail in self._pressed:
                    key = self._pressed[event.detail]  # its mapping was undone before X handled the release
                rec = {"t": t, "type": "key_down" if event.type == X.KeyPress else "key_up", "key": key,
                       "code": dom_code(event.detail)}
                mods = [name for mask, name in _COMBO_MODS if event.state & mask and name != key]
                if mods:
                    rec["mods"] = mods
                if self.withhold_text:
                    if event.type == X.KeyRelease and event.detail in self._withheld:
                        rec.pop("mods", None)  # let go once Ctrl was down, typed before: withheld as its press was
                    out = withheld(rec)
                    if event.type == X.KeyPress and out is not rec:
                        self._withheld.add(event.detail)
                    else:
                        self._withheld.discard(event.detail)
                    rec = out
                self._write(rec)

    def run(self, on_start: Callable[[], None] | None = None) -> None:
        """Block and log until the process is told to stop (SIGTERM/SIGINT); ``on_start`` is called once X has
        begun sending events (a key pressed before then is not in the log)."""
        self._on_start = on_start
        self.rec.record_enable_context(self.ctx, self._handle)

    def close(self) -> None:
        try:
            self.local.record_disable_context(self.ctx)
            self.local.flush()
        except Exception:
            pass


def main(argv: list[str] | None = None) -> None:
    """``python -m replay.xlogger [--withhold-text] OUT.jsonl``: log until SIGTERM or Ctrl-C."""
    args = list(argv if argv is not None else sys.argv[1:])
    usage = ("usage: python -m replay.xlogger [--withhold-text] OUT.jsonl  (logs the X display in $DISPLAY until "
             "SIGTERM or Ctrl-C; --withhold-text: no typed character is logged)")
    if args in (["-h"], ["--help"]):
        print(usage)
        sys.exit(0)
    withhold_text = args[:1] == ["--withhold-text"]
    args = args[1:] if withhold_text else args
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
            logger = XLogger(fh, withhold_text=withhold_text)
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
            logger.run(on_start=lambda: print("ready", file=sys.stderr, flush=True))
        except KeyboardInterrupt:
            pass
        except XlibError.ConnectionClosedError:  # the X server ended (or was killed): a traceback said so
            fh.flush()
            print("error: the X display closed (logged until then)", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
