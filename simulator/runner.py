"""Run a scenario for many sessions and write one dataset.

Session ``k`` depends only on (seed, k): its RNG stream is
``rng.session_seed(seed, k)``, so the output is the same whether sessions run
in one process or several. The pool only decides where a session runs; the
writer always adds sessions in index order.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from simulator.agreement import Agreement
from simulator.dataset import DatasetWriter, check_out
from simulator.dataset.manifest import MANIFEST_NAME
from simulator.engines.local import LocalEngine, WorkerDied
from simulator.engines.sharded import run_sharded
from simulator import stop
from simulator.errors import HcisimError
from simulator.scenario import Scenario
from simulator.sessions import RunConfig, RunResult, SessionResult, SessionRunner


_WORKER: SessionRunner | None = None


def _worker_init(cfg: RunConfig) -> None:
    global _WORKER
    _WORKER = SessionRunner(cfg)


def _worker_run(k: int) -> SessionResult:
    assert _WORKER is not None
    return _WORKER.run_session(k)


def _results(cfg: RunConfig, runner: SessionRunner | None) -> Iterator[SessionResult]:
    """The sessions in order: here, or on the local engine's workers (each with its own driver, made once; a
    `kill` of hcisim ends them and their browsers too, `simulator.children.die_with_parent`)."""
    if cfg.workers <= 1 or cfg.sessions <= 1:
        for k in range(cfg.sessions):
            yield runner.run_session(k)
        return
    engine = LocalEngine(min(cfg.workers, cfg.sessions), initializer=_worker_init, initargs=(cfg,))
    try:
        yield from engine.in_order(_worker_run, ((k,) for k in range(cfg.sessions)))
    except WorkerDied as exc:
        raise HcisimError(f"a worker process died ({exc}; killed, or out of memory)") from None
    finally:
        engine.close()


def timing_stats(errors: list[np.ndarray]) -> dict[str, float]:
    e = np.concatenate(errors) if errors else np.zeros(0)
    if not len(e):
        return {}
    return {"dispatch_error_ms_p50": round(float(np.percentile(e, 50)), 3),
            "dispatch_error_ms_p99": round(float(np.percentile(e, 99)), 3),
            "dispatch_error_ms_max": round(float(e.max()), 3), "dispatched_events": int(len(e))}


_APPLIES = {"url": ("browser",), "app_version": ("browser",), "headed": ("browser",), "save_layout": ("browser",),
            "screenshots": ("browser", "desktop"), "periodic_ms": ("browser", "desktop"), "layout": ("offline",),
            "shard_size": ("offline",), "address": ("offline",)}
"""Options that only some drivers use, by RunConfig field: given to another driver they are refused, not ignored
(an offline run with --save-layout wrote no file and said nothing)."""


NOT_ASKING = {"screenshots": "none"}
"""Values that ask nothing of a driver, fine for every driver (a script passing --screenshots none everywhere)."""
MAX_SESSIONS = 1_000_000
"""Sessions in one dataset at most: its manifest lists each, and a run plans all its shards first."""


def _check_options(cfg: RunConfig) -> None:
    flag = lambda f: "--" + f.replace("_", "-")  # noqa: E731
    defaults = RunConfig(scenario="")
    given = [f for f, drivers in _APPLIES.items()
             if cfg.driver not in drivers and getattr(cfg, f) not in (getattr(defaults, f), NOT_ASKING.get(f))]
    if given:
        detail = "; ".join(f"{flag(f)} is for {' and '.join(_APPLIES[f])} runs" for f in given)
        raise HcisimError(f"{', '.join(map(flag, given))}: not used by --driver {cfg.driver} ({detail})")
    if cfg.address and cfg.engine != "ray":
        raise HcisimError("--address names a Ray cluster: add --engine ray")
    # periodic frames are taken every --periodic-ms only: either alone asked for screenshots and a run took none
    if cfg.screenshots == "periodic" and not cfg.periodic_ms > 0:
        raise HcisimError("--screenshots periodic: give --periodic-ms N, how often to take one while the person is "
                          "idle (without it no screenshot is taken)")
    if cfg.screenshots == "none" and cfg.periodic_ms > 0:
        raise HcisimError(f"--periodic-ms {cfg.periodic_ms:g} with --screenshots none: no screenshot is taken "
                          f"(--screenshots periodic takes only these, actions these and each action's)")
    if cfg.app_version not in ("v1", "v2"):
        raise HcisimError(f"--app-version {cfg.app_version!r}: the bundled web app has builds v1 and v2")


def run(cfg: RunConfig, progress: Callable[[int, int], None] | None = None,
        scenario_obj: Scenario | None = None) -> RunResult:
    """Generate ``cfg.sessions`` sessions into ``cfg.out``; completed sessions survive a failing one.

    ``scenario_obj`` runs a scenario made in code (an agent loop) instead of a
    named script; it cannot be sent to worker processes.
    """
    if cfg.sessions < 1:
        raise HcisimError("--sessions must be at least 1")
    if cfg.sessions > MAX_SESSIONS:  # (10^12 planned its shards for minutes in silence, then ran out of memory)
        raise HcisimError(f"--sessions {cfg.sessions}: at most {MAX_SESSIONS:,} in one dataset (its manifest lists "
                          f"every session); make more datasets, each with its own seed")
    if cfg.seed < 0:  # (a negative seed failed in every shard and was retried as bad luck)
        raise HcisimError(f"--seed {cfg.seed}: seeds are 0 or more")
    if not 0 < cfg.session_timeout_s < math.inf:  # NaN fails too
        raise HcisimError(f"--session-timeout {cfg.session_timeout_s:g}: a session's time limit is a number of "
                          f"seconds more than 0")
    _check_options(cfg)
    if scenario_obj is not None and cfg.workers > 1:
        raise HcisimError("a scenario made in code runs in one process: use --workers 1")
    if cfg.driver == "offline" and scenario_obj is None:
        if cfg.shard_size < 1:
            raise HcisimError("--shard-size must be at least 1")
        return run_sharded(cfg, progress)
    if cfg.save_layout and cfg.workers > 1 and cfg.sessions > 1:
        raise HcisimError("--save-layout records what one browser located: use --workers 1")
    check_out(cfg.out, cfg.overwrite)  # before a browser or an X app starts: a bad --out is said at once
    runner = SessionRunner(cfg, scenario_obj)
    manifest = runner.manifest()
    errors: list[np.ndarray] = []
    agreement = Agreement()
    final_states: dict[str, Any] = {}
    epochs: dict[str, float] = {}
    n_events = n_actions = done = 0
    failure: HcisimError | None = None
    interrupted = completed = False
    # a dataset --overwrite would replace stays whole unless the run completes (a partial one replaced it)
    replacing = cfg.overwrite and (Path(cfg.out) / MANIFEST_NAME).is_file()
    try:
        with DatasetWriter(cfg.out, manifest, overwrite=cfg.overwrite) as writer:
            try:
                for res in _results(cfg, runner if cfg.workers <= 1 else None):
                    writer.add_session(res.session_id, **res.tables)
                    for rel, png in res.pngs:
                        writer.add_file(rel, png)
                    errors.append(res.timing_error_ms)
                    for name, value in vars(res.agreement).items():
                        setattr(agreement, name, getattr(agreement, name) + value)
                    if res.epoch0_ms is not None:
                        epochs[res.session_id] = round(res.epoch0_ms, 3)
                    if res.final_state is not None:
                        final_states[res.session_id] = res.final_state
                    n_events += res.tables["events"].num_rows
                    n_actions += res.tables["actions"].num_rows
                    done += 1
                    if progress:
                        progress(done, cfg.sessions)
            except (KeyboardInterrupt, Exception) as exc:
                # Ctrl-C or `kill` during a live run: the sessions done so far are kept (a terminal's Ctrl-C also
                # stops the browser, whose call in flight may fail first: simulator.stop)
                if not (isinstance(exc, KeyboardInterrupt) or stop.requested()):
                    if not isinstance(exc, HcisimError) or done == 0:
                        raise
                    if replacing:
                        raise HcisimError(f"{exc} (the earlier dataset in {cfg.out} is kept)") from None
                    failure = exc
                elif done == 0 or replacing:
                    stop.keep_note(f"no session had finished: nothing written to {cfg.out}" if done == 0 else
                                   f"stopped before the run was complete: the earlier dataset in {cfg.out} is kept, "
                                   f"not replaced by {done} of {cfg.sessions} session(s)")
                    raise KeyboardInterrupt from None
                else:
                    interrupted = True
            manifest.stats = timing_stats(errors) | {"sessions_completed": done, "sessions_requested": cfg.sessions}
            if runner.driver.live:
                manifest.stats |= agreement.stats() | {"session_start_epoch_ms": epochs}
            if agreement.problems:
                writer.add_file("agreement_problems.txt", ("\n".join(agreement.problems) + "\n").encode())
            if final_states:
                writer.add_file("final_state.json", (json.dumps(final_states, indent=1, sort_keys=True) + "\n").encode())
        completed = failure is None and not interrupted
    finally:
        try:
            runner.close(save_layout=completed)
        except Exception:
            if not stop.requested():  # closing a browser the terminal's Ctrl-C already stopped
                raise
    if interrupted:
        stop.keep_note(f"{done} completed session(s) kept in {cfg.out}")
        raise KeyboardInterrupt
    if failure is not None:
        raise HcisimError(f"{failure} ({done} completed session(s) kept in {cfg.out})")
    return RunResult(cfg.out, done, n_events, n_actions, manifest.stats)
