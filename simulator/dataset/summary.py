"""A dataset at a glance: what `hcisim inspect` prints."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pyarrow.compute as pc

from simulator.dataset.reader import Dataset


@dataclass
class Summary:
    root: str
    driver: str
    scenario: str | None
    seed: int | None
    storage: str
    coordinate_space: str
    sessions: int
    events: int
    actions: int
    frames: int
    events_by_type: dict[str, int] = field(default_factory=dict)
    actions_by_kind: dict[str, int] = field(default_factory=dict)
    duration_ms: dict[str, float] = field(default_factory=dict)
    profiles: dict[str, dict[str, str]] = field(default_factory=dict)
    stats: dict = field(default_factory=dict)
    people: int = 0          # distinct people named by the manifest (imports, recordings, augment); 0: none named
    source: dict = field(default_factory=dict)


def _counts(column) -> dict[str, int]:
    vc = pc.value_counts(column).to_pylist()
    return dict(sorted((str(d["values"]), int(d["counts"])) for d in vc))


def _spans(table, start: str, end: str) -> list[tuple[str, float, float]]:
    """Per session: (id, earliest ``start``, latest ``end``)."""
    g = table.group_by("session_id").aggregate([(start, "min"), (end, "max")])
    return list(zip(g.column("session_id").to_pylist(), g.column(f"{start}_min").to_pylist(),
                    g.column(f"{end}_max").to_pylist()))


def summarize(ds: Dataset) -> Summary:
    """Events are read a file at a time, three columns of them: a dataset of many shards is never whole in memory
    (`report` and `inspect` of 400 sessions held every event, 0.2-0.4 GB, growing with the sessions)."""
    ac = ds.actions
    n_events, by_type = 0, Counter()
    spans = []
    for _, part in ds.parts("events", columns=("session_id", "t_ms", "type")):
        if part.num_rows:
            n_events += part.num_rows
            by_type.update(_counts(part.column("type")))
            spans += _spans(part, "t_ms", "t_ms")
    durations = {}
    if n_events:
        # a session lasts from its first event or action to its last: a person reading the result of the last
        # click is part of it (the events alone ended 5 s before a recorded session did)
        span: dict[str, list[float]] = {}
        for sid, lo, hi in spans + (_spans(ac, "t_start_ms", "t_end_ms") if ac.num_rows else []):
            a, b = span.get(sid, (lo, hi))
            span[sid] = [min(a, lo), max(b, hi)]
        d = np.array([hi - lo for lo, hi in span.values()])
        durations = {"total": float(d.sum()), "mean": float(d.mean()), "min": float(d.min()), "max": float(d.max())}
    m = ds.manifest
    return Summary(
        root=str(ds.root), driver=m.driver, scenario=m.scenario, seed=m.seed, storage=m.storage,
        coordinate_space=m.coordinate_space, sessions=len(m.sessions), events=n_events,
        actions=ac.num_rows, frames=ds.frames.num_rows,
        events_by_type=dict(sorted(by_type.items())),
        actions_by_kind=_counts(ac.column("kind")) if ac.num_rows else {},
        duration_ms=durations, profiles=m.profiles, stats=m.stats, people=len(set(m.people.values())),
        source=m.source,
    )
