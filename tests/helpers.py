"""Small helpers shared by tests that compare whole datasets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def data_files(root: Path) -> dict[str, bytes]:
    """Every data file of a dataset by relative path, without the manifest (its created_at differs per run)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != "manifest.json"}


def hcisim(*args, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the CLI as a user would, capturing its output."""
    return subprocess.run([sys.executable, "-m", "simulator.cli", *map(str, args)], capture_output=True, text=True,
                          env=env)


def one_line_error(r: subprocess.CompletedProcess, *fragments: str, code: int | None = None) -> str:
    """The run failed (with ``code`` if given) and said why in exactly one line holding every fragment."""
    assert r.returncode != 0 if code is None else r.returncode == code, r.stderr
    assert "Traceback" not in r.stderr
    lines = r.stderr.splitlines()  # a blank line counts, and so would an X library's warning
    assert len(lines) == 1, r.stderr
    for f in fragments:
        assert f in lines[0], lines[0]
    return lines[0]
