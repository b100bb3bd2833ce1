"""`hcisim report`: one self-contained HTML page a person opens in a browser.

Pointer paths are drawn over the screenshot taken before each action, and the
timing a capture stack cares about (sampling intervals, dispatch error, key
holds and intervals, speed) is plotted. Images are embedded, so the page can
be mailed or attached to a CI run.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402

from simulator.dataset import read_dataset, summarize  # noqa: E402
from simulator.dataset.schema import EVENTS  # noqa: E402
from simulator.atomic import check_file_out  # noqa: E402
from simulator.report.page import REPORT, figure, table, write_page  # noqa: E402
from simulator.report.screen import read_screenshot  # noqa: E402
from simulator.readers.hcisim import keystroke_logs  # noqa: E402
from simulator.terms import dataset_terms  # noqa: E402

MAX_ACTION_ROWS = 400
MAX_SESSIONS = 3
MAX_OVERLAYS = 12
PLOTTED_EVENTS = 2_000_000
"""Events the plots are drawn from, at most (whole files of them; the first always)."""
PLOTTED_COLUMNS = ("session_id", "t_ms", "planned_t_ms", "type", "device", "key", "code", "x", "y", "action_id")
DISPATCH = ("dispatch_error_ms_p50", "dispatch_error_ms_p99", "dispatch_error_ms_max")
DISPATCH_SHOWN_MS = 100.0
PROFILE_ROLE = {"mouse": "the fitted model that moved the pointer", "typing": "the fitted model that typed"}


def _overlays(ds, events: pa.Table, sid: str) -> tuple[list[str], int]:
    """The first MAX_OVERLAYS top-level steps that moved the pointer, each over the screenshot taken before it,
    and how many such steps the session has."""
    ev = events.filter(pc.equal(events.column("session_id"), sid))
    ac = ds.actions.filter(pc.equal(ds.actions.column("session_id"), sid))
    fr = ds.frames.filter(pc.and_(pc.equal(ds.frames.column("session_id"), sid),
                                  pc.equal(ds.frames.column("kind"), "before")))
    if fr.num_rows == 0:
        return [], 0
    frame_of = dict(zip(fr.column("action_id").to_pylist(), fr.column("path").to_pylist()))
    aid = np.asarray(ev.column("action_id").to_numpy(zero_copy_only=False), dtype=float)
    types = np.asarray(ev.column("type").to_pylist(), dtype=object)
    x = ev.column("x").to_numpy(zero_copy_only=False)
    y = ev.column("y").to_numpy(zero_copy_only=False)
    parents = dict(zip(ac.column("action_id").to_pylist(), ac.column("parent_id").to_pylist()))
    root = np.array([_root(parents, int(a)) if not np.isnan(a) else -1 for a in aid])
    steps = [row for row in ac.to_pylist() if row["parent_id"] is None and row["action_id"] in frame_of
             and ((root == row["action_id"]) & (types == "move")).any()]
    out = []
    for row in steps[:MAX_OVERLAYS]:
        a = row["action_id"]
        sel = (root == a) & (types == "move")
        png = read_screenshot(ds.root, frame_of[a])
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        ax.imshow(png)
        ax.plot(x[sel], y[sel], "-", color="#e4572e", lw=1.5, alpha=0.9)
        ax.plot(x[sel], y[sel], ".", color="#e4572e", ms=3)
        downs = (root == a) & (types == "down")
        ax.plot(x[downs], y[downs], "o", mfc="none", mec="#29335c", ms=12, mew=2)
        if row["box_w"]:
            ax.add_patch(plt.Rectangle((row["box_x"], row["box_y"]), row["box_w"], row["box_h"], fill=False,
                                       ec="#17bebb", lw=1.5, ls="--"))
        ax.set_axis_off()
        ax.set_title(f"#{a} {row['step']} [{row['outcome']}]", fontsize=8)
        out.append(figure(fig, row["step"] or ""))
    return out, len(steps)


def _paths_section(ds, events: pa.Table, plotted: set[str]) -> list[str]:
    """Pointer paths over the screenshots of the first MAX_SESSIONS sessions that have any (among the ``plotted``
    ones ``events`` holds), each cut said: the page stopped at 12 steps of 3 sessions without a word."""
    parts, shown, more = [], 0, ""
    shot = set(ds.frames.column("session_id").to_pylist()) & plotted
    with_shots = [sid for sid in ds.sessions if sid in shot]
    for i, sid in enumerate(with_shots):
        if shown == MAX_SESSIONS:
            more = (f"<p>The first {MAX_SESSIONS} sessions with pointer paths; {len(with_shots) - i} more "
                    f"session(s) have screenshots.</p>")
            break
        overlays, steps = _overlays(ds, events, sid)
        if overlays:
            shown += 1
            cut = f"<p>The first {MAX_OVERLAYS} of {steps} steps that moved the pointer.</p>" if steps > len(
                overlays) else ""
            parts += [f"<h3>Session {html.escape(sid)}</h3>", cut, "<div class='grid'>", *overlays, "</div>"]
    return ["<h2>Pointer paths over the screen</h2>", OVERLAY_KEY, more, *parts] if parts else []


OVERLAY_KEY = ("<p>Each step over the screenshot taken before it: <span style='color:#e4572e'>red</span>, the "
               "pointer's path during the step (dots: its samples); <span style='color:#29335c'>ring</span>, where a "
               "button went down; <span style='color:#17bebb'>dashed box</span>, the element the step aimed at. The "
               "title gives the action id, the step and its outcome.</p>")
"""What the marks on the overlays mean (a person had to guess that the ring was a press)."""


def _root(parents: dict, a: int) -> int:
    while parents.get(a) is not None:
        a = parents[a]
    return a


def _nothing(ax, what: str) -> None:
    """An empty panel that says why (a keyboard-only dataset has no pointer speeds), not axes around nothing."""
    ax.text(0.5, 0.5, what, ha="center", va="center")
    ax.set_axis_off()


def _plotted_events(ds) -> tuple[pa.Table, set[str]]:
    """The columns the plots use, of the dataset's event files in order while they hold at most PLOTTED_EVENTS
    (the first file always), and which sessions that is: a report of many shards read every event at once."""
    parts, rows = [], 0
    for _, part in ds.parts("events", columns=PLOTTED_COLUMNS):
        if parts and rows + part.num_rows > PLOTTED_EVENTS:
            break
        parts.append(part.select(PLOTTED_COLUMNS))
        rows += part.num_rows
    ev = pa.concat_tables(parts) if parts else EVENTS.empty_table().select(PLOTTED_COLUMNS)
    return ev, set(pc.unique(ev.column("session_id")).to_pylist())


def _timing_plots(ev: pa.Table) -> list[str]:
    """Columns are compared in Arrow, not as Python strings: a list of every event's type and session cost
    ~300 bytes an event, 1.5 GB for a 2.25-million-event import of Balabit."""
    plots = []
    t = ev.column("t_ms").to_numpy()
    sid = pc.dictionary_encode(ev.column("session_id").combine_chunks()).indices.to_numpy()
    moves = pc.equal(ev.column("type"), "move").to_numpy(zero_copy_only=False)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.2))
    same = (sid[1:] == sid[:-1]) & moves[1:] & moves[:-1]
    dt = np.diff(t)[same]
    x = ev.column("x").to_numpy(zero_copy_only=False)
    y = ev.column("y").to_numpy(zero_copy_only=False)
    ok = same & (np.diff(t) > 0)
    speed = np.hypot(np.diff(x), np.diff(y))[ok] / np.diff(t)[ok] * 1000
    for ax, values, clip, bins, color, what, unit, counted in (
            (axes[0], dt, 150, 75, "#29335c", "pointer sampling interval", "ms", "intervals"),
            (axes[1], speed, 4000, 80, "#e4572e", "pointer speed", "px/s", "steps between moves")):
        if len(values):
            _clipped_hist(ax, values, clip, bins, color, f"{what} ({unit})", unit)
            ax.set_ylabel(counted)
        else:
            _nothing(ax, f"{what}:\nno consecutive pointer moves")
    planned = ev.column("planned_t_ms").to_numpy(zero_copy_only=False)
    err = (t - planned)[~np.isnan(planned)]
    if len(err):  # one late event (a page load) put the rest into a single bar: the tail is one bin, its share said
        _clipped_hist(axes[2], err, DISPATCH_SHOWN_MS, 60, "#17bebb",
                      f"dispatch error actual-planned (p99 {np.percentile(err, 99):.1f} ms)", "ms")
        axes[2].set_ylabel("events")
    else:
        _nothing(axes[2], "no dispatch timing: nothing was sent live\n(offline, imported or augmented data)")
    if len(dt) or len(err):
        plots.append(figure(fig, "pointer timing"))
    else:  # a typing-only dataset had a figure of three panels saying "nothing"
        plt.close(fig)
        plots.append("<p>No consecutive pointer moves and nothing sent live: no pointer timing to plot.</p>")

    logs = keystroke_logs(ev.filter(pc.is_in(ev.column("type"), pa.array(["key_down", "key_up"]))), {},
                          unreleased_ms=None)
    if logs:
        holds, ikis = [], []
        for ks in logs.values():
            held = ks.release_ms - ks.press_ms
            holds += held[np.isfinite(held)].tolist()
            ikis += np.diff(ks.press_ms).tolist()
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
        for ax, values, clip, bins, color, what, counted in (
                (axes[0], holds, 300, 60, "#29335c", "key hold", "keys"),
                (axes[1], ikis, 1000, 80, "#e4572e", "press-to-press interval", "intervals")):
            if values:
                _clipped_hist(ax, values, clip, bins, color, f"{what} (ms), median {np.median(values):.0f}", "ms")
                ax.set_ylabel(counted)
            else:  # one key in a session has no interval (and a press without its release no hold)
                _nothing(ax, f"{what}:\nnone in this dataset")
        plots.append(figure(fig, "typing timing"))
    else:
        plots.append("<p>No key presses in this dataset: no typing timing to plot.</p>")
    return plots


def _ratio(st: dict, part: str, whole: str) -> str | None:
    return f"{st[part]} / {st[whole]}" if part in st and whole in st else None


DRIVER_MEANING = {
    "browser": "generated live in Chromium", "desktop": "generated live on an X desktop app",
    "offline": "generated without an app, targets from a layout snapshot",
    "recorder": "a person recorded in Chromium", "desktop-recorder": "a person's X input recorded",
    "import": "recorded data converted from another format", "augment": "generated by hcisim augment from recordings",
    "replay": "a recorded session replayed on a build",
}
"""What each manifest driver says of where the data came from (a recording's report said "browser (Chromium),
desktop (X) or offline (no app)")."""


def _source(src: dict) -> str | None:
    """The manifest's ``source`` in a few words: an import's format and folder, an augmentation's dataset."""
    if "format" in src and "name" in src:
        return f"{src['format']} files from {src['name']}"
    if "dataset" in src:
        return f"{src['dataset']} x{src.get('factor', '?')}, people {src.get('people', '?')}"
    return None


def _terms(source: dict, profiles: dict) -> str | None:
    """The licence or credit of the recorded data the dataset comes from (an import, an augmentation) or its
    profiles were fitted on (the Aalto licence of the default typing profile)."""
    return " ".join(dataset_terms(source, profiles).values()) or None


def _summary(s) -> str:
    """What the run was and whether the app received what was intended, each figure with its meaning."""
    st = s.stats or {}
    prof = s.profiles or {}
    ratio = _ratio(st, "sessions_completed", "sessions_requested")
    rows = [
        ("scenario", s.scenario, "the script that was run"),
        ("driver", s.driver, DRIVER_MEANING.get(s.driver, "")),
        ("source", _source(s.source or {}), "what the data was made from"),
        ("seed", s.seed, "the same seed gives the same content and motion" + (
            "" if s.driver in ("offline", "augment") else " as planned; a live app's timing is its own")),
        ("sessions", ratio or s.sessions, "completed / requested" if ratio else "sessions in the dataset"),
        ("people", s.people or None, "distinct people the sessions belong to"),
        *((f"{k} profile", f"{v.get('id', '?')} ({str(v.get('sha256', ''))[:12]})", PROFILE_ROLE.get(k, ""))
          for k, v in prof.items() if isinstance(v, dict)),
        ("terms", _terms(s.source or {}, prof), "the recorded data behind this one is under these terms"),
        ("presses on target", _ratio(st, "clicks_on_target", "clicks_checked"),
         "intended presses the app received on the intended element"),
        ("texts exact", _ratio(st, "texts_exact", "texts_checked"),
         "typed fields that ended with exactly the intended text"),
        ("dispatch error p50 / p99 / max", " / ".join(f"{st[k]:.2f}" for k in DISPATCH) + " ms"
         if all(k in st for k in DISPATCH) else None, "how late events were sent against their planned time"),
    ]
    body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td><td>{html.escape(m)}</td></tr>"
                   for k, v, m in rows if v is not None)
    full = json.dumps({"scenario": s.scenario, "driver": s.driver, "seed": s.seed, "profiles": s.profiles,
                       "stats": s.stats}, indent=1)
    return (f"<table class='summary'>{body}</table>"
            f"<details><summary>manifest (run parameters and all statistics)</summary><pre>{html.escape(full)}</pre>"
            "</details>")


