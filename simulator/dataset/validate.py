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

MAX_EXAMPLES = 3


def validate_dataset(root: Path | str) -> list[str]:
    """All problems found in the dataset at ``root`` (empty when it is valid)."""
    root = Path(root)
    try:
        ds = Dataset(root, verify=False)
    except HcisimError as exc:
        return [str(exc)]
    problems: list[str] = []
    m = ds.manifest
    unreadable: set[str] = set()  # files whose tables cannot be checked; the others still are
    for rel, actual in changed_files(root, m.files):
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

    tables: dict[str, pa.Table] = {}
    for name in m.tables:
        if name not in SCHEMAS:
            problems.append(f"manifest lists unknown table {name!r}")
            continue
        if unreadable & set(m.tables[name]):
            continue  # said above
        try:
            tables[name] = ds.table(name)
        except HcisimError as exc:
            problems.append(str(exc))
            continue
        expected_rows = m.rows(name)
        if tables[name].num_rows != expected_rows:
            problems.append(f"{name}: {tables[name].num_rows} rows, manifest says {expected_rows}")
    if "events" in tables:
        problems += _check_events(tables["events"], tables.get("actions"))
    if "actions" in tables:
        problems += _check_actions(tables["actions"])
    if "frames" in tables:
        problems += _check_frames(tables["frames"], root)
    for name, t in tables.items():
        unknown = unlisted_sessions(m.sessions, t)
        if unknown:
            problems.append(f"{name}: session(s) not in the manifest: {_examples(unknown)}")
    done, asked = m.stats.get("sessions_completed"), m.stats.get("sessions_requested")
    if isinstance(done, int) and isinstance(asked, int) and done < asked:
        problems.append(f"stopped early: {done} of {asked} requested session(s) completed")
    strangers = sorted(set(m.people) - set(m.sessions))
    if strangers:
        problems.append(f"manifest people: session(s) not in the manifest: {_examples(strangers)}")
    return problems


def unlisted_sessions(sessions: list[str], table: pa.Table) -> list[str]:
    """The sessions ``table`` holds rows of that the manifest's ``sessions`` does not list, sorted."""
    return sorted(set(pc.unique(table.column("session_id")).to_pylist()) - set(sessions))


def _examples(items: list) -> str:
    head = ", ".join(str(i) for i in items[:MAX_EXAMPLES])
    return head + (f" (+{len(items) - MAX_EXAMPLES} more)" if len(items) > MAX_EXAMPLES else "")


def _check_values(t: pa.Table, column: str, allowed: tuple[str, ...], what: str) -> list[str]:
    values = set(pc.unique(t.column(column)).to_pylist()) - set(allowed) - {None}
    return [f"{what}: unknown {column} value(s): {_examples(sorted(values))}"] if values else []


def untimed_sessions(events: pa.Table) -> list[str]:
    """Sessions with a ``t_ms`` that is not a finite number (null, NaN, infinite), sorted."""
    t = events.column("t_ms").to_numpy(zero_copy_only=False).astype(float)
    sid = events.column("session_id").to_numpy(zero_copy_only=False).astype(str)
    return sorted(set(sid[~np.isfinite(t)]))


def time_reversals(events: pa.Table) -> list[tuple[str, int, float, float]]:
    """Each place where ``t_ms`` goes backwards in ``seq`` order within a session: (session, seq, time before,
    time at that seq), in session then seq order. Non-finite times are left out (`validate` names them apart);
    the readers refuse a dataset with any reversal, on the same rule."""
    sid = events.column("session_id").to_numpy(zero_copy_only=False).astype(str)
    seq = events.column("seq").to_numpy(zero_copy_only=False)
    t = events.column("t_ms").to_numpy(zero_copy_only=False).astype(float)
    order = np.lexsort((seq, sid))
    s_sid, s_seq, s_t = sid[order], seq[order], t[order]
    timed = np.isfinite(s_t)
    back = (s_sid[1:] == s_sid[:-1]) & (np.diff(s_t) < 0) & timed[1:] & timed[:-1]
    return [(str(s_sid[i]), int(s_seq[i]), float(s_t[i - 1]), float(s_t[i])) for i in np.flatnonzero(back) + 1]


