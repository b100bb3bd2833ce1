"""Write a dataset directory atomically.

Everything goes into a hidden temporary sibling directory first; only when
all tables, screenshots and the manifest (with checksums) are on disk is it
renamed to its final name. A run that dies half-way therefore never leaves a
directory that looks complete -- at worst a ``.NAME.tmp-PID-*`` directory that the
next write to the same place removes once process PID is gone (a live writer's is left alone).
"""

from __future__ import annotations

import os
import shutil
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Mapping

import pyarrow as pa

from simulator.dataset.manifest import MANIFEST_NAME, FileEntry, Manifest, read_manifest_fields
from simulator.dataset.schema import SCHEMAS
from simulator.dataset.storage import STORAGES, SUFFIX, conform, sha256_file, write_table
from simulator.atomic import make_folder, output_path, remove_if_empty
from simulator.errors import HcisimError

Rows = pa.Table | Mapping[str, Any] | Iterable[Mapping[str, Any]]


def _to_table(name: str, rows: Rows) -> pa.Table:
    schema = SCHEMAS[name]
    if isinstance(rows, pa.Table):
        return conform(rows, schema, name)
    if isinstance(rows, Mapping):
        return conform(pa.table({k: v for k, v in rows.items()}), schema, name) if rows else schema.empty_table()
    rows = list(rows)
    if not rows:
        return schema.empty_table()
    return pa.Table.from_pylist(rows, schema=schema)


def check_out(out: Path, overwrite: bool) -> Path:
    """Refuse an ``--out`` whose writing would lose something that is not a dataset.

    An empty folder (``mktemp -d``) is taken as it is; anything else that exists is replaced only with
    ``overwrite`` and only when it is a dataset (it holds a manifest) -- never a project folder, a file, the
    working folder or one above it.
    """
    out = output_path(out)
    if out.is_symlink() and (out.resolve().is_dir() or not out.resolve().exists()):
        out = out.resolve()  # a link to an artifacts folder (or one still to be made): the dataset goes there
    where = out.resolve()
    if where == where.parent or where == Path.cwd().resolve() or where in Path.cwd().resolve().parents:
        raise HcisimError(f"{out}: the working folder or one above it cannot be replaced by a dataset; "
                          f"name a new folder for --out")
    if not (out.exists() or out.is_symlink()) or (out.is_dir() and not any(out.iterdir())):
        return out
    if out.is_symlink() or not (out / MANIFEST_NAME).is_file():
        not_dataset = f"{out} is not a dataset (no {MANIFEST_NAME}); --overwrite replaces only datasets"
    elif read_manifest_fields(out / MANIFEST_NAME) is None:  # a browser extension or web app has a manifest.json
        not_dataset = (f"{out} is not an hcisim dataset (its {MANIFEST_NAME} is not one); --overwrite replaces only "
                       f"datasets")
    else:
        not_dataset = None
    if not overwrite:  # --overwrite is offered only where it would be taken (a folder of notes refused it next)
        raise HcisimError(f"{out} already exists; choose another --out or pass --overwrite" if not_dataset is None
                          else f"{out} already exists and is not a dataset; choose another --out (--overwrite "
                          f"replaces only datasets)")
    if not_dataset is not None:
        raise HcisimError(not_dataset)
    return out


def publish(tmp: Path, out: Path) -> None:
    """Rename a finished temporary directory to ``out``, the dataset or empty folder there set aside first.

    An empty folder that cannot be renamed (a mount point: a CI cache or a container volume) is filled
    instead, its manifest last, so it never looks complete before it is."""
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
        try:
            os.replace(out, old)
        except OSError as exc:
            if not out.is_dir() or any(out.iterdir()):
                raise HcisimError(f"{out}: cannot replace it ({exc.strerror}); the new dataset is in {tmp}") from None
            _fill(tmp, out)
            return
    try:
        os.replace(tmp, out)
    except OSError as exc:
        raise HcisimError(f"{out}: cannot write there ({exc.strerror}); the new dataset is in {tmp}") from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _fill(tmp: Path, out: Path) -> None:
    """Move a finished dataset's files into the empty folder ``out``, the manifest last."""
    entries = sorted(tmp.iterdir(), key=lambda p: p.name == MANIFEST_NAME)
    try:
        for e in entries:
            shutil.move(str(e), str(out / e.name))
    except OSError as exc:
        raise HcisimError(f"{out}: cannot write there ({exc.strerror})") from None
    shutil.rmtree(tmp, ignore_errors=True)


def _writer_alive(tmp: Path) -> bool:
    """Is the process that made ``.NAME.tmp-PID-HEX`` still running (then it is another writer's live work)?"""
    try:
        pid = int(tmp.name.rsplit(".tmp-", 1)[1].split("-", 1)[0])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return False  # this process's own leftover from an earlier writer that died in it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


