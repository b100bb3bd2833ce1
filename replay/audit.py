"""Audit a capture stack's log against hcisim's ground truth.

hcisim drives a session while the capture tool under test records it; this
module then matches the tool's events to the truth and measures what it got
wrong: missing and extra events, coordinate error, clock offset and jitter,
key mapping errors, screenshot cadence, and privacy leaks (any canary secret
the scenario typed into a password or sensitive field, found anywhere in the
captured files or logged key by key, fails the audit).

Captured formats: ``hcisim`` (a dataset), ``jsonl`` / ``csv`` (the generic
format in docs/audit.md: one event per row with ``t`` in seconds or ``t_ms``,
``type``, ``x``, ``y``, ``button``, ``key``), and ``xrecord`` (the JSONL of
hcisim's own X logger, `replay.xlogger`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from simulator.dataset import read_dataset
from simulator.errors import HcisimError
from simulator.jsonl import read_jsonl
from simulator.typing import code_for
from simulator.typing.layout import infer_layout

FORMATS = ("hcisim", "jsonl", "csv", "xrecord")
KEY_ERRORS_SHOWN = 20
MATCH_WINDOW_MS = 250.0
OFFSET_WINDOW_MS = 20.0
OFFSET_PRESSES = 200  # of the truth's, to find the offset by: a long session's all against all would fill memory
MASKS = ("•", "*", "[masked]")
_TYPE_ALIASES = {"mousemove": "move", "motion": "move", "mousedown": "down", "press": "down", "buttonpress": "down",
                 "mouseup": "up", "release": "up", "buttonrelease": "up", "keydown": "key_down",
                 "keypress": "key_down", "keyup": "key_up", "keyrelease": "key_up", "scroll": "wheel"}


@dataclass
class Thresholds:
    max_missing_rate: float = 0.01
    max_extra_rate: float = 0.01
    max_coord_error_px: float = 2.0
    max_clock_jitter_ms: float = 10.0
    max_key_errors: int = 0
    max_clock_offset_ms: float = 50.0

    def __post_init__(self) -> None:
        for name, flag in (("max_missing_rate", "--max-missing"), ("max_extra_rate", "--max-extra")):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:  # NaN too: a gate that passes everything
                raise HcisimError(f"{flag} is a share of the truth's events between 0 and 1 (0.01 = 1 %), not {v}")
        for name, flag in (("max_coord_error_px", "--max-coord-error"), ("max_clock_jitter_ms", "--max-clock-jitter"),
                           ("max_clock_offset_ms", "--max-clock-offset"), ("max_key_errors", "--max-key-errors")):
            v = getattr(self, name)
            if not 0.0 <= v < float("inf"):
                raise HcisimError(f"{flag} must be a number >= 0, not {v}")


@dataclass
class AuditResult:
    truth_events: int
    captured_events: int
    matched: int
    missing: int
    extra: int
    missing_by_type: dict[str, int]
    coord_error_px_p50: float | None
    coord_error_px_p99: float | None
    clock_offset_ms: float | None
    clock_jitter_ms: float | None
    key_error_count: int
    key_errors: list[str]
    """The first KEY_ERRORS_SHOWN of them, as examples."""
    screenshots: int
    screenshot_interval_ms_p50: float | None
    leaks: list[str]
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def to_json(self) -> str:
        return json.dumps(asdict(self) | {"passed": self.passed}, indent=1, sort_keys=True)


def _norm_type(t: str) -> str:
    t = str(t).lower()
    return _TYPE_ALIASES.get(t, t)


def read_captured(path: Path, fmt: str, session: str | None = None
                  ) -> tuple[list[dict[str, Any]], list[Path], bool]:
    """Captured events as dicts with t_ms, type, x, y, button, key; every file to scan for leaks; and
    whether the times are wall-clock (epoch ms), as logs' are and a live hcisim dataset's can be made."""
    if fmt not in FORMATS:
        raise HcisimError(f"unknown capture format {fmt!r}: use one of {', '.join(FORMATS)}")
    if not path.exists():
        raise HcisimError(f"{path}: no such captured log")
    if fmt != "hcisim" and path.is_dir():
        raise HcisimError(f"{path}: is a folder; --format {fmt} reads one log file (a dataset: --format hcisim)")
    if fmt == "hcisim":
        ds = read_dataset(path)
        sid = session if session in ds.sessions else ds.sessions[0] if ds.sessions else None
        epoch0 = (ds.manifest.stats.get("session_start_epoch_ms") or {}).get(sid)
        shift = epoch0 or 0.0  # a dataset's times are its session's: to the epoch when it knows its start
        events = [dict(t_ms=r["t_ms"] + shift, type=r["type"], x=r["x"], y=r["y"], button=r["button"],
                       key=r["key"]) for r in ds.events.to_pylist() if r["session_id"] == sid]
        events += [dict(t_ms=f["t_ms"] + shift, type="screenshot") for f in ds.frames.to_pylist()
                   if f["session_id"] == sid]
        return events, [p for p in path.rglob("*") if p.is_file()], epoch0 is not None
    raw: list[dict[str, Any]] = []
    try:
        if fmt in ("jsonl", "xrecord"):
            raw = read_jsonl(path)
        else:
            with open(path, newline="", encoding="utf-8") as fh:
                reader = csv.DictReader(fh)
                raw = list(reader)
            header = reader.fieldnames or []
            if header and not ({"t", "t_ms"} & set(header) and "type" in header):
                # (a file of anything else read as a log of no events: "missing 231 of 231")
                raise HcisimError(f"{path}: not a CSV capture log: its header ({', '.join(header)[:80]}) lacks "
                                  f"{'t or t_ms' if not {'t', 't_ms'} & set(header) else 'type'}")
    except UnicodeDecodeError:
        raise HcisimError(f"{path}: not a text log") from None
    events = []
    for n, r in enumerate(raw, 1):
        if not isinstance(r, dict):
            raise HcisimError(f"{path}: event {n} is a JSON {type(r).__name__}, not an object of one event")

        def num(k: str) -> float | None:
            v = r.get(k)
            try:
                f = None if v in ("", None) else float(v)
            except (TypeError, ValueError):
                raise HcisimError(f"{path}: event {n} has {k} {v!r}, not a number") from None
            if f is not None and not np.isfinite(f):  # a NaN time was counted as an extra event
                raise HcisimError(f"{path}: event {n} has {k} {v!r}, not a finite number")
            return f

        t_ms, t_s = num("t_ms"), num("t")
        if t_ms is None and t_s is None:
            raise HcisimError(f"{path}: event {n} has no time (t or t_ms)")
        if t_ms is None and t_s is not None and t_s > 1e11:  # epoch seconds are ~1.8e9; ms are ~1.8e12
            raise HcisimError(f"{path}: event {n} has t {t_s:.0f}, which looks like milliseconds: "
                              f"t is in seconds, name the column t_ms")
        t = t_ms if t_ms is not None else t_s * 1000.0
        if "type" not in r:
            raise HcisimError(f"{path}: event {n} has no type")

        kind = _norm_type(r["type"])
        if kind == "move" and (num("x") is None or num("y") is None):
            # a log without x, y columns lost every move (filtered as still) and called them missing
            raise HcisimError(f"{path}: {kind} event {n} has no position (x and y)")
        events.append(dict(t_ms=t, type=kind, x=num("x"), y=num("y"),
                           button=r.get("button") or None, key=r.get("key") or None))
    return events, [path], True


def _drop_still_moves(events: list[dict]) -> list[dict]:
    """Moves that do not move (a logger echoing the pointer at a press) carry nothing to audit."""
    out, last = [], None
    for e in events:
        if e["type"] == "move":
            pos = (e["x"], e["y"])
            if pos == last:
                continue
            last = pos
        elif e.get("x") is not None:
            last = (e["x"], e["y"])
        out.append(e)
    return out


def _same_key(t: dict, c: dict, layout: str) -> bool:
    """Same key; a release may name the key as the modifiers of that moment make it (DOM ``keyup`` does:
    ``q`` for an ``@`` whose AltGr went up first), so releases compare the physical key -- the truth's
    recorded code, the capture's own code or where the truth's keyboard ``layout`` has its key."""
    a, b = t["key"] or "", c["key"] or ""
    if a == b:
        return True
    phys = t.get("code") or code_for(a, layout)
    return t["type"] == "key_up" and phys is not None and phys == (c.get("code") or code_for(b, layout))


def _canaries(truth) -> list[str]:
    out = []
    for a in truth.actions.to_pylist():
        params = json.loads(a.get("params") or "{}")
        if params.get("sensitive") and a.get("text_intended"):
            out.append(a["text_intended"])
    return out


def _readable(f: Path) -> bytes:
    """What a file says to whoever reads it: its bytes, and for a Parquet file its values too. Parquet
    compresses its pages (hcisim's own with zstd), so a secret held in clear in a column need not appear
    in the file's bytes: an audit of such a dataset passed with the password in its actions."""
    data = f.read_bytes()
    if f.suffix != ".parquet":
        return data
    try:
        rows = pq.read_table(f).to_pylist()
    except (pa.ArrowException, OSError, ValueError):  # not Parquet after all: its bytes are what it holds
        return data
    return data + "\n".join(_strings(rows)).encode()


def _strings(value: Any) -> Iterator[str]:
    """Every string in a decoded table's rows (values of nested columns too)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _strings(v)


def _spellings(secret: str) -> set[bytes]:
    """A secret as a file may hold it: as typed, inside a JSON string (non-ASCII escaped, as Python's json
    writes it by default, or not; quotes and backslashes escaped either way) and inside a quoted CSV field
    (quotes doubled)."""
    return {secret.encode(), json.dumps(secret)[1:-1].encode(), json.dumps(secret, ensure_ascii=False)[1:-1].encode(),
            secret.replace('"', '""').encode()}


def _leaks(files: list[Path], canaries: list[str]) -> list[str]:
    leaks = []
    for f in files:
        data = _readable(f)
        for c in canaries:
            if any(s in data for s in _spellings(c)):
                leaks.append(f"{f.name}: contains the secret typed into a sensitive field ({len(c)} chars)")
    return leaks


def _match(truth: list[dict], cap: list[dict], offset: float) -> list[tuple[int, int]]:
    """Order-keeping matching per event type within a time window, after removing the clock offset.

    A logger sees events in the order they happened, so matching keeps that order: jitter larger than the
    gap between two samples cannot pair the wrong samples. Of the orders' matchings, the one with the least
    time error, each event left unmatched counting half the window, wins: taking the first captured event
    in the window paired every event after a dropped one with its successor (key errors, coordinate error
    and jitter the logger did not have).
    """
    pairs = []
    for kind in {e["type"] for e in truth}:
        ti = [i for i, e in enumerate(truth) if e["type"] == kind]
        ci = [j for j, e in enumerate(cap) if e["type"] == kind]
        t = np.array([truth[i]["t_ms"] for i in ti], dtype=float)
        c = np.array([cap[j]["t_ms"] - offset for j in ci], dtype=float)
        pairs += [(ti[a], ci[b]) for a, b in _align(t, c)]
    return sorted(pairs)


def _align(t: np.ndarray, c: np.ndarray) -> list[tuple[int, int]]:
    """The pairs (a, b), increasing in both, of |t[a] - c[b]| <= MATCH_WINDOW_MS (t and c sorted) with the most
    total weight MATCH_WINDOW_MS - |t[a] - c[b]|: a heaviest chain, found with a Fenwick tree of prefix maxima
    over c's indices."""
    lo = np.searchsorted(c, t - MATCH_WINDOW_MS, "left").tolist()
    hi = np.searchsorted(c, t + MATCH_WINDOW_MS, "right").tolist()
    t_, c_ = t.tolist(), c.tolist()
    size = len(c_)
    best, last = [0.0] * (size + 1), [-1] * (size + 1)  # of the chains ending before an index: total, last link
    links: list[tuple[int, int, int]] = []  # (a, b, the link before it or -1)

    def best_before(b: int) -> tuple[float, int]:
        total, link = 0.0, -1
        while b > 0:
            if best[b] > total:
                total, link = best[b], last[b]
            b -= b & -b
        return total, link

    for a in range(len(t_)):
        for b in range(hi[a] - 1, lo[a] - 1, -1):  # descending: one t[a] never chains to itself
            total, prev = best_before(b)
            links.append((a, b, prev))
            value, k = total + MATCH_WINDOW_MS - abs(t_[a] - c_[b]), b + 1
            while k <= size:
                if value > best[k]:
                    best[k], last[k] = value, len(links) - 1
                k += k & -k
    out, k = [], best_before(size)[1]
    while k >= 0:
        a, b, k = links[k]
        out.append((a, b))
    return out[::-1]


def _offset(truth: list[dict], cap: list[dict]) -> float:
    """The capture clock's offset: the gap shared by the most pairs of a truth press and a captured press
    (rare, unambiguous events), within OFFSET_WINDOW_MS. Pairing the presses in order instead put every press
    after one the capture dropped with the next one."""
    td = np.array([e["t_ms"] for e in truth if e["type"] in ("down", "key_down")][:OFFSET_PRESSES])
    cd = np.array([e["t_ms"] for e in cap if e["type"] in ("down", "key_down")])
    if not len(td) or not len(cd):
        return 0.0
    gaps = np.sort((cd[None, :] - td[:, None]).ravel())
    within = np.searchsorted(gaps, gaps + OFFSET_WINDOW_MS, "right") - np.arange(len(gaps))
    k = int(np.argmax(within))
    return float(np.median(gaps[k:k + within[k]]))


def audit(truth_dir: Path, captured: Path, fmt: str, thresholds: Thresholds | None = None,
          session: str | None = None) -> AuditResult:
    th = thresholds or Thresholds()
    truth_ds = read_dataset(truth_dir)
    sid = truth_ds.session(session)  # (an edited manifest listing no session was an IndexError)
    epoch0 = (truth_ds.manifest.stats.get("session_start_epoch_ms") or {}).get(sid)
    sensitive = {a["action_id"] for a in truth_ds.actions.to_pylist()
                 if a["session_id"] == sid and json.loads(a.get("params") or "{}").get("sensitive")}
    truth = _drop_still_moves([dict(t_ms=r["t_ms"], type=r["type"], x=r["x"], y=r["y"], button=r["button"],
                                    key=r["key"], code=r.get("code"), masked_ok=r["action_id"] in sensitive)
                               for r in truth_ds.events.to_pylist() if r["session_id"] == sid])
    layout = infer_layout((t["key"] for t in truth), (t["code"] for t in truth)) or "qwerty-us"
    cap_all, files, wall_clock = read_captured(captured, fmt, sid)
    shots = sorted(e["t_ms"] for e in cap_all if e["type"] == "screenshot")
    cap = _drop_still_moves(sorted((e for e in cap_all if e["type"] != "screenshot"), key=lambda e: e["t_ms"]))
    # Captured times are wall-clock (epoch) when the truth knows its session's epoch start; the offset is
    # then a real clock error. Without it only the offset's spread (jitter) is meaningful.
    if epoch0 is not None and wall_clock:
        truth = [{**t, "t_ms": t["t_ms"] + epoch0} for t in truth]
    # First guess: presses aligned in order; on two wall clocks also none at all (a log holding more than the
    # session -- an earlier run, presses before it -- throws the order off). The guess matching more wins.
    guesses = [_offset(truth, cap)] + ([0.0] if epoch0 is not None and wall_clock else [])
    offset, pairs = max(((g, _match(truth, cap, g)) for g in guesses), key=lambda gp: (len(gp[1]), -abs(gp[0])))
    if pairs:
        offset += float(np.median([cap[j]["t_ms"] - offset - truth[i]["t_ms"] for i, j in pairs]))
        pairs = _match(truth, cap, offset)
    matched_t = {i for i, _ in pairs}
    missing_by_type: dict[str, int] = {}
    for i, t in enumerate(truth):
        if i not in matched_t:
            missing_by_type[t["type"]] = missing_by_type.get(t["type"], 0) + 1
    coord = [np.hypot(truth[i]["x"] - cap[j]["x"], truth[i]["y"] - cap[j]["y"]) for i, j in pairs
             if truth[i]["x"] is not None and cap[j]["x"] is not None]
    resid = np.array([cap[j]["t_ms"] - offset - truth[i]["t_ms"] for i, j in pairs])
    # A key typed into a sensitive field may be masked by a privacy-respecting logger: that is no error.
    key_errors = [f"{truth[i]['key']!r} captured as {cap[j]['key']!r}" for i, j in pairs
                  if truth[i]["type"].startswith("key") and not _same_key(truth[i], cap[j], layout)
                  and not (truth[i]["masked_ok"] and cap[j]["key"] in MASKS)]
    # A secret is as readable from a log of its keys as from the text: a sensitive field's character keys
    # captured as themselves (not masked) leak it, one key at a time.
    clear = [truth[i]["key"] for i, j in pairs if truth[i]["masked_ok"] and truth[i]["type"] == "key_down"
             and len(truth[i]["key"] or "") == 1 and cap[j]["key"] == truth[i]["key"]]
    key_leaks = ([f"{captured.name}: {len(clear)} key(s) typed into sensitive fields captured in clear "
                  f"(the secret can be read from the key log)"] if clear else [])
    res = AuditResult(
        truth_events=len(truth), captured_events=len(cap), matched=len(pairs), missing=len(truth) - len(pairs),
        extra=len(cap) - len(pairs), missing_by_type=missing_by_type,
        coord_error_px_p50=float(np.percentile(coord, 50)) if coord else None,
        coord_error_px_p99=float(np.percentile(coord, 99)) if coord else None,
        clock_offset_ms=offset if pairs else None,
        clock_jitter_ms=float(np.std(resid)) if len(resid) > 1 else None, key_error_count=len(key_errors),
        key_errors=key_errors[:KEY_ERRORS_SHOWN],
        screenshots=len(shots),
        screenshot_interval_ms_p50=float(np.median(np.diff(shots))) if len(shots) > 1 else None,
        leaks=_leaks(files, _canaries(truth_ds)) + key_leaks,
    )
    n = max(len(truth), 1)
    if res.missing / n > th.max_missing_rate:
        res.failures.append(f"missing events: {res.missing} of {len(truth)} ({res.missing / n:.1%}) "
                            f"{dict(sorted(missing_by_type.items()))}")
    if res.extra / n > th.max_extra_rate:
        res.failures.append(f"extra events: {res.extra} ({res.extra / n:.1%})")
    if res.coord_error_px_p99 is not None and res.coord_error_px_p99 > th.max_coord_error_px:
        res.failures.append(f"coordinate error p99 {res.coord_error_px_p99:.1f} px > {th.max_coord_error_px}")
    if res.clock_jitter_ms is not None and res.clock_jitter_ms > th.max_clock_jitter_ms:
        res.failures.append(f"clock jitter {res.clock_jitter_ms:.1f} ms > {th.max_clock_jitter_ms}")
    if epoch0 is not None and res.clock_offset_ms is not None and abs(res.clock_offset_ms) > th.max_clock_offset_ms:
        res.failures.append(f"clock offset {res.clock_offset_ms:+.1f} ms > {th.max_clock_offset_ms} ms")
    if len(key_errors) > th.max_key_errors:
        res.failures.append(f"key mapping errors: {len(key_errors)} (e.g. {key_errors[0]})")
    if res.leaks:
        res.failures.append(f"privacy leak: {res.leaks[0]}")
    return res