def _check_events(ev: pa.Table, actions: pa.Table | None) -> list[str]:
    problems = _check_values(ev, "device", DEVICES, "events")
    problems += _check_values(ev, "type", EVENT_TYPES, "events")
    if ev.num_rows == 0:
        return problems
    sid = ev.column("session_id").to_numpy(zero_copy_only=False)
    seq = ev.column("seq").to_numpy()
    t = ev.column("t_ms").to_numpy()
    odd = ~np.isfinite(t)
    if odd.any():
        i = int(np.flatnonzero(odd)[0])
        problems.append(f"events: {int(odd.sum())} t_ms value(s) not a finite number, first in session {sid[i]} at "
                        f"seq {seq[i]} ({t[i]})")
    typ = ev.column("type").to_numpy(zero_copy_only=False)
    pointer = np.isin(typ, ("move", "down", "up"))
    x = ev.column("x").to_numpy(zero_copy_only=False).astype(float)
    y = ev.column("y").to_numpy(zero_copy_only=False).astype(float)
    lost = pointer & ~(np.isfinite(x) & np.isfinite(y))
    if lost.any():
        i = int(np.flatnonzero(lost)[0])
        problems.append(f"events: {int(lost.sum())} pointer event(s) without a position (x/y null or NaN), "
                        f"first in session {sid[i]} at seq {seq[i]}")
    order = np.lexsort((seq, sid))
    s_sid, s_seq = sid[order], seq[order]
    bad_seq = (s_sid[1:] == s_sid[:-1]) & (np.diff(s_seq) <= 0)
    if bad_seq.any():
        where = sorted(set(s_sid[1:][bad_seq]))
        problems.append(f"events: seq not strictly increasing in session(s) {_examples(where)}")
    back = time_reversals(ev)
    if back:
        s, q, before, after = back[0]
        problems.append(f"events: time goes backwards in session {s} at seq {q} ({before:.3f} ms then {after:.3f} ms)")
    aid = ev.column("action_id")
    if actions is not None and aid.null_count < ev.num_rows:
        known = {(s, a) for s, a in zip(actions.column("session_id").to_pylist(), actions.column("action_id").to_pylist())}
        pairs = {(s, a) for s, a in zip(ev.column("session_id").to_pylist(), aid.to_pylist()) if a is not None}
        dangling = sorted(pairs - known)
        if dangling:
            problems.append(
                "events: action_id with no matching action: "
                + _examples([f"{s}/{a}" for s, a in dangling])
            )
    return problems


def _check_actions(ac: pa.Table) -> list[str]:
    problems = _check_values(ac, "kind", ACTION_KINDS, "actions")
    if ac.num_rows == 0:
        return problems
    keys = list(zip(ac.column("session_id").to_pylist(), ac.column("action_id").to_pylist()))
    if len(set(keys)) != len(keys):
        problems.append("actions: duplicate (session_id, action_id)")
    for col in ("box_w", "box_h"):
        v = ac.column(col).to_numpy(zero_copy_only=False).astype(float)
        bad = ~np.isnan(v) & (v <= 0)
        if bad.any():
            ids = [keys[i] for i in np.flatnonzero(bad)]
            problems.append(f"actions: {col} not positive for {_examples([f'{s}/{a}' for s, a in ids])}")
    ts, te = ac.column("t_start_ms").to_numpy(), ac.column("t_end_ms").to_numpy()
    if (te < ts).any():
        ids = [keys[i] for i in np.flatnonzero(te < ts)]
        problems.append(f"actions: t_end_ms before t_start_ms for {_examples([f'{s}/{a}' for s, a in ids])}")
    return problems


def _check_frames(fr: pa.Table, root: Path) -> list[str]:
    problems = _check_values(fr, "kind", FRAME_KINDS, "frames")
    missing = [p for p in fr.column("path").to_pylist() if not (root / p).is_file()]
    if missing:
        problems.append(f"frames: screenshot file(s) missing: {_examples(missing)}")
    return problems
