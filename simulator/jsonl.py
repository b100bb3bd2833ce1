"""JSON Lines, read one way everywhere: dataset tables, captured logs, locate's descriptors, recorders' journals."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from simulator.errors import HcisimError


def json_number(value: Any) -> bool:
    """Whether a parsed JSON value is a number (Python reads ``true`` as a bool, which is an int to Python)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def read_jsonl(path: Path, *, cut_short_ok: bool = False) -> list[Any]:
    """The JSON value of every non-blank line of ``path`` (see `numbered_lines`)."""
    return [value for _, value in numbered_lines(path, cut_short_ok=cut_short_ok)]


def numbered_lines(path: Path, *, cut_short_ok: bool = False) -> Iterator[tuple[int, Any]]:
    """(line number, JSON value) of every non-blank line, for readers whose own checks name the line.

    A line that is not JSON is an error naming the file and the line -- unless ``cut_short_ok``: a
    journal whose writer was killed ends in a line cut short, and what came before it is kept.
    """
    try:
        with open(path, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as exc:
                    if cut_short_ok:
                        return
                    raise HcisimError(f"{path}:{n}: not valid JSON ({exc.msg})") from None
                yield n, value
    except UnicodeDecodeError:
        raise HcisimError(f"{path}: not UTF-8 text") from None
