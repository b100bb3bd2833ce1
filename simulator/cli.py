"""The `hcisim` command: parse arguments, call one function, print the result.

No logic lives here. Every user mistake arrives as `HcisimError` and leaves
as one line on stderr with exit code 2, as do usage errors and what the system
refuses (an `OSError`: a full disk, no permission; running out of memory);
everything else is a bug and keeps its traceback (`run_entry_point`).
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import signal
import sys
import time
from dataclasses import asdict
from enum import Enum
from pathlib import Path
from typing import Annotated, Callable, NoReturn, Optional

import click
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from simulator import __version__
from simulator.errors import HcisimError
from simulator.timelimit import DEFAULT_SESSION_TIMEOUT_S

SECTIONS = {
    "Generate data": ("scenarios", "run", "demo", "report", "validate", "inspect"),
    "Models fitted on recorded people": ("fit", "synth-moves", "synth-typing"),
    "Record, replay, test agents and capture stacks": ("record", "replay", "export", "demo-app", "locate",
                                                        "agent-run", "compare", "audit"),
    "Augment scarce recordings and prove it": ("import", "augment", "fidelity"),
}


class _WholeSentences(TyperGroup):
    """A group's --help gives each command's first sentence whole, wrapped (click cuts it at 45 characters:
    `hcisim fit --help` read "Fit a mouse-motion profile (motor + device layer) and write a...")."""

    def sections(self, ctx: click.Context) -> list[tuple[str, tuple[str, ...]]]:
        return [("Commands", tuple(self.list_commands(ctx)))]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        for title, group in self.sections(ctx):
            rows = [(n, self.commands[n].get_short_help_str(200)) for n in group if n in self.commands
                    and not self.commands[n].hidden]
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


class _Sections(_WholeSentences):
    """``hcisim --help`` lists the commands by workflow rather than in the order they are defined."""

    def sections(self, ctx: click.Context) -> list[tuple[str, tuple[str, ...]]]:
        placed = {n for group in SECTIONS.values() for n in group}
        return [*SECTIONS.items(), ("Other", tuple(n for n in self.list_commands(ctx) if n not in placed))]


app = typer.Typer(
    cls=_Sections,
    name="hcisim",
    help=(
        "Generate realistic human computer-use data (mouse, keyboard, screenshots) by driving real apps "
        "with motion and typing models fitted on recorded people; check, replay and audit such data."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
fit_app = typer.Typer(cls=_WholeSentences, help="Fit a model profile from recorded human data.", no_args_is_help=True)
app.add_typer(fit_app, name="fit")

# No markup: what is printed holds locators such as role=button[name="Confirm"], which rich would
# read as a style tag and drop. Styles are given as arguments instead.
out = Console(markup=False, soft_wrap=True)  # a long path stays one line for scripts reading stdout
err = Console(stderr=True, markup=False, soft_wrap=True)


def _candidates(item: str, default: int, speedup: str):
    """The --candidates option of a synth command (measured speed-ups: docs/mouse.md, docs/typing.md)."""
    return Annotated[int | None, typer.Option(
        min=1, help=f"Draws of each {item} the profile's realism critic chooses among (default: the profile's, "
                    f"{default} in the shipped ones; at most 256). 1 skips the critic: {speedup} faster, less realistic.")]


MovementCandidates = _candidates("movement", 32, "~60x")
TextCandidates = _candidates("text", 16, "~20x")
SynthWorkers = Annotated[int, typer.Option(
    min=1, help="Processes making chunks side by side (500 pairs or 250 texts each); the output's bytes are the "
                "same for any number.")]
Overwrite = Annotated[bool, typer.Option(help="Replace --out if it exists.")]


def _viewport(text: str | None, driver: str) -> dict:
    """``--viewport WxH`` as RunConfig's ``viewport``: browser runs only (offline runs take their layout
    snapshot's size, the desktop its X screen's)."""
    if text is None:
        return {}
    if driver != "browser":
        raise HcisimError("--viewport applies to browser runs (an offline run has its layout snapshot's size, "
                          "a desktop run the X screen's)")
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise HcisimError(f"--viewport {text!r}: expected WIDTHxHEIGHT in px, e.g. 1920x1080") from None
    if not (240 <= w <= 7680 and 240 <= h <= 4320):
        raise HcisimError(f"--viewport {text!r}: width 240-7680 and height 240-4320 px")
    return {"viewport": (w, h)}


_LOCALE_HELP = "Faker locale of what people type and pick (names, addresses, text), e.g. de_DE, fr_FR."


def _layout_help(what: str) -> str:
    from simulator.typing.layout import LAYOUTS

    return f"Keyboard layout {what}: {', '.join(LAYOUTS)}."


def _progress():
    """A progress bar on stderr that stays quiet when stderr is not a terminal."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=err, transient=True, disable=not err.is_terminal)


def _beside(dataset: Path, suffix: str) -> Path:
    """The default output of a command on ``dataset``: a sibling named after it ("." resolved first)."""
    source = dataset.resolve()
    if not source.name:
        raise HcisimError(f"{dataset}: not a dataset; name one, or an --out")
    return source.with_name(source.name + suffix)


def _note(text: str) -> None:
    err.print(f"note: {text}", highlight=False)


PLAIN_PROGRESS_S = 10.0


class _PlainProgress:
    """Progress as plain lines where there is no terminal for a bar (a CI log showed nothing until the end):
    once work has run PLAIN_PROGRESS_S, a line at most that often and one when it is done. Short work, and a
    mistake found at once, print nothing but their result."""

    def __init__(self, description: str) -> None:
        self.description = description
        self.last_t = time.monotonic()
        self.said: int | None = None

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        finished = bool(total) and done >= total
        if now - self.last_t >= PLAIN_PROGRESS_S or (finished and self.said is not None and done != self.said):
            err.print(f"{self.description}: {done}/{total}", highlight=False)
            self.last_t, self.said = now, done


