"""Table files on disk: Parquet (default) or JSON Lines, written byte-deterministically."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from simulator.errors import HcisimError
from simulator.jsonl import read_jsonl

STORAGES = ("parquet", "jsonl")
SUFFIX = {"parquet": ".parquet", "jsonl": ".jsonl"}


def write_table(path: Path, table: pa.Table, storage: str) -> None:
    """Write one table; the same table always gives the same bytes."""
    if storage == "parquet":
        # No statistics timestamps or writer-dependent metadata beyond the
        # library version, so identical tables give identical files.
        pq.write_table(table, path, compression="zstd", use_dictionary=True, write_statistics=True)
    elif storage == "jsonl":
        names = table.column_names
        with open(path, "w", encoding="utf-8", newline="\n") as fh:
            for row in table.to_pylist():
                fh.write(json.dumps({k: _json_value(row[k]) for k in names}, ensure_ascii=False,
                                    separators=(",", ":")))
                fh.write("\n")
    else:
        raise HcisimError(f"unknown storage {storage!r}: use one of {', '.join(STORAGES)}")


def _json_value(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def read_table(path: Path, schema: pa.Schema, storage: str, columns: Collection[str] | None = None) -> pa.Table:
    """Read one table file and cast it to ``schema``; corrupt files raise HcisimError.

    ``columns``: only these of the schema's columns (in its order), for a reader that needs a few of them
    (`validate`, table by table in bounded memory). The file is judged as whole: its required columns, and any
    column not of the schema's type, are read too, so it is refused exactly as a whole read would refuse it; only
    columns that could not fail (optional, of the right type) are left unread."""
    try:
        if storage == "parquet":
            if columns is None:
                table = pq.read_table(path)
            else:
                try:
                    found = pq.read_schema(path)
                except (pa.ArrowInvalid, OSError):
                    pq.read_table(path)  # refused as a whole read refuses it, in its words (it names the file)
                    raise
                keep = {f.name for f in schema if f.name in columns or not f.nullable
                        or (f.name in found.names and found.field(f.name).type != f.type)}
                schema = pa.schema([f for f in schema if f.name in keep])
                table = pq.read_table(path, columns=[n for n in found.names if n in keep])
        elif storage == "jsonl":
            rows = read_jsonl(path)
            odd = next((i for i, r in enumerate(rows) if not isinstance(r, dict)), None)
            if odd is not None:
                raise HcisimError(f"{path.name}: row {odd + 1} is not a JSON object")
            table = pa.Table.from_pylist(rows, schema=schema)
            if columns is not None:
                schema = pa.schema([f for f in schema if f.name in columns or not f.nullable])
        else:
            raise HcisimError(f"unknown storage {storage!r}")
    except (pa.ArrowInvalid, OSError) as exc:
        raise HcisimError(f"{path.name}: not a readable {storage} file (truncated or corrupt: {exc})") from None
    except (pa.ArrowTypeError, KeyError) as exc:
        raise HcisimError(f"{path.name}: rows do not match the schema ({exc})") from None
    return conform(table, schema, path.name)


def conform(table: pa.Table, schema: pa.Schema, what: str) -> pa.Table:
    """Reorder/cast ``table`` to ``schema``; missing optional columns become nulls. Numbers written as text
    and empty values in a required column are refused: casting "12.5" quietly passed a table of strings."""
    columns = []
    for f in schema:
        if f.name in table.column_names:
            col = table.column(f.name)
            if col.type != f.type:
                text = pa.types.is_string(col.type) or pa.types.is_large_string(col.type) or pa.types.is_binary(col.type)
                try:
                    if text and not pa.types.is_string(f.type):
                        raise pa.ArrowInvalid("text for a non-text column")
                    col = col.cast(f.type)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    raise HcisimError(f"{what}: column {f.name} has type {col.type}, expected {f.type}") from None
            if not f.nullable and col.null_count:
                raise HcisimError(f"{what}: column {f.name} has {col.null_count} empty value(s); it is required")
            columns.append(col)
        elif f.nullable:
            columns.append(pa.nulls(table.num_rows, f.type))
        else:
            raise HcisimError(f"{what}: required column {f.name} is missing")
    return pa.Table.from_arrays(columns, schema=schema)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def changed_files(root: Path, files: Mapping[str, Any]) -> Iterator[tuple[str, str | None]]:
    """Each file a manifest lists (``files``: relative path -> entry with its ``sha256``) that is not as written,
    as (path, its sha256 now, None when it is missing)."""
    for rel, entry in files.items():
        path = Path(root) / rel
        if not path.is_file():
            yield rel, None
        elif (actual := sha256_file(path)) != entry.sha256:
            yield rel, actual