def _clipped_hist(ax, values, top: float, bins: int, color: str, title: str, unit: str) -> None:
    """A histogram whose last bin holds everything above ``top`` (said in the axis label)."""
    v = np.asarray(values, float)
    ax.hist(np.clip(v, min(0.0, float(np.nanmin(v))), top), bins=bins, color=color)  # an early event stays below 0
    over = float(np.mean(v > top)) if len(v) else 0.0
    ax.set(title=title, xlabel=f"{unit} (last bin: over {top:g}, {over:.1%})" if over > 0 else unit)


STYLE = (".grid{display:flex;flex-wrap:wrap}.grid img{width:440px}pre{background:#f4f4f4;padding:1em}"
         ".summary td,.summary th{border:none;text-align:left;padding:2px 1em 2px 0}.summary td:last-child{color:#666}")


def _outcomes(actions: pa.Table) -> str:
    """How every action of every session ended, by kind: the misses and failures a listing cut short hides."""
    counts = actions.group_by(["kind", "outcome"]).aggregate([("action_id", "count")]).to_pylist()
    outcomes = sorted({c["outcome"] for c in counts}, key=lambda o: (o != "ok", o is None, o or ""))
    by_kind: dict[str, dict] = {}
    for c in counts:
        by_kind.setdefault(c["kind"], {})[c["outcome"]] = c["action_id_count"]
    rows = [[kind, *(n.get(o, 0) for o in outcomes), sum(n.values())] for kind, n in sorted(by_kind.items())]
    return table(rows, ["kind", *(o or "no outcome" for o in outcomes), "all"])


