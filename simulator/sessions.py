"""One session of a run: the run's configuration, the session runner that holds a driver, the tables it writes.

Split from `simulator.runner` (which schedules sessions: in process, in worker processes, or sharded by
`simulator.engines.sharded`) so that the engines can use a session runner without importing the scheduler.
"""

from __future__ import annotations

import contextlib
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pyarrow as pa

from simulator.dataset import Manifest
from simulator.agreement import Agreement, check as check_agreement
from simulator.dataset.schema import ACTIONS, EVENTS, FRAMES
from simulator.dataset.storage import sha256_file
from simulator.content import DEFAULT_LOCALE, check_locale
from simulator.errors import HcisimError
from simulator.models import DirectModels, Models
from simulator.rng import session_seed
from simulator.scenario import SCENARIO_DIR, Actor, Recorded, Scenario, ScriptCallError, load_scenario
from simulator.timelimit import DEFAULT_SESSION_TIMEOUT_S, time_limit

DRIVERS = ("browser", "desktop", "offline")
LAYOUT_DIR = Path(__file__).resolve().parent.parent / "scenarios" / "layouts"


def default_layout(scenario_name: str) -> Path:
    """The layout snapshot a bundled scenario's offline runs use when no --layout is given."""
    return LAYOUT_DIR / f"{scenario_name}.json"


@dataclass
class RunConfig:
    scenario: str
    driver: str = "offline"
    sessions: int = 1
    seed: int = 0
    out: Path = Path("out/dataset")
    workers: int = 1
    mouse_profile: str = "sapimouse"
    typing_profile: str = "aalto"
    url: str | None = None
    app_version: str = "v1"
    headed: bool = False
    storage: str = "parquet"
    screenshots: str = "actions"
    periodic_ms: float = 0.0
    layout: Path | None = None
    save_layout: Path | None = None
    overwrite: bool = False
    engine: str = "local"
    """Offline runs: ``local`` (process pool) or ``ray``."""
    address: str | None = None
    """Ray cluster address (default: start a local Ray for the run)."""
    shard_size: int = 100
    record_to: Path | None = None
    """Browser, one session: also record it as a person's session would be (for replay tests and audits)."""
    direct_input: bool = False
    """Straight, instant pointer moves and fixed-rhythm typing, as automation does (no fitted models)."""
    keyboard: str | None = None
    """Keyboard layout typed on (`simulator.typing.layout.LAYOUTS`); None: the typing profile's."""
    locale: str = DEFAULT_LOCALE
    """Faker locale of the content people type and pick (names, addresses, text)."""
    viewport: tuple[int, int] = (1280, 800)
    """Browser: the page's size in CSS px (offline runs take their layout snapshot's; the desktop, Xvfb's screen)."""
    session_timeout_s: float = DEFAULT_SESSION_TIMEOUT_S
    """Wall time a session may take before the run ends with an error (a script that loops or waits for ever)."""
    command: list[str] = field(default_factory=lambda: list(sys.argv))


@dataclass
class SessionResult:
    session_id: str
    tables: dict[str, pa.Table]
    pngs: list[tuple[str, bytes]]
    timing_error_ms: np.ndarray
    agreement: Agreement
    final_state: Any = None
    epoch0_ms: float | None = None


@dataclass
class RunResult:
    out: Path
    sessions: int
    events: int
    actions: int
    stats: dict[str, Any]


def session_id(k: int, sessions: int) -> str:
    """``s00042``: wide enough for every session of the run, so ids sort as sessions do (a million sessions
    would otherwise put s100000 before s99999)."""
    return f"s{k:0{max(5, len(str(sessions - 1)))}d}"


def events_table(rec: Recorded, sid: str, live: bool) -> tuple[pa.Table, np.ndarray]:
    """The session's events in time order, with planned times next to actual ones for live runs."""
    if not rec.events:
        return EVENTS.empty_table(), np.zeros(0)
    plans, actuals, aids = zip(*rec.events)
    cols = {c: np.concatenate([getattr(p, c) for p in plans]) for c in ("t_ms", "type", "x", "y", "button", "key",
                                                                        "code", "dx", "dy")}
    action_id = np.concatenate([np.full(len(p), a, dtype=np.int64) for p, a in zip(plans, aids)])
    planned = cols["t_ms"]
    t = np.concatenate(actuals) if live else planned
    if live:  # moves a live driver coalesced away were never sent: they are not events
        sent = ~np.isnan(t)
        cols = {c: v[sent] for c, v in cols.items()}
        action_id, planned, t = action_id[sent], planned[sent], t[sent]
    order = np.argsort(t, kind="stable")
    types = cols["type"][order]
    device = np.array(["keyboard" if ty.startswith("key") else ("wheel" if ty == "wheel" else "mouse")
                       for ty in types], dtype=object)
    n = len(order)
    table = pa.table({
        "session_id": pa.array([sid] * n, pa.string()), "seq": pa.array(np.arange(n, dtype=np.int64)),
        "t_ms": pa.array(t[order]), "device": pa.array(device, pa.string()), "type": pa.array(types, pa.string()),
        "x": pa.array(cols["x"][order], from_pandas=True), "y": pa.array(cols["y"][order], from_pandas=True),
        "button": pa.array(cols["button"][order], pa.string()), "key": pa.array(cols["key"][order], pa.string()),
        "code": pa.array(cols["code"][order], pa.string()),
        "dx": pa.array(cols["dx"][order], from_pandas=True), "dy": pa.array(cols["dy"][order], from_pandas=True),
        "action_id": pa.array(action_id[order]),
        "planned_t_ms": pa.array(planned[order] if live else np.full(n, np.nan), from_pandas=True),
    })
    return table, (t - planned) if live else np.zeros(0)