class DatasetWriter:
    """Collect a dataset's tables and frames, then publish them in one rename.

    Use as a context manager: leaving the block normally commits, leaving it
    with an exception throws the temporary directory away.
    """

    def __init__(self, out: Path, manifest: Manifest, *, overwrite: bool = False, private: bool = False) -> None:
        """``private``: the dataset's folder readable by its owner alone (a desktop recording: a person's input,
        with --keep-text every key as typed, passwords included)."""
        if manifest.storage not in STORAGES:
            raise HcisimError(f"unknown storage {manifest.storage!r}: use one of {', '.join(STORAGES)}")
        self.out = check_out(out, overwrite)
        self.manifest = manifest
        self.overwrite = overwrite
        self._created = make_folder(self.out.parent)
        for stale in self.out.parent.glob(f".{self.out.name}.tmp-*"):
            if not _writer_alive(stale):
                shutil.rmtree(stale, ignore_errors=True)
        self.tmp = self.out.parent / f".{self.out.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.tmp.mkdir()
        self.private = private
        if private:
            self.tmp.chmod(0o700)
        self._parts: dict[str, list[pa.Table]] = {name: [] for name in SCHEMAS}
        self._sessions: list[str] = []
        self._done = False

    # -- collecting -------------------------------------------------------
    def add(self, table: str, rows: Rows) -> None:
        if table not in SCHEMAS:
            raise ValueError(f"unknown table {table!r}")
        t = _to_table(table, rows)
        if t.num_rows:
            self._parts[table].append(t)

    def add_session(self, session_id: str, **tables: Rows) -> None:
        """Add one session's tables (``events=..., actions=..., frames=..., received=...``)."""
        if session_id in self._sessions:
            raise ValueError(f"session {session_id} added twice")
        self._sessions.append(session_id)
        for name, rows in tables.items():
            if rows is not None:
                self.add(name, rows)

    def add_file(self, rel_path: str, data: bytes) -> str:
        """Store a binary file (a screenshot) inside the dataset; returns its relative path."""
        target = self.tmp / rel_path
        if not target.resolve().is_relative_to(self.tmp.resolve()):
            raise ValueError(f"path escapes the dataset: {rel_path}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        return rel_path

    # -- publishing -------------------------------------------------------
    def commit(self) -> Path:
        if self._done:
            raise RuntimeError("dataset already committed")
        try:
            self._write_all()
            self._publish()
        except BaseException:
            self.abort()
            raise
        self._done = True
        return self.out

    def _write_all(self) -> None:
        m = self.manifest
        suffix = SUFFIX[m.storage]
        m.tables = {}
        for name in SCHEMAS:
            parts = self._parts[name]
            if not parts and name not in ("events", "actions"):
                continue
            table = pa.concat_tables(parts) if parts else SCHEMAS[name].empty_table()
            rel = f"{name}{suffix}"
            write_table(self.tmp / rel, table, m.storage)
            m.tables[name] = [rel]
            m.files[rel] = FileEntry(sha256="", bytes=0, rows=table.num_rows)
        for path in sorted(p for p in self.tmp.rglob("*") if p.is_file()):
            rel = path.relative_to(self.tmp).as_posix()
            if rel == MANIFEST_NAME:
                continue
            entry = m.files.get(rel) or FileEntry(sha256="", bytes=0)
            entry.sha256, entry.bytes = sha256_file(path), path.stat().st_size
            m.files[rel] = entry
        m.files = dict(sorted(m.files.items()))
        if not m.sessions:
            m.sessions = list(self._sessions)
        m.created_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
        (self.tmp / MANIFEST_NAME).write_text(m.to_json(), encoding="utf-8")

    def _publish(self) -> None:
        publish(self.tmp, check_out(self.out, self.overwrite))  # checked again: time has passed
        if self.private:  # (an empty folder that was filled keeps its own mode otherwise)
            self.out.chmod(0o700)

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
        remove_if_empty(self._created)  # an interrupted run leaves no empty folder behind
        self._done = True

    def __enter__(self) -> "DatasetWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._done:
            return
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def write_dataset(out: Path, manifest: Manifest, tables: Mapping[str, Rows], *, overwrite: bool = False) -> Path:
    """Write a whole dataset from ready tables in one call."""
    with DatasetWriter(out, manifest, overwrite=overwrite) as w:
        for name, rows in tables.items():
            w.add(name, rows)
        if not manifest.sessions and "events" in tables:
            ev = _to_table("events", tables["events"])
            manifest.sessions = list(dict.fromkeys(ev.column("session_id").to_pylist()))
    return Path(out)