def _actions(actions: pa.Table) -> str:
    """The outcomes of all actions, then the actions of whole sessions, as many as fit in MAX_ACTION_ROWS rows (the
    first session always, however long): a listing cut mid-session showed a session's start without its end."""
    per = Counter(actions.column("session_id").to_pylist())  # (sessions in the order they first appear)
    shown, rows = [], 0
    for sid in per:
        if shown and rows + per[sid] > MAX_ACTION_ROWS:
            break
        shown.append(sid)
        rows += per[sid]
    kept = actions.filter(pc.is_in(actions.column("session_id"), pa.array(shown, actions.column("session_id").type)))
    listing = [[a["session_id"], a["action_id"], a["parent_id"], a["kind"], round(a["t_start_ms"]),
                round(a["t_end_ms"]), a["step"] or "", a["outcome"] or ""] for a in kept.to_pylist()]
    cut = (f"<p>The actions of the first {len(shown)} of {len(per)} sessions ({rows} of {actions.num_rows}; the "
           f"dataset's actions table holds them all).</p>" if len(shown) < len(per) else "")
    return ("<p>Outcomes of all actions, by kind:</p>" + _outcomes(actions) + cut
            + table(listing, ["session", "id", "parent", "kind", "start ms", "end ms", "step", "outcome"]))