class SessionRunner:
    """Holds one driver (and app server) and runs sessions with it."""

    def __init__(self, cfg: RunConfig, scenario: Scenario | None = None) -> None:
        self.cfg = cfg
        self.scenario: Scenario = scenario or load_scenario(cfg.scenario)
        check_locale(cfg.locale)
        self.models = (DirectModels(keyboard=cfg.keyboard) if cfg.direct_input
                       else Models(cfg.mouse_profile, cfg.typing_profile, keyboard=cfg.keyboard))
        layout = self.models.keyboard
        if cfg.driver == "desktop" and layout != "qwerty-us":
            # pyautogui presses keys through Xvfb's US keymap: a German z would reach the app as the US z key
            # while the ground truth says KeyY
            raise HcisimError(f"this run types on a {layout} keyboard: the desktop driver "
                              "presses keys of a US keyboard only (use --driver browser or offline)")
        self._stack = contextlib.ExitStack()
        self.layout_recorder = None
        self.layout_path: Path | None = None
        try:
            self.base_url = self._start_app()
            self.driver = self._make_driver()
        except BaseException:
            self._stack.close()
            raise

    def _start_app(self) -> str:
        app, driver = self.scenario.app, self.cfg.driver
        if app == "desktop" and driver == "browser":  # (the browser went to http://app.invalid/ and said so)
            raise HcisimError(f"scenario {self.scenario.name} drives the desktop app: run it with --driver desktop")
        if app == "web" and driver == "desktop":  # (the Tk form was searched for the web page's labels)
            raise HcisimError(f"scenario {self.scenario.name} drives the bundled web app: run it with --driver browser "
                              f"(or offline)")
        if self.cfg.url:
            return self.cfg.url
        if self.scenario.app == "web" and self.cfg.driver == "browser":
            from scenarios.apps.web.server import serve

            server = self._stack.enter_context(serve(self.cfg.app_version))
            return server.url
        if self.scenario.app is None and self.cfg.driver != "offline":
            raise HcisimError(f"scenario {self.scenario.name} needs --url (it has no bundled app)")
        return "http://app.invalid"

    def _make_driver(self):
        cfg = self.cfg
        if cfg.driver == "browser":
            from simulator.drivers.browser import BrowserDriver, refuse_unreachable
            from simulator.drivers.offline import LayoutRecorder

            refuse_unreachable(self.base_url)
            if cfg.save_layout:
                self.layout_recorder = LayoutRecorder(cfg.viewport, base=urlsplit(self.base_url).path.rstrip("/"))
            if cfg.record_to is not None:
                from replay.record import RecordingDriver

                if cfg.sessions != 1:
                    raise HcisimError("recording a generated run needs --sessions 1")
                driver = RecordingDriver(cfg.record_to, headless=not cfg.headed, viewport=cfg.viewport,
                                         layout_recorder=self.layout_recorder)
                self._stack.callback(driver.finish)
                return driver
            driver = BrowserDriver(headless=not cfg.headed, layout_recorder=self.layout_recorder,
                                   viewport=cfg.viewport)
            self._stack.callback(driver.close)
            return driver
        if cfg.driver == "desktop":
            from simulator.drivers.desktop import DesktopDriver

            driver = DesktopDriver(self.scenario, self._stack)
            return driver
        if cfg.driver == "offline":
            from simulator.drivers.offline import OfflineDriver, load_layout

            if cfg.layout is None and self.scenario.app == "desktop":
                raise HcisimError(f"scenario {self.scenario.name} drives the desktop app: run it with --driver desktop "
                                  f"(offline runs replay a browser page's layout snapshot)")
            if cfg.layout is None and self.scenario.path.resolve().parent != SCENARIO_DIR:
                lay = self.scenario.path.with_suffix(".layout.json").name
                raise HcisimError(f"an offline run of your own scenario needs --layout: run it once live "
                                  f"(--driver browser --url YOUR_APP --save-layout {lay}), then with --layout {lay}")
            self.layout_path = Path(cfg.layout or default_layout(self.scenario.name))
            layout = load_layout(self.layout_path)
            # the pages are where the live run's --url put them (http://host/app: /app/signup.html): START and
            # s.goto join that path offline too (START = "signup.html" went to a page the snapshot does not have)
            self.base_url += layout.get("base", "")
            return OfflineDriver(layout)
        raise HcisimError(f"unknown driver {cfg.driver!r}: use one of {', '.join(DRIVERS)}")

    def inputs(self) -> dict[str, Any]:
        """The files this runner generates from, by content: a scenario script, layout or profile edited under
        the same name is another input (a resumed run must not mix shards of both)."""
        return {"scenario": sha256_file(self.scenario.path),
                "layout": sha256_file(self.layout_path) if self.layout_path else None,
                "profiles": self.models.provenance()}

    def manifest(self, **more: Any) -> Manifest:
        """The run's manifest as far as its configuration, driver and models say (the in-process and the
        sharded engine both start from it)."""
        cfg, d = self.cfg, self.driver
        size = {"width": d.viewport[0], "height": d.viewport[1]}
        return Manifest(driver=cfg.driver, coordinate_space=d.coordinate_space, seed=cfg.seed,
                        scenario=self.scenario.name, command=cfg.command, profiles=self.models.provenance(),
                        viewport=size, screen=size if d.coordinate_space == "screen_px" else None,
                        device={"name": d.device},
                        storage=cfg.storage, source=self.provenance(), **more)

    def provenance(self) -> dict[str, Any]:
        """What besides the seed and profiles the data was made from, by content (two runs of scripts that
        differ in one line had the same manifest): the script, the layout snapshot of an offline run."""
        inputs = self.inputs()
        src = {"content_locale": self.cfg.locale, "script": self.scenario.path.name,
               "script_sha256": inputs["scenario"]}
        if self.layout_path:
            src |= {"layout": self.layout_path.name, "layout_sha256": inputs["layout"]}
        return src

    def run_session(self, k: int) -> SessionResult:
        sid = session_id(k, self.cfg.sessions)
        self.driver.start_session(sid)
        actor = Actor(self.driver, self.models, session_seed(self.cfg.seed, k), sid, base_url=self.base_url,
                      screenshots=self.cfg.screenshots if self.driver.live else "none",
                      periodic_ms=self.cfg.periodic_ms, locale=self.cfg.locale)
        try:
            with time_limit(self.cfg.session_timeout_s):
                actor.open(self.scenario.start)
                self.scenario.run(actor)
                final_state = getattr(self.driver, "app_state", lambda: None)()
        except HcisimError as exc:  # with the script's line where the script made the call that failed (or looped)
            found = _script_line(exc, self.scenario.path)
            where = f" ({found[0]})" if found else ""
            # a ScriptCallError comes before its step began: the step it would have been
            step = actor._step + 1 if isinstance(exc, ScriptCallError) else actor._step
            raise HcisimError(f"session {sid}, step {step}: {exc}{where}") from None
        except SystemExit as exc:  # ended hcisim with the script's code and no word, its shards left behind
            when = f"step {actor._step}" if actor._step else "before its first step"
            raise HcisimError(f"session {sid}, {when}: the scenario called sys.exit({exc.code!r})") from None
        except Exception as exc:
            found = _script_line(exc, self.scenario.path)
            # raised by the script's own code, or -- offline, where nothing is luck -- inside hcisim by how the
            # script called it (s.wait("100"), a string for a locator): the same on every retry and seed, so said
            # once with its line (it was tried three times, then said as "shard 0 failed" without either)
            if found is None or (self.driver.live and not found[1]):
                raise  # from a driver or the browser: may be bad luck, the shard is tried again
            where, raised_there = found
            when = (f"{'after ' if raised_there else ''}step {actor._step}" if actor._step
                    else "before its first step")
            line = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            raise HcisimError(f"session {sid}, {when}: the scenario raised {line} ({where})") from None
        finally:
            received = self.driver.end_session()
        events, err = events_table(actor.rec, sid, self.driver.live)
        actions = pa.Table.from_pylist(actor.rec.actions, schema=ACTIONS)
        tables = {"events": events, "actions": actions,
                  "frames": pa.Table.from_pylist(actor.rec.frames, schema=FRAMES) if actor.rec.frames else None,
                  "received": received}
        return SessionResult(sid, {k: v for k, v in tables.items() if v is not None}, actor.rec.pngs, err,
                             check_agreement(actions, received, events), final_state,
                             getattr(self.driver, "epoch0_ms", None))

    def close(self, *, save_layout: bool = False) -> None:
        """Stop the driver; ``save_layout`` (a run that completed): write what was located to --save-layout. A run
        that failed part way saves nothing: its snapshot would lack the pages after the failure and replace a
        whole one."""
        if save_layout and self.layout_recorder is not None and self.cfg.save_layout:
            self.layout_recorder.save(Path(self.cfg.save_layout))
        self._stack.close()


def _script_line(exc: BaseException, script: Path) -> tuple[str, bool] | None:
    """``name.py, line N`` of the innermost frame of ``exc`` in the scenario script (the call that failed), and
    whether that frame is where ``exc`` was raised (the script's own code); None when no frame is the script's."""
    here = Path(script).resolve()
    frames = traceback.extract_tb(exc.__traceback__)
    for k in range(len(frames) - 1, -1, -1):
        if Path(frames[k].filename).resolve() == here:
            return f"{Path(script).name}, line {frames[k].lineno}", k == len(frames) - 1
    return None
