"""The dataset format: table schemas and the names every module uses.

This module defines every table's columns and types (the writer and the reader
cast each table to them; code building or reading rows uses the same names);
see docs/format.md for the prose version of the contract. Bump FORMAT_VERSION's minor number for
additive changes (new optional columns), the major number for anything that
breaks a reader.
"""

from __future__ import annotations

import pyarrow as pa

FORMAT_VERSION = "1.0"

DEVICES = ("mouse", "keyboard", "wheel")
EVENT_TYPES = ("move", "down", "up", "wheel", "key_down", "key_up")
ACTION_KINDS = (
    "move", "click", "double_click", "right_click", "drag", "scroll", "type", "key",
    "wait", "read", "hover", "select", "navigate",
)
FRAME_KINDS = ("before", "after", "periodic")
COORDINATE_SPACES = ("viewport_css_px", "screen_px")

EVENTS = pa.schema([
    pa.field("session_id", pa.string(), nullable=False),
    pa.field("seq", pa.int64(), nullable=False),
    pa.field("t_ms", pa.float64(), nullable=False),
    pa.field("device", pa.string(), nullable=False),
    pa.field("type", pa.string(), nullable=False),
    pa.field("x", pa.float64()),
    pa.field("y", pa.float64()),
    pa.field("button", pa.string()),
    pa.field("key", pa.string()),
    pa.field("code", pa.string()),
    pa.field("dx", pa.float64()),
    pa.field("dy", pa.float64()),
    pa.field("action_id", pa.int64()),
    pa.field("planned_t_ms", pa.float64()),
])

ACTIONS = pa.schema([
    pa.field("session_id", pa.string(), nullable=False),
    pa.field("action_id", pa.int64(), nullable=False),
    pa.field("parent_id", pa.int64()),
    pa.field("kind", pa.string(), nullable=False),
    pa.field("t_start_ms", pa.float64(), nullable=False),
    pa.field("t_end_ms", pa.float64(), nullable=False),
    pa.field("step", pa.string()),
    pa.field("target_selector", pa.string()),
    pa.field("target_role", pa.string()),
    pa.field("target_name", pa.string()),
    pa.field("target_text", pa.string()),
    pa.field("target_label", pa.string()),
    pa.field("target_id", pa.string()),
    pa.field("target_testid", pa.string()),
    pa.field("box_x", pa.float64()),
    pa.field("box_y", pa.float64()),
    pa.field("box_w", pa.float64()),
    pa.field("box_h", pa.float64()),
    pa.field("text_typed", pa.string()),
    pa.field("text_intended", pa.string()),
    pa.field("outcome", pa.string()),
    pa.field("params", pa.string()),
])

FRAMES = pa.schema([
    pa.field("session_id", pa.string(), nullable=False),
    pa.field("frame_id", pa.int64(), nullable=False),
    pa.field("t_ms", pa.float64(), nullable=False),
    pa.field("action_id", pa.int64()),
    pa.field("kind", pa.string(), nullable=False),
    pa.field("path", pa.string(), nullable=False),
    pa.field("width", pa.int64()),
    pa.field("height", pa.int64()),
])

RECEIVED = pa.schema([
    pa.field("session_id", pa.string(), nullable=False),
    pa.field("seq", pa.int64(), nullable=False),
    pa.field("t_ms", pa.float64(), nullable=False),
    pa.field("type", pa.string(), nullable=False),
    pa.field("x", pa.float64()),
    pa.field("y", pa.float64()),
    pa.field("button", pa.string()),
    pa.field("key", pa.string()),
    pa.field("code", pa.string()),
    pa.field("target", pa.string()),
    pa.field("value_len", pa.int64()),
])

SCHEMAS: dict[str, pa.Schema] = {
    "events": EVENTS, "actions": ACTIONS, "frames": FRAMES, "received": RECEIVED,
}
"""Tables a dataset may hold. ``events`` and ``actions`` are always present;
``frames`` indexes screenshots; ``received`` is what a live app actually saw."""