def render(root: Path) -> str:
    ds = read_dataset(root)
    s = summarize(ds)
    parts = [
        f"<p>{html.escape(str(root))}: {s.sessions} session(s), {s.events} events, "
        f"{s.actions} actions, {s.frames} frames.</p>",
        _summary(s),
    ]
    events, plotted = _plotted_events(ds)
    parts.append("<h2>Timing and motion</h2>")
    if len(plotted) < s.sessions:
        parts.append(f"<p>From the first {len(plotted)} of {s.sessions} sessions ({events.num_rows:,} of {s.events:,} "
                     f"events): the event files in order while they hold at most {PLOTTED_EVENTS:,}.</p>")
    parts += _timing_plots(events)
    parts += _paths_section(ds, events, plotted)
    parts.append("<h2>Actions (ground truth)</h2>" + (_actions(ds.actions) if ds.actions.num_rows else
                 "<p>None: this dataset holds input events but no actions.</p>"))
    return "\n".join(parts)


def write_report(root: Path, out: Path | None = None) -> Path:
    """Write the report (default DATASET/report.html). A dataset that is not one, then an ``--out`` that may not be
    replaced, are said before the plots are drawn, not after."""
    read_dataset(root)
    out = Path(out) if out else Path(root) / "report.html"
    check_file_out(out, replaces=REPORT)
    return write_page(out, "hcisim dataset report", render(Path(root)), STYLE)