def _with_progress(description: str, fn, *args, **kwargs):
    if not err.is_terminal:
        return fn(*args, progress=_PlainProgress(description), **kwargs)
    with _progress() as bar:
        task = bar.add_task(description, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return fn(*args, progress=report, **kwargs)


# -- dataset commands -----------------------------------------------------

@app.command()
def version() -> None:
    """Print hcisim's version and the dataset format version it writes."""
    from simulator.dataset import FORMAT_VERSION

    out.print(f"hcisim {__version__} (dataset format {FORMAT_VERSION})")


def _version_option(asked: bool) -> None:
    if asked:
        version()
        raise typer.Exit()


@app.callback()
def _options(_version: Annotated[bool, typer.Option("--version", is_eager=True, callback=_version_option,
                                                    help="Print the version and exit (as `hcisim version`).")]
             = False) -> None:
    """(Options before the command.)"""


@app.command()
def validate(dataset: Annotated[Path, typer.Argument(help="Dataset directory to check.")]) -> None:
    """Check a dataset: schema, checksums, monotonic time, action ids, boxes. Exit 1 on any problem."""
    from simulator.dataset import validate_dataset

    problems = validate_dataset(dataset)
    for p in problems:
        print(f"invalid: {p}", file=sys.stderr)
    if problems:
        raise typer.Exit(1)
    _sweep_finished_run(dataset)
    out.print(f"{dataset}: valid", highlight=False)


def _sweep_finished_run(dataset: Path) -> None:
    """A valid dataset an offline run made: remove the staging folder and lock that run left beside it if it was
    killed just after publishing (see `sweep_finished`)."""
    from simulator.atomic import output_path
    from simulator.dataset.manifest import Manifest

    where = output_path(dataset).resolve()
    key = Manifest.load(where).stats.get("config_key")
    left = [where.parent / f".{where.name}.shards{end}" for end in ("", ".lock")]  # (staging_dir, lock_path)
    if isinstance(key, str) and any(p.exists() for p in left):  # (only then: sharded is slow to import)
        from simulator.engines.sharded import sweep_finished

        sweep_finished(where, key)


@app.command()
def inspect(
    dataset: Annotated[Path, typer.Argument(help="Dataset directory.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Summarise a dataset: sessions, events per type, durations, actions."""
    from simulator.dataset import read_dataset, summarize

    s = summarize(read_dataset(dataset))
    if as_json:
        print(json.dumps(asdict(s), indent=2))
        return
    out.print(Text.assemble((str(s.root), "bold"), f"  driver={s.driver} scenario={s.scenario} seed={s.seed} "
                                                   f"storage={s.storage} coords={s.coordinate_space}"),
              highlight=False)
    out.print(f"{s.sessions} session(s), {s.events} events, {s.actions} actions, {s.frames} frames")
    if s.duration_ms:
        d = s.duration_ms
        out.print(f"session duration: mean {d['mean'] / 1000:.1f} s, min {d['min'] / 1000:.1f} s, "
                  f"max {d['max'] / 1000:.1f} s")
    for title, counts in (("events by type", s.events_by_type), ("actions by kind", s.actions_by_kind)):
        if counts:
            t = Table(title=title, title_justify="left")
            t.add_column("value")
            t.add_column("count", justify="right")
            for k, v in counts.items():
                t.add_row(k, str(v))
            out.print(t)
    for name, p in s.profiles.items():
        out.print(f"profile {name}: {p.get('id')} ({str(p.get('sha256', ''))[:12]})", highlight=False)
    for k, v in s.stats.items():
        out.print(f"{k}: {v}", highlight=False)


# -- models ---------------------------------------------------------------

class MouseFormat(str, Enum):
    sapimouse = "sapimouse"
    balabit = "balabit"
    hcisim = "hcisim"


class TypingFormat(str, Enum):
    aalto = "aalto"
    pynput = "pynput"
    hcisim = "hcisim"


@fit_app.command("mouse")
def fit_mouse(
    data: Annotated[Path, typer.Option(help="Recorded data: a folder or file.")],
    format: Annotated[MouseFormat, typer.Option("--format", help="Format of the recorded data.")],
    out_path: Annotated[Path, typer.Option("--out", help="Profile file to write (.json).")],
) -> None:
    """Fit a mouse-motion profile (motor + device layer) and write a fit report beside it."""
    from simulator import mouse

    path = _with_progress("fitting mouse", mouse.fit_profile, data, format.value, out_path, note=_note)
    _fitted(path)


@fit_app.command("typing")
def fit_typing(
    data: Annotated[Path, typer.Option(help="Recorded data: a folder or file.")],
    format: Annotated[TypingFormat, typer.Option("--format", help="Format of the recorded data.")],
    out_path: Annotated[Path, typer.Option("--out", help="Profile file to write (.json).")],
    keyboard: Annotated[Optional[str], typer.Option(
        help=_layout_help("the recorded people typed on (default: read from the key codes recorded, else US)"))]
    = None,
) -> None:
    """Fit a typing profile (timing, errors, per-typist) and write a fit report beside it."""
    from simulator import typing as typing_model

    path = _with_progress("fitting typing", typing_model.fit_profile, data, format.value, out_path, layout=keyboard,
                          note=_note)
    _fitted(path)


def _fitted(profile: Path) -> None:
    """Name the profile and the fit report written beside it (the report was written without a word of where)."""
    out.print(f"profile written to {profile}\nfit report: {profile.with_suffix('.html')}  (open it in a browser)",
              highlight=False)


@app.command("synth-moves")
def synth_moves(
    pairs: Annotated[Path, typer.Option(help="CSV with pair_id,x0,y0,x1,y1[,width,height][,user].")],
    out_path: Annotated[Path, typer.Option("--out", help="Parquet file to write.")],
    profile: Annotated[str, typer.Option(help="Shipped profile name or a profile file.")] = "sapimouse",
    seed: Annotated[int, typer.Option(min=0, help="Random seed; same seed, same bytes.")] = 0,
    candidates: MovementCandidates = None,
    device: Annotated[Optional[str], typer.Option(
        help="Capture device for every movement: usb125 (125 Hz USB mouse), raf60 (60 Hz browser), sapimouse or "
             "balabit (those data sets' typical capture). Default: each synthetic person's own, as fitted.")] = None,
    workers: SynthWorkers = 1,
) -> None:
    """Synthesise one pointing movement per (start, end) pair."""
    from simulator import mouse

    rows = _with_progress("synthesising movements", mouse.synth_moves_file, pairs, out_path, profile=profile, seed=seed,
                           candidates=candidates, device=device, workers=workers)
    out.print(f"{rows} samples written to {out_path}", highlight=False)


@app.command("synth-typing")
def synth_typing(
    texts: Annotated[Path, typer.Option(help="CSV with text_id,text[,user] (user: a typist of the profile, e.g. "
                                             "freetext's 01; aalto keeps no typists, only its population).")],
    out_path: Annotated[Path, typer.Option("--out", help="Parquet file to write.")],
    profile: Annotated[str, typer.Option(help="Shipped profile name or a profile file.")] = "aalto",
    seed: Annotated[int, typer.Option(min=0, help="Random seed; same seed, same bytes.")] = 0,
    candidates: TextCandidates = None,
    keyboard: Annotated[Optional[str], typer.Option(
        help=_layout_help("to type on (default: the profile's); timing follows each key's place"))] = None,
    skill: Annotated[Optional[float], typer.Option(
        help="Speed of the new typists (texts without a user) as a population z-score, -2.5 to 2.5: "
             "+1 is one SD faster, with the holds, errors and pauses that go with that speed in the data.")] = None,
    uncorrected: Annotated[bool, typer.Option(
        "--uncorrected-errors/--no-uncorrected-errors",
        help="Leave the share of typos people leave (default), or correct every one so the events type exactly "
             "each text (form filling).")] = True,
    workers: SynthWorkers = 1,
) -> None:
    """Synthesise key events typing each text."""
    from simulator import typing as typing_model

    rows = _with_progress("typing texts", typing_model.synth_typing_file, texts, out_path, profile=profile, seed=seed,
                           candidates=candidates, layout=keyboard, skill=skill, uncorrected_errors=uncorrected,
                           workers=workers)
    out.print(f"{rows} key events written to {out_path}", highlight=False)


# -- import and augment (issue 12; logic in simulator/augment/) ----------------------------

@app.command("import")
def import_(
    src: Annotated[Path, typer.Argument(help="The recorded data: a folder or one file.")],
    format: Annotated[str, typer.Option("--format", help="sapimouse, balabit, aalto or pynput.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Dataset directory to write.")],
    sessions: Annotated[Optional[str], typer.Option(help="Only sessions whose id or path matches this glob.")]
    = None,
    overwrite: Overwrite = False,
) -> None:
    """Convert a shared data set's format into an hcisim dataset: every event, one session per recording."""
    from simulator.augment import import_dataset
    from simulator.augment.convert import check_format

    check_format(format)  # before the progress bar, so a typo is one clean line
    m = _with_progress(f"importing {format}", import_dataset, format, src, out_dir, sessions=sessions,
                       command=["hcisim", *sys.argv[1:]], overwrite=overwrite)
    out.print(f"{len(m.sessions)} session(s) of {len(set(m.people.values()))} people written to {out_dir}",
              highlight=False)
    if sessions is None:  # (with --sessions, leaving files out is what was asked)
        from simulator.readers.common import say_unread
        say_unread(src, format, _note)


@app.command()
def augment(
    dataset: Annotated[Path, typer.Argument(help="A dataset: recorded, imported or generated.")],
    factor: Annotated[int, typer.Option(help="Sessions generated per recorded session.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Dataset directory to write.")],
    people: Annotated[str, typer.Option(help="same: as each recorded person; new: new people from their "
                                             "population.")] = "same",
    seed: Annotated[int, typer.Option(min=0, help="Random seed; same seed, same bytes.")] = 0,
    modality: Annotated[str, typer.Option(help="all, mouse or typing: what to fit and generate.")] = "all",
    workers: Annotated[int, typer.Option(help="Processes: the mouse and typing profiles are fitted side by side, "
                                              "the sessions made in chunks (the same bytes).")] = 1,
    overwrite: Overwrite = False,
) -> None:
    """Fit the dataset's people and generate FACTOR x as many sessions with the same task structure."""
    from simulator.augment import augment_dataset
    from simulator.augment.generate import check_options

    check_options(factor, people, modality, workers)
    m = _with_progress("augmenting", augment_dataset, dataset, out_dir, factor=factor, people=people, seed=seed,
                       modality=modality, command=["hcisim", *sys.argv[1:]], overwrite=overwrite, workers=workers)
    out.print(f"{len(m.sessions)} session(s) written to {out_dir} (people: {people}, profiles: "
              f"{', '.join(m.profiles) or 'none'})", highlight=False)
    for kind, g in (m.stats.get("privacy_guard") or {}).items():
        if isinstance(g, dict) and g.get("dropped"):  # a faithful generator has none dropped (docs/augment.md)
            most = 2 * g["dropped"] > g["items"]  # a guard whose reference is a few sessions: say what to do
            _note(f"privacy guard: {g['dropped']} of {g['items']} {kind} item(s) stayed too close to a recorded one "
                  f"after every redraw and were left out ({g['redrawn']} redrawn)"
                  + ("; most of the output is missing: with this few recorded sessions the guard's reference "
                     "distances are wide -- record more people or sessions" if most else ""))
    for kind, q in (m.stats.get("identity_quota") or {}).items():
        if q.get("redrawn"):  # what it changed, and where it could not hold (docs/augment.md)
            _note(f"identity quota: {q['redrawn']} of {q['sessions']} new {kind} people redrawn so that no recorded "
                  f"person is named for more than {q['cap']} session(s) by any of {q['models']} identification models"
                  + (" (which must agree, clearly)" if q.get("margin") is not None else "")
                  + (f"; {q['over_cap']} kept over that after {q['rounds']} redraws" if q.get("over_cap") else "")
                  + (f" ({q['unclear']} not clearly named)" if q.get("unclear") else ""))
    left = m.stats.get("sessions_left_out") or {}
    if left:
        _note(f"{len(left)} session(s) left out: too little data to fit their person "
              f"({', '.join(sorted(set(left.values())))})")
    idle = m.stats.get("sessions_without_tasks") or []
    if idle:
        _note(f"{len(idle)} session(s) had nothing to generate (no pointing movement or typed segment"
              f"{'' if m.source.get('modality', 'all') == 'all' else ' of --modality ' + m.source['modality']}): "
              f"{', '.join(idle[:5])}{', ...' if len(idle) > 5 else ''}")


@app.command()
def fidelity(
    real: Annotated[Path, typer.Argument(help="The real dataset (held out from fitting).")],
    synth: Annotated[Path, typer.Argument(help="The synthetic dataset to judge.")],
    out_path: Annotated[Path, typer.Option("--out", help="HTML report to write.")],
    json_path: Annotated[Optional[Path], typer.Option("--json", help="Also write every number as JSON here.")]
    = None,
    fitting: Annotated[Optional[Path], typer.Option(help="The data SYNTH was fitted on (enables privacy).")] = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the subsampling, folds and bootstrap.")] = 0,
    fail_under: Annotated[Optional[list[str]], typer.Option(help="NAME=X: exit 1 when measure NAME is below X "
                                                                 "(e.g. coverage=0.85; repeatable).")] = None,
    fail_over: Annotated[Optional[list[str]], typer.Option(help="NAME=X: exit 1 when measure NAME is above X "
                                                                "(e.g. mouse.auc=0.7; repeatable).")] = None,
) -> None:
    """Fidelity, diversity, utility and privacy of SYNTH against REAL: an HTML report, thresholds to gate on."""
    from simulator.atomic import check_file_out
    from simulator.dataset import read_dataset
    from simulator.fidelity import (FIDELITY_JSON, check_thresholds, evaluate, parse_thresholds, write_json,
                                    write_report)
    from simulator.report.page import REPORT

    thresholds = parse_thresholds(fail_under, "under") + parse_thresholds(fail_over, "over")
    inputs = {"real dataset being read": real, "synthetic dataset being read": synth,
              **({"fitting data being read": fitting} if fitting else {})}
    for path in inputs.values():
        read_dataset(path)  # "/tmp: not a dataset" first, not "the report would be inside the dataset /tmp"
    check_file_out(out_path, inputs, replaces=REPORT)  # before the work, not after it
    if json_path is not None:
        check_file_out(json_path, {**inputs, "HTML report being written": out_path}, replaces=FIDELITY_JSON)
    result = _with_progress("measuring fidelity", evaluate, real, synth, fitting=fitting, seed=seed)
    html = write_report(result, out_path)
    if json_path is not None:
        write_json(result, json_path)
    t = Table(title="fidelity", title_justify="left")
    t.add_column("measure")
    t.add_column("value", justify="right")
    for name, v in result.metrics().items():
        if name.split(".", 1)[1] in ("auc", "coverage", "precision", "recall", "utility_tstr", "utility_trtr",
                                     "dcr_frac_below_p1", "mia_auc", "reid_top1_synth", "reid_top1_real",
                                     "reid_max_share_over_chance"):
            t.add_row(name, f"{v:.3f}")
    out.print(t)
    for note in result.notes + [n for r in result.modalities.values() for n in r.notes]:
        _note(note)
    out.print(f"report: {html}" + (f"\njson: {json_path}" if json_path else ""), highlight=False)
    problems = check_thresholds(result, thresholds)
    for p in problems:
        print(f"fidelity threshold failed: {p}", file=sys.stderr)
    if problems:
        raise typer.Exit(1)


# -- generation -------------------------------------------------------------

class Driver(str, Enum):
    browser = "browser"
    desktop = "desktop"
    offline = "offline"


class Storage(str, Enum):
    parquet = "parquet"
    jsonl = "jsonl"


class Engine(str, Enum):
    local = "local"
    ray = "ray"


class Shots(str, Enum):
    actions = "actions"
    periodic = "periodic"
    none = "none"


@app.command()
def scenarios(as_json: Annotated[bool, typer.Option("--json", help="One JSON object per scenario.")] = False) -> None:
    """List bundled scenarios, one per line: name, then a short description."""
    from simulator.scenario import list_scenarios

    for s in list_scenarios():
        if as_json:
            print(json.dumps({"name": s.name, "app": s.app, "description": s.description, "path": str(s.path)}))
        else:
            print(f"{s.name}\t{s.description}")


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="Bundled scenario name (see `hcisim scenarios`) or a .py path.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Dataset directory to write.")],
    driver: Annotated[Driver, typer.Option(help="browser (Chromium), desktop (X app) or offline (no app).")]
    = Driver.offline,
    sessions: Annotated[int, typer.Option(min=1, help="Number of sessions (at most 1,000,000).")] = 1,
    seed: Annotated[int, typer.Option(min=0, help="Run seed; session k depends on (seed, k) only.")] = 0,
    workers: Annotated[int, typer.Option(min=1, help="Parallel worker processes.")] = 1,
    profile: Annotated[str, typer.Option(help="Mouse profile (name or file).")] = "sapimouse",
    typing_profile: Annotated[str, typer.Option(help="Typing profile (name or file).")] = "aalto",
    keyboard: Annotated[Optional[str], typer.Option(help=_layout_help("typed on (default: the typing profile's)"))]
    = None,
    locale: Annotated[str, typer.Option(help=_LOCALE_HELP)] = "en_US",
    viewport: Annotated[Optional[str], typer.Option(
        help="Browser: page size WIDTHxHEIGHT in CSS px (default 1280x800), e.g. 1920x1080 or 390x844.")] = None,
    url: Annotated[Optional[str], typer.Option(help="Your own app's URL instead of the bundled demo.")] = None,
    app_version: Annotated[str, typer.Option(help="Bundled web app build: v1 or v2.")] = "v1",
    headed: Annotated[bool, typer.Option(help="Show the browser window (needs a display).")] = False,
    storage: Annotated[Storage, typer.Option(help="Table storage.")] = Storage.parquet,
    screenshots: Annotated[Shots, typer.Option(help="Screenshots before and after each action, only the periodic "
                                                    "ones of --periodic-ms, or none.")]
    = Shots.actions,
    periodic_ms: Annotated[float, typer.Option(
        min=0.0, help="Also a screenshot every N ms while the person is idle (0: off).")] = 0.0,
    layout: Annotated[Optional[Path], typer.Option(help="Layout snapshot for the offline driver.")] = None,
    save_layout: Annotated[Optional[Path], typer.Option(help="Browser: save what was located for offline runs.")]
    = None,
    overwrite: Overwrite = False,
    engine: Annotated[Optional[Engine], typer.Option(help="Offline runs: a local process pool (the default) or Ray.")] = None,
    address: Annotated[Optional[str], typer.Option(help="Ray cluster address (default: a local Ray).")] = None,
    shard_size: Annotated[int, typer.Option(min=1, help="Offline runs: sessions per shard (resumable unit).")] = 100,
    session_timeout: Annotated[float, typer.Option(
        help="Seconds a session may take before the run ends with an error (a script that loops or waits for "
             "ever).")] = DEFAULT_SESSION_TIMEOUT_S,
) -> None:
    """Play a scenario against a real app (or offline) and write a labelled dataset.

    Offline runs are written in shards: killed and started again with the same
    command, a run keeps its completed shards and redoes only the rest.
    """
    from simulator.runner import RunConfig, run as run_scenario

    cfg = RunConfig(scenario=scenario, driver=driver.value, sessions=sessions, seed=seed, out=out_dir,
                    workers=workers, mouse_profile=profile, typing_profile=typing_profile, url=url,
                    app_version=app_version, headed=headed, storage=storage.value, screenshots=screenshots.value,
                    periodic_ms=periodic_ms, layout=layout, save_layout=save_layout, overwrite=overwrite,
                    engine=(engine or Engine.local).value, address=address, shard_size=shard_size,
                    keyboard=keyboard, locale=locale, session_timeout_s=session_timeout,
                    **_viewport(viewport, driver.value))
    if engine is not None and driver != Driver.offline:
        raise HcisimError("--engine applies to offline runs (--driver offline)")
    res = _with_progress(f"{scenario} ({driver.value})", run_scenario, cfg)
    if res.stats.get("up_to_date"):
        out.print(f"{res.out} is up to date: made earlier by the same settings and inputs (--overwrite makes it "
                  f"again)", highlight=False)
    out.print(f"{res.sessions} session(s), {res.events} events, {res.actions} actions -> {res.out}", highlight=False)
    for k, v in res.stats.items():
        out.print(f"  {k}: {v}", highlight=False)


@app.command()
def report(
    dataset: Annotated[Path, typer.Argument(help="Dataset directory.")],
    out_path: Annotated[Optional[Path], typer.Option("--out", help="HTML file (default DATASET/report.html).")]
    = None,
) -> None:
    """Write an HTML report: trajectories over screenshots, timing and distribution plots."""
    from simulator.report.html import write_report

    path = write_report(dataset, out_path)
    out.print(f"report: {path}", highlight=False)


@app.command()
def demo(
    out_dir: Annotated[Path, typer.Option("--out", help="Where to write the demo dataset.")] = Path("out/demo"),
    driver: Annotated[Driver, typer.Option(help="browser or offline: the web checkout; desktop: the Tk app's "
                                                "form on X.")] = Driver.browser,
    overwrite: Annotated[bool, typer.Option(help="Replace another dataset at --out (an earlier demo's is "
                                                 "replaced without it).")] = False,
) -> None:
    """The main job end to end on the bundled default: run the default scenario, validate, report."""
    from simulator.dataset import validate_dataset
    from simulator.report.html import write_report
    from simulator.runner import RunConfig, run as run_scenario

    scenario = DEMO_SCENARIOS[driver.value]
    # `make demo` again replaces its own dataset; any other at --out only when asked (it replaced anything)
    cfg = RunConfig(scenario=scenario, driver=driver.value, sessions=1, seed=1, out=out_dir,
                    overwrite=overwrite or _earlier_demo(out_dir))
    res = _with_progress(f"{scenario} ({driver.value})", run_scenario, cfg)
    problems = validate_dataset(res.out)
    if problems:
        raise HcisimError(f"the demo dataset is invalid: {problems[0]}")
    html = write_report(res.out, None)
    out.print(f"dataset: {res.out}  ({res.sessions} session{'s' * (res.sessions != 1)}, {res.events} events, "
              f"{res.actions} actions)",
              highlight=False)
    for k, v in res.stats.items():
        out.print(f"  {k}: {v}", highlight=False)
    out.print(f"report:  {html}  (open it in a browser)", highlight=False)
    me = sys.argv[0] if Path(sys.argv[0]).name == "hcisim" else "hcisim"  # as invoked, from wherever
    out.print(f"look at it: {shlex.quote(me)} inspect {shlex.quote(str(res.out))}", highlight=False)


def _earlier_demo(path: Path) -> bool:
    """Whether ``path`` holds a dataset an earlier `hcisim demo` wrote (its command names demo)."""
    from simulator.dataset import Manifest

    try:
        m = Manifest.load(path)
    except (HcisimError, OSError):
        return False
    return "demo" in m.command[1:3] and m.scenario in DEMO_SCENARIOS.values()


# -- record and replay ----------------------------------------------------------

@app.command()
def record(
    out_dir: Annotated[Path, typer.Option("--out", help="Dataset directory to write.")],
    url: Annotated[Optional[str], typer.Option(help="Page to open (browser recording).")] = None,
    desktop: Annotated[bool, typer.Option("--desktop", help="Record X input on $DISPLAY instead of a browser.")]
    = False,
    headless: Annotated[bool, typer.Option(help="No window (for scripted use); default opens one on $DISPLAY.")]
    = False,
    sensitive: Annotated[Optional[list[str]], typer.Option(help="CSS selector of a field whose value must never "
                                                                 "be stored (repeatable).")] = None,
    duration: Annotated[Optional[float], typer.Option(min=0.0, help="Stop after this many seconds (0: no limit).")]
    = None,
    keep_text: Annotated[bool, typer.Option("--keep-text", help="With --desktop: store each key as typed, "
                                                                "passwords included (default: no typed character "
                                                                "is stored).")] = False,
) -> None:
    """Record a person's session in Chromium (or X input with --desktop); ends on Ctrl-C or when the browser closes."""
    if desktop:
        from replay.desktop_record import record_desktop

        given = [flag for flag, v in (("--url", url), ("--headless", headless), ("--sensitive", sensitive)) if v]
        if given:  # X input has no page: no field to mask, no page to open -- said, not ignored
            raise HcisimError(f"{', '.join(given)}: for browser recordings; --desktop stores no typed character "
                              f"(X does not say which field has focus) unless --keep-text")
        said = ("recording X input: every key as typed, passwords included (--keep-text; the recording is readable "
                "by you alone) -- type no real secrets" if keep_text else
                "recording X input: typed characters are withheld (stored as •; their timing, Backspace, Enter "
                "and shortcuts are kept; --keep-text stores them)")
        path = record_desktop(out_dir, duration, started=lambda: err.print(f"{said}. Press Ctrl-C to stop",
                                                                         highlight=False),
                              command=["hcisim", *sys.argv[1:]], keep_text=keep_text)
        out.print(f"recording saved to {path}", highlight=False)
        return
    if keep_text:
        raise HcisimError("--keep-text: for --desktop recordings; a browser recording keeps what is typed but in "
                          "password and --sensitive fields")
    if url is None:
        raise HcisimError("give --url URL to record a browser session (or --desktop)")
    from replay.record import record as record_session

    stop = f"it stops after {duration:g} s (Ctrl-C: sooner)" if duration else "press Ctrl-C to stop"
    started = f"recording... {stop}" if headless else f"recording... close the browser, or {stop}"
    path = record_session(url, out_dir, headless=headless, sensitive_selectors=sensitive or [], duration_s=duration,
                          started=lambda: err.print(started, highlight=False), command=["hcisim", *sys.argv[1:]])
    out.print(f"recording saved to {path}", highlight=False)


class Timing(str, Enum):
    original = "original"
    model = "model"
    fast = "fast"


@app.command()
def replay(
    dataset: Annotated[Path, typer.Argument(help="A recorded or generated dataset.")],
    url: Annotated[str, typer.Option(help="The app build to replay against.")],
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Replay dataset (default DATASET-replay).")]
    = None,
    timing: Annotated[Timing, typer.Option(help="Recorded timing, the mouse model's, or fast.")] = Timing.original,
    speed: Annotated[float, typer.Option(help="Speed factor for the recorded rhythm (typing, waits; pointer paths "
                                              "with --timing original); --timing fast ignores it.")] = 1.0,
    checkpoints: Annotated[Optional[Path], typer.Option(help="JSON list of extra checkpoints.")] = None,
    session: Annotated[Optional[str], typer.Option(help="Session id to replay (default: the first).")] = None,
    headed: Annotated[bool, typer.Option(help="Show the browser window.")] = False,
    overwrite: Overwrite = False,
) -> None:
    """Replay a session against a build; exit 0 only when every step and checkpoint passed."""
    from replay.report import print_summary, write_replay_report
    from replay.replayer import Replayer

    extra = None
    if checkpoints is not None:
        try:
            extra = json.loads(checkpoints.read_text())
        except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise HcisimError(f"{checkpoints}: cannot read checkpoints ({exc})") from None
    target = out_dir or _beside(dataset, "-replay")
    models = None
    if timing == Timing.model:
        from simulator.models import Models

        models = Models()
    replayer = Replayer(dataset, url, target, timing=timing.value, speed=speed, headless=not headed,
                        checkpoints=extra, models=models, overwrite=overwrite, command=["hcisim", *sys.argv[1:]],
                        session=session)
    if session is None and len(replayer.ds.sessions) > 1:
        _note(f"replaying session {replayer.sid}, the first of {len(replayer.ds.sessions)}; --session picks another")
    result = _with_progress("replaying", replayer.run)
    print_summary(result, out)
    html = write_replay_report(result)
    out.print(f"replay dataset: {result.out}\nreport: {html}", highlight=False)
    if not result.passed:
        raise typer.Exit(1)


@app.command()
def locate(
    targets: Annotated[list[str], typer.Option(
        help="Element descriptors recorded on the old build: a JSON-lines file, or a recording (dataset folder) "
             "whose targets are read from it. Repeat for more.")],
    candidates: Annotated[list[str], typer.Option(
        help="Every visible element of the new build's pages: a JSON-lines file, or a page's URL, read in "
             "Chromium. Repeat for more pages.")],
    out_path: Annotated[Path, typer.Option("--out", help="CSV to write: target_id,candidate_id,score.")],
    threshold: Annotated[Optional[float], typer.Option(help="Score below which a target is 'not found' "
                                                             "(default: the fitted one).")] = None,
) -> None:
    """Find each target element again among the candidates of its page (empty candidate_id: gone)."""
    from replay.locate.io import run as run_locate

    results = run_locate(targets, candidates, out_path, threshold)
    found = sum(r.candidate_id is not None for r in results)
    out.print(f"{found}/{len(results)} targets found; written {out_path}", highlight=False)


@app.command("demo-app")
def demo_app(
    version_: Annotated[str, typer.Option("--version", help="Build to serve: v1 or v2.")] = "v1",
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1 (0: any free port).")] = 0,
) -> None:
    """Serve the bundled demo web app on loopback until Ctrl-C."""
    import time

    from scenarios.apps.web.server import HOME, serve

    with serve(version_, port) as server:
        out.print(f"demo app {version_} at {server.url}{HOME}  (Ctrl-C to stop)", highlight=False)
        while True:
            time.sleep(3600)


class ExportFormat(str, Enum):
    playwright = "playwright"
    rrweb = "rrweb"


@app.command()
def export(
    dataset: Annotated[Path, typer.Argument(help="A recorded or generated dataset.")],
    to: Annotated[ExportFormat, typer.Option("--to", help="playwright (a Python script) or rrweb (JSON events).")],
    out_path: Annotated[Optional[Path], typer.Option(
        "--out", help="File to write (default: beside the dataset, DATASET.py or DATASET.rrweb.json).")] = None,
    session: Annotated[Optional[str], typer.Option(help="Session id (default: the first).")] = None,
    overwrite: Overwrite = False,
) -> None:
    """Export a session as a readable Playwright script or rrweb-compatible events."""
    from replay.export import export as export_session

    target = out_path or _beside(dataset, ".py" if to == ExportFormat.playwright else ".rrweb.json")
    out.print(f"written {export_session(dataset, to.value, target, session, overwrite)}", highlight=False)


# -- agents and audits -------------------------------------------------------------

@app.command("agent-run")
def agent_run(
    scenario: Annotated[str, typer.Option(help="Bundled scenario whose task the agent solves.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Dataset directory to write.")],
    agent: Annotated[Optional[str], typer.Option(help="Python agent as module:callable.")] = None,
    agent_cmd: Annotated[Optional[str], typer.Option(help="Agent program speaking JSON lines on stdin/stdout.")]
    = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed of the task's content (same as the reference run).")] = 0,
    locale: Annotated[str, typer.Option(help=_LOCALE_HELP + " Same as the reference run.")] = "en_US",
    keyboard: Annotated[Optional[str], typer.Option(help=_layout_help("typed on (default: the typing profile's)"))]
    = None,
    humanlike: Annotated[bool, typer.Option(help="Carry out the agent's actions with the fitted motion and "
                                                 "typing models (--no-humanlike: straight, instant input).")] = True,
    max_steps: Annotated[int, typer.Option(min=1, help="Give up after this many agent steps.")] = 60,
    overwrite: Overwrite = False,
) -> None:
    """Run an agent on a bundled task in Chromium and record its session as a dataset."""
    from replay.agents import CommandAgent, load_agent, run_agent

    if (agent is None) == (agent_cmd is None):
        raise HcisimError("give exactly one of --agent module:callable or --agent-cmd COMMAND")
    fn = load_agent(agent) if agent else CommandAgent(agent_cmd)
    res = _with_progress("agent", run_agent, fn, scenario, out_dir, seed=seed, humanlike=humanlike,
                         max_steps=max_steps, overwrite=overwrite, locale=locale, keyboard=keyboard)
    out.print(f"agent session: {res.events} events, {res.actions} actions -> {res.out}", highlight=False)


@app.command()
def compare(
    reference: Annotated[Path, typer.Argument(help="Reference dataset (recorded or generated).")],
    candidate: Annotated[Path, typer.Argument(help="Candidate dataset (an agent's run, a replay).")],
    out_path: Annotated[Optional[Path], typer.Option("--out", help="Also write an HTML report here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    session: Annotated[Optional[str], typer.Option(help="Reference session id (default: the first).")] = None,
    candidate_session: Annotated[Optional[str], typer.Option(help="Candidate session id (default: the first).")]
    = None,
) -> None:
    """Score how well a candidate session reproduces a reference session."""
    from replay.compare import compare as compare_sessions
    from simulator.dataset import read_dataset
    if out_path is not None:  # before any work or word: the scores were printed, then the --out refused
        from simulator.atomic import check_file_out
        from simulator.report.page import REPORT
        check_file_out(out_path, {"reference dataset being read": reference, "candidate dataset being read": candidate},
                       replaces=REPORT)

    both = [(what, read_dataset(path), sid) for what, path, sid in
            (("reference", reference, session), ("candidate", candidate, candidate_session))]
    for _, ds, sid in both:
        ds.session(sid)  # an unknown id is an error before anything is said
    for what, ds, sid in both:
        if sid is None and len(ds.sessions) > 1:
            _note(f"comparing the {what}'s first session, {ds.session()}, of {len(ds.sessions)} "
                  f"(--{'session' if what == 'reference' else 'candidate-session'} picks another)")
    scenarios = {(ds.manifest.scenario or "").removeprefix("agent-") or None for _, ds, _ in both}  # agent: its task
    if len(scenarios) > 1 and None not in scenarios:
        _note(f"the datasets come from different scenarios ({', '.join(sorted(scenarios))}): the scores "
              f"compare different tasks")
    result = compare_sessions(reference, candidate, ref_session=session, cand_session=candidate_session)
    if as_json:
        print(result.to_json())
    else:
        for k, v in json.loads(result.to_json()).items():
            if k != "task_success_note" or v is not None:
                out.print(f"{k}: {v}", highlight=False)
    if out_path is not None:
        from replay.compare_report import write_compare_report

        written = write_compare_report(reference, candidate, result, out_path, ref_session=session,
                                       cand_session=candidate_session)
        out.print(f"report: {written}", highlight=False)


class CaptureFormat(str, Enum):
    hcisim = "hcisim"
    jsonl = "jsonl"
    csv = "csv"
    xrecord = "xrecord"


@app.command()
def audit(
    truth: Annotated[Path, typer.Option(help="hcisim ground-truth dataset of the session.")],
    captured: Annotated[Path, typer.Option(help="The capture tool's log (file or dataset).")],
    format: Annotated[CaptureFormat, typer.Option("--format", help="Format of the captured log.")],
    max_missing: Annotated[float, typer.Option(help="Largest share of truth events allowed missing.")] = 0.01,
    max_coord_error: Annotated[float, typer.Option(help="Largest p99 coordinate error in px.")] = 2.0,
    max_clock_offset: Annotated[float, typer.Option(help="Largest clock offset in ms.")] = 50.0,
    max_extra: Annotated[float, typer.Option(help="Largest share of captured events matching no truth event.")]
    = 0.01,
    max_clock_jitter: Annotated[float, typer.Option(help="Largest SD of the capture clock's error in ms.")] = 10.0,
    max_key_errors: Annotated[int, typer.Option(help="Most keys allowed captured as another key.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    session: Annotated[Optional[str], typer.Option(help="The truth's session the log recorded (default: its first).")]
    = None,
) -> None:
    """Check a capture stack's log against the ground truth; exit 1 when a threshold is missed."""
    from replay.audit import Thresholds, audit as run_audit
    from simulator.dataset import read_dataset

    th = Thresholds(max_missing_rate=max_missing, max_coord_error_px=max_coord_error,
                    max_clock_offset_ms=max_clock_offset, max_extra_rate=max_extra,
                    max_clock_jitter_ms=max_clock_jitter, max_key_errors=max_key_errors)
    if session is None and len(sessions := read_dataset(truth).sessions) > 1:  # (the first was audited unsaid)
        print(f"note: {truth} holds {len(sessions)} sessions; auditing the log against {sessions[0]} "
              f"(--session picks another)", file=sys.stderr)
    result = run_audit(truth, captured, format.value, th, session=session)
    if as_json:
        print(result.to_json())
    else:
        t = Table(title="capture audit", title_justify="left")
        t.add_column("measure")
        t.add_column("value", justify="right")
        for k in ("truth_events", "captured_events", "matched", "missing", "extra", "coord_error_px_p99",
                  "clock_offset_ms", "clock_jitter_ms", "screenshots", "screenshot_interval_ms_p50"):
            v = getattr(result, k)
            t.add_row(k, "-" if v is None else (f"{v:.2f}" if isinstance(v, float) else str(v)))
        t.add_row("key errors", str(result.key_error_count))
        t.add_row("privacy leaks", str(len(result.leaks)))
        out.print(t)
        for f in result.failures:
            out.print(f"FAIL {f}", style="red", highlight=False)
        out.print("PASSED" if result.passed else "FAILED", style="green" if result.passed else "red")
    if not result.passed:
        raise typer.Exit(1)


DEMO_SCENARIOS = {"browser": "checkout_form", "offline": "checkout_form", "desktop": "desktop_form"}
"""What `hcisim demo` runs on each driver: the web checkout, or the Tk app's form on X."""


def _stop_on_signals() -> None:
    """Let `kill` (a CI timeout, a supervisor) stop a command as Ctrl-C does: the exception unwinds through the
    writers, which throw their temporary directories away, and a recorder saves what it has. Processes forked
    from this one (worker pools) keep the default: they die at once, and their parent cleans up. Both signals
    are remembered (`simulator.stop`): after a terminal's Ctrl-C the browser is gone too, and the call in
    flight may fail with Playwright's "target closed" before the KeyboardInterrupt arrives.

    pyarrow's own handler, which it swaps in around each CSV read to cancel the read, loses signals: 7 of 60 SIGTERMs
    sent to a loop of reads never reached Python (an import then ran to the end and exited 0). It is switched off;
    the signal is then handled when the read returns, a few milliseconds later."""
    import pyarrow

    from simulator import stop as stopping

    pyarrow.lib.enable_signal_handlers(False)
    parent = os.getpid()

    def stop(signum: int, frame: object) -> None:
        if os.getpid() != parent:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
        stopping.request(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


def main() -> None:
    from typer.exceptions import TyperException  # click's exceptions as typer vendors them

    def cli() -> int:
        try:
            return app(prog_name="hcisim", standalone_mode=False)  # usage errors come here, to be said in one line
        except TyperException as exc:              # unknown command or option, a bad or missing value
            msg, ctx = exc.format_message(), getattr(exc, "ctx", None)
            if "\n" in msg:                         # no arguments: the message is the command's help
                print(msg, file=sys.stderr)
            else:
                print(f"error: {msg}" + (f" (see {ctx.command_path} --help)" if ctx else ""), file=sys.stderr)
            return exc.exit_code
        except typer.Abort:
            raise KeyboardInterrupt from None

    run_entry_point(cli)


def run_entry_point(entry: Callable[[], int | None]) -> NoReturn:
    """Run a command-line entry point (this CLI's, or a benchmark script's ``main``) as hcisim's commands end: a
    mistake the user can fix, or a refusal by the system, is one ``error:`` line and exit 2; Ctrl-C or SIGTERM is
    one ``interrupted`` line and the shell's 130 / 143 -- never a traceback."""
    from simulator import stop as stopping

    _stop_on_signals()
    for stream in (sys.stdout, sys.stderr):  # a path hcisim cannot spell in the terminal's encoding is escaped:
        if hasattr(stream, "reconfigure"):    # PYTHONIOENCODING=ascii wrote the dataset, then a traceback
            stream.reconfigure(errors="backslashreplace")
    try:
        code = entry()
    except HcisimError as exc:
        print(f"error: {exc}", file=sys.stderr)
        code = 2
    except OSError as exc:  # what the system refused: a name too long, a full disk, no permission
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        code = 2
    except MemoryError:
        print("error: out of memory (a smaller input, or fewer --candidates)", file=sys.stderr)
        code = 2
    except KeyboardInterrupt:
        code = 130
    if code == 130:  # typer turns Ctrl-C (and, above, SIGTERM) inside a command into a silent exit 130
        print(stopping.message(), file=sys.stderr)
        code = stopping.exit_code()
    if stopping.requested():
        # Playwright's pending futures, failed when its driver died with the terminal's Ctrl-C, are logged as
        # "Future exception was never retrieved" when collected at exit: three lines after the one, or after
        # a command that ends normally on Ctrl-C (`record` saves what it has)
        logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
