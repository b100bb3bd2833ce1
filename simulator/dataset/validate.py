"""Check a dataset against the format contract; each problem is one readable line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from simulator.dataset.reader import Dataset
from simulator.dataset.schema import ACTION_KINDS, DEVICES, EVENT_TYPES, FRAME_KINDS, SCHEMAS
from simulator.dataset.storage import changed_files
from simulator.errors import HcisimError
from simulator.segments import session_rows

MAX_EXAMPLES = 3


def validate_dataset(root: Path | str) -> list[str]:
    """All problems found in the dataset at ``root`` (empty when it is valid).

    Read table by table and file by file (a sharded run's ``events/shard=N/part.parquet``), only the columns the
    checks use: reading whole tables took 1.28 GB for 2,000 offline sessions and grew with the dataset. What spans
    files is checked across them: the sessions, the action ids events point to, and the order of a session whose
    rows are in more than one file (none of hcisim's writers splits a session, but a dataset may)."""
    root = Path(root)
    try:
        ds = Dataset(root, verify=False)
    except HcisimError as exc:
        return [str(exc)]
    problems: list[str] = []
    m = ds.manifest
    unreadable: set[str] = set()  # files whose tables cannot be checked; the others still are
    changed: set[str] = {rel for files in m.tables.values() for rel in files if rel not in m.files}
    for rel, actual in changed_files(root, m.files):
        changed.add(rel)  # read whole, as a reader would meet it: its unused columns may be what is broken
        if actual is None:
            problems.append(f"{rel}: listed in the manifest but missing")
            unreadable.add(rel)
            continue
        why = ""
        if rel.endswith(".parquet"):  # say what a reader will meet: a changed file, or one cut short
            try:
                pq.read_metadata(root / rel)
            except (pa.ArrowInvalid, OSError):
                why = "; not a readable Parquet file (truncated or corrupt)"
                unreadable.add(rel)
        problems.append(f"{rel}: checksum mismatch (manifest {m.files[rel].sha256[:12]}…, file {actual[:12]}…){why}")
    for name in ("events", "actions"):
        if name not in m.tables:
            problems.append(f"manifest lists no {name} table")

    loading: dict[str, list[str]] = {}  # what reading each table said, told in the manifest's order
    scans: dict[str, _Scan] = {}
    # actions first: the events' check of action ids needs them (their problems are told after the events')
    for name in sorted(m.tables, key=lambda n: n != "actions"):
        if name not in SCHEMAS:
            loading[name] = [f"manifest lists unknown table {name!r}"]
            continue
        loading[name] = []
        if unreadable & set(m.tables[name]):
            continue  # said above
        if name == "events":
            scan: _Scan = _EventsScan(known=scans["actions"].known() if "actions" in scans else None)
        else:
            scan = _ActionsScan() if name == "actions" else _FramesScan(root) if name == "frames" else _Scan()
        try:
            for rel, part in ds.parts(name, scan.COLUMNS, whole=changed):
                scan.add(rel, part)
                del part
        except HcisimError as exc:
            loading[name].append(str(exc))
            continue
        finally:
            pa.default_memory_pool().release_unused()
        scans[name] = scan
        expected_rows = m.rows(name)
        if scan.rows != expected_rows:
            loading[name].append(f"{name}: {scan.rows} rows, manifest says {expected_rows}")
    for name in m.tables:
        problems += loading[name]
    if "events" in scans:
        problems += scans["events"].problems(ds)
    if "actions" in scans:
        problems += scans["actions"].problems(ds)
    if "frames" in scans:
        problems += scans["frames"].problems(ds)
    for name in m.tables:
        if name in scans:
            unknown = sorted(scans[name].sessions - set(m.sessions))
            if unknown:
                problems.append(f"{name}: session(s) not in the manifest: {_examples(unknown)}")
    done, asked = m.stats.get("sessions_completed"), m.stats.get("sessions_requested")
    if isinstance(done, int) and isinstance(asked, int) and done < asked:
        problems.append(f"stopped early: {done} of {asked} requested session(s) completed")
    strangers = sorted(set(m.people) - set(m.sessions))
    if strangers:
        problems.append(f"manifest people: session(s) not in the manifest: {_examples(strangers)}")
    return problems


class _Scan:
    """What a table's checks need to keep of its files, seen one at a time: its rows and sessions."""

    COLUMNS: tuple[str, ...] = ("session_id",)

    def __init__(self) -> None:
        self.rows = 0
        self.sessions: set[str] = set()

    def add(self, rel: str, part: pa.Table) -> None:
        self.rows += part.num_rows
        self.sessions |= set(pc.unique(part.column("session_id")).to_pylist())

    def problems(self, ds: Dataset) -> list[str]:
        return []


class _Values:
    """The values of a column outside those allowed, over all files."""

    def __init__(self, column: str, allowed: tuple[str, ...], what: str) -> None:
        self.column, self.allowed, self.what = column, allowed, what
        self.found: set[str] = set()

    def add(self, part: pa.Table) -> None:
        self.found |= set(pc.unique(part.column(self.column)).to_pylist()) - set(self.allowed) - {None}

    def problems(self) -> list[str]:
        return ([f"{self.what}: unknown {self.column} value(s): {_examples(sorted(self.found))}"] if self.found
                else [])


class _First:
    """How many rows a check found wrong over all files, and the first of them in the table's order."""

    def __init__(self) -> None:
        self.count = 0
        self.first: tuple | None = None

    def add(self, bad: np.ndarray, *columns: np.ndarray) -> None:
        n = int(bad.sum())
        if n and self.first is None:
            i = int(np.flatnonzero(bad)[0])
            self.first = tuple(c[i] for c in columns)
        self.count += n


def _order_problems(part: pa.Table) -> tuple[set[str], dict[str, tuple[int, float, float]]]:
    """The sessions of ``part`` whose seq does not strictly increase, and each session's first place where time
    goes backwards in seq order (see `time_reversals`)."""
    s_sid, s_seq, s_t = _in_seq_order(part)
    bad_seq = (s_sid[1:] == s_sid[:-1]) & (np.diff(s_seq) <= 0)
    back: dict[str, tuple[int, float, float]] = {}
    for s, q, before, after in _reversals(s_sid, s_seq, s_t):
        back.setdefault(s, (q, before, after))
    return {str(s) for s in s_sid[1:][bad_seq]}, back


class _EventsScan(_Scan):
    COLUMNS = ("session_id", "seq", "t_ms", "device", "type", "x", "y", "action_id")

    def __init__(self, known: dict[str, np.ndarray] | None) -> None:
        super().__init__()
        self.known = known  # each session's action ids (None: no actions table to hold events' action ids to)
        self.values = [_Values("device", DEVICES, "events"), _Values("type", EVENT_TYPES, "events")]
        self.untimed, self.lost = _First(), _First()
        self.files_of: dict[str, list[str]] = {}  # session -> the files holding its rows
        self.bad_seq: set[str] = set()
        self.back: dict[str, tuple[int, float, float]] = {}
        self.dangling: set[tuple[str, int]] = set()

    def add(self, rel: str, part: pa.Table) -> None:
        super().add(rel, part)
        for v in self.values:
            v.add(part)
        if part.num_rows == 0:
            return
        sid = part.column("session_id").to_numpy(zero_copy_only=False)
        seq = part.column("seq").to_numpy()
        t = part.column("t_ms").to_numpy()
        self.untimed.add(~np.isfinite(t), sid, seq, t)
        pointer = np.isin(part.column("type").to_numpy(zero_copy_only=False), ("move", "down", "up"))
        x = part.column("x").to_numpy(zero_copy_only=False).astype(float)
        y = part.column("y").to_numpy(zero_copy_only=False).astype(float)
        self.lost.add(pointer & ~(np.isfinite(x) & np.isfinite(y)), sid, seq)
        for s in set(pc.unique(part.column("session_id")).to_pylist()):
            self.files_of.setdefault(s, []).append(rel)
        bad_seq, back = _order_problems(part.select(["session_id", "seq", "t_ms"]))
        self.bad_seq |= bad_seq
        for s, first in back.items():
            self.back.setdefault(s, first)
        aid = part.column("action_id")
        if self.known is not None and aid.null_count < part.num_rows:
            has = ~np.asarray(aid.is_null())
            ids = aid.to_numpy(zero_copy_only=False)[has].astype(np.int64)
            for s, rows in session_rows(sid[has].astype(str)).items():
                missing = np.setdiff1d(ids[rows], self.known.get(s, np.empty(0, np.int64)))
                self.dangling.update((s, int(a)) for a in missing)

    def _across_files(self, ds: Dataset) -> None:
        """Check the order of each session whose rows are in more than one file on all its rows together (read
        again, those sessions only), in place of what each file said of it."""
        spread = {s for s, files in self.files_of.items() if len(files) > 1}
        if not spread:
            return
        self.bad_seq -= spread
        for s in spread:
            self.back.pop(s, None)
        files = {rel for s in spread for rel in self.files_of[s]}
        wanted = pa.array(sorted(spread))
        parts = [part.select(["session_id", "seq", "t_ms"]).filter(pc.is_in(part.column("session_id"), wanted))
                 for rel, part in ds.parts("events", ("session_id", "seq", "t_ms")) if rel in files]
        bad_seq, back = _order_problems(pa.concat_tables(parts))
        self.bad_seq |= bad_seq
        self.back.update(back)

    def problems(self, ds: Dataset) -> list[str]:
        problems = [p for v in self.values for p in v.problems()]
        if self.rows == 0:
            return problems
        self._across_files(ds)
        if self.untimed.count:
            s, q, t = self.untimed.first
            problems.append(f"events: {self.untimed.count} t_ms value(s) not a finite number, first in session {s} "
                            f"at seq {q} ({t})")
        if self.lost.count:
            s, q = self.lost.first
            problems.append(f"events: {self.lost.count} pointer event(s) without a position (x/y null or NaN), "
                            f"first in session {s} at seq {q}")
        if self.bad_seq:
            problems.append(f"events: seq not strictly increasing in session(s) {_examples(sorted(self.bad_seq))}")
        if self.back:
            s = min(self.back)
            q, before, after = self.back[s]
            problems.append(f"events: time goes backwards in session {s} at seq {q} ({before:.3f} ms then "
                            f"{after:.3f} ms)")
        if self.dangling:
            problems.append("events: action_id with no matching action: "
                            + _examples([f"{s}/{a}" for s, a in sorted(self.dangling)]))
        return problems


class _ActionsScan(_Scan):
    COLUMNS = ("session_id", "action_id", "kind", "t_start_ms", "t_end_ms", "box_w", "box_h")

    def __init__(self) -> None:
        super().__init__()
        self.values = _Values("kind", ACTION_KINDS, "actions")
        self.ids: dict[str, list[np.ndarray]] = {}  # session -> its action ids, file by file
        self.bad: dict[str, list[tuple[str, int]]] = {"box_w": [], "box_h": [], "t_end_ms": []}

    def add(self, rel: str, part: pa.Table) -> None:
        super().add(rel, part)
        self.values.add(part)
        if part.num_rows == 0:
            return
        sid = part.column("session_id").to_numpy(zero_copy_only=False)
        aid = part.column("action_id").to_numpy()
        for s, rows in session_rows(sid.astype(str)).items():
            self.ids.setdefault(s, []).append(aid[rows])
        for col in ("box_w", "box_h"):
            v = part.column(col).to_numpy(zero_copy_only=False).astype(float)
            self.bad[col] += [(sid[i], int(aid[i])) for i in np.flatnonzero(~np.isnan(v) & (v <= 0))]
        ts, te = part.column("t_start_ms").to_numpy(), part.column("t_end_ms").to_numpy()
        self.bad["t_end_ms"] += [(sid[i], int(aid[i])) for i in np.flatnonzero(te < ts)]

    def known(self) -> dict[str, np.ndarray]:
        """Each session's action ids."""
        return {s: np.concatenate(parts) for s, parts in self.ids.items()}

    def problems(self, ds: Dataset) -> list[str]:
        problems = self.values.problems()
        if self.rows == 0:
            return problems
        if any(len(np.unique(ids)) != len(ids) for ids in self.known().values()):
            problems.append("actions: duplicate (session_id, action_id)")
        for col in ("box_w", "box_h"):
            if self.bad[col]:
                problems.append(f"actions: {col} not positive for {_examples([f'{s}/{a}' for s, a in self.bad[col]])}")
        if self.bad["t_end_ms"]:
            problems.append("actions: t_end_ms before t_start_ms for "
                            + _examples([f"{s}/{a}" for s, a in self.bad["t_end_ms"]]))
        return problems


class _FramesScan(_Scan):
    COLUMNS = ("session_id", "kind", "path")

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root
        self.values = _Values("kind", FRAME_KINDS, "frames")
        self.missing: list[str] = []

    def add(self, rel: str, part: pa.Table) -> None:
        super().add(rel, part)
        self.values.add(part)
        self.missing += [p for p in part.column("path").to_pylist() if not (self.root / p).is_file()]

    def problems(self, ds: Dataset) -> list[str]:
        problems = self.values.problems()
        if self.missing:
            problems.append(f"frames: screenshot file(s) missing: {_examples(self.missing)}")
        return problems


def unlisted_sessions(sessions: list[str], table: pa.Table) -> list[str]:
    """The sessions ``table`` holds rows of that the manifest's ``sessions`` does not list, sorted."""
    return sorted(set(pc.unique(table.column("session_id")).to_pylist()) - set(sessions))


def _examples(items: list) -> str:
    head = ", ".join(str(i) for i in items[:MAX_EXAMPLES])
    return head + (f" (+{len(items) - MAX_EXAMPLES} more)" if len(items) > MAX_EXAMPLES else "")


def untimed_sessions(events: pa.Table) -> list[str]:
    """Sessions with a ``t_ms`` that is not a finite number (null, NaN, infinite), sorted."""
    t = events.column("t_ms").to_numpy(zero_copy_only=False).astype(float)
    sid = events.column("session_id").to_numpy(zero_copy_only=False).astype(str)
    return sorted(set(sid[~np.isfinite(t)]))


def time_reversals(events: pa.Table) -> list[tuple[str, int, float, float]]:
    """Each place where ``t_ms`` goes backwards in ``seq`` order within a session: (session, seq, time before,
    time at that seq), in session then seq order. Non-finite times are left out (`validate` names them apart);
    the readers refuse a dataset with any reversal, on the same rule."""
    return _reversals(*_in_seq_order(events))


def _in_seq_order(events: pa.Table) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """session_id (as text), seq and t_ms of ``events``, sorted by session then seq."""
    sid = events.column("session_id").to_numpy(zero_copy_only=False).astype(str)
    seq = events.column("seq").to_numpy(zero_copy_only=False)
    t = events.column("t_ms").to_numpy(zero_copy_only=False).astype(float)
    order = np.lexsort((seq, sid))
    return sid[order], seq[order], t[order]


def _reversals(s_sid: np.ndarray, s_seq: np.ndarray, s_t: np.ndarray) -> list[tuple[str, int, float, float]]:
    timed = np.isfinite(s_t)
    back = (s_sid[1:] == s_sid[:-1]) & (np.diff(s_t) < 0) & timed[1:] & timed[:-1]
    return [(str(s_sid[i]), int(s_seq[i]), float(s_t[i - 1]), float(s_t[i])) for i in np.flatnonzero(back) + 1]
