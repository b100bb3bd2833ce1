"""What key events type into an empty text field.

The model, the tests (final-text property) and the drivers agree on this one function. Keys follow
DOM ``KeyboardEvent.key`` semantics: a printable key's ``key`` is the character produced, with
Shift and CapsLock already applied, so Shift/CapsLock presses type nothing themselves. Keys pressed
while Control/Alt/Meta is held are shortcuts and type nothing either.
"""

from __future__ import annotations

_SHORTCUT_MODS = {"Control", "Alt", "Meta"}


def _rows(events):
    if hasattr(events, "column_names"):  # pyarrow Table
        return zip(events.column("type").to_pylist(), events.column("key").to_pylist())
    if isinstance(events, dict):
        return zip(events["type"], events["key"])
    return zip(events.type, events.key)


def apply_key_events(events) -> str:
    """The text an empty field holds after ``events`` (KeyEvents, a dict of arrays, or an Arrow table).

    Handles characters, Enter (newline), Tab (a tab), Backspace (deletes before the caret), Shift/CapsLock (no
    text of their own) and shortcuts (ignored); the caret stays at the end (arrow keys are ignored).
    """
    out: list[str] = []
    held: set[str] = set()
    for typ, key in _rows(events):
        if key is None:
            continue
        down = typ in ("down", "key_down")
        if not down:
            held.discard(key)
            continue
        if key in _SHORTCUT_MODS:
            held.add(key)
            continue
        if held:
            continue
        if key == "Backspace":
            if out:
                out.pop()
        elif key == "Enter":
            out.append("\n")
        elif key == "Tab":
            out.append("\t")
        elif len(key) == 1:
            out.append(key)
    return "".join(out)


def normalise_newlines(text: str) -> str:
    """Windows and old Mac line ends as the newline a text field holds (Enter types it)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def recorded_text(keys) -> str:
    """What a recorded key stream typed into its field. Tab presses type nothing here: in the recorded
    forms they moved the focus to the next field."""
    return apply_key_events({"type": ["down"] * len(keys), "key": list(keys)}).replace("\t", "")


def intended_text(record, layout) -> str:
    """What a recorded text was meant to say: the prompt if known, else what its keys typed
    (characters off the layout dropped)."""
    s = record.intended or recorded_text(record.key)
    return "".join(c for c in s if c in layout.keys).strip()
