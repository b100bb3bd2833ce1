"""Small helpers shared by tests that compare whole datasets."""

from __future__ import annotations

from pathlib import Path


def data_files(root: Path) -> dict[str, bytes]:
    """Every data file of a dataset by relative path, without the manifest (its created_at differs per run)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}
