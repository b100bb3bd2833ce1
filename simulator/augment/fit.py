"""Per-person mouse and typing profiles fitted from a dataset's tasks.

The models' own fitting functions do the work (`simulator.mouse.fit.fit_movements`,
`simulator.typing.fit.fit_records`); here the *people* of the dataset (manifest ``people``) are
the profiles' users, and the profiles are serialised without dates, so the same dataset gives the
same profile bytes and the augmented dataset can name them by sha256.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from simulator.engines.local import LocalEngine, WorkerDied
from simulator.errors import HcisimError
from simulator.mouse.fit import MIN_MOVES, fit_movements
from simulator.mouse.profile import MouseProfile
from simulator.progress import Progress, Steps
from simulator.readers.common import Movements
from simulator.threads import numeric_worker
from simulator.typing.realism import CRITIC_STEPS
from simulator.typing.records import Keystrokes

MIN_TYPING_RECORDS = 3
MIN_KEYSTROKES = 2
"""Keystrokes a text needs to be fitted on (one has no interval)."""
TYPING_FIT_STEPS = 4 + CRITIC_STEPS
"""Progress steps of `fit_typing`: the model's four, then the critic's."""


def mouse_people(mv: Movements) -> tuple[list[str], list[str]]:
    """(the people a mouse profile is fitted on: at least `MIN_MOVES` movements, the people left out)."""
    users, counts = np.unique(mv.user.astype(str), return_counts=True)
    return users[counts >= MIN_MOVES].tolist(), users[counts < MIN_MOVES].tolist()


def typing_texts(records: list[Keystrokes]) -> list[Keystrokes]:
    """The texts a typing profile is fitted on: at least `MIN_KEYSTROKES` keystrokes, no withheld character."""
    return [r for r in records if len(r) >= MIN_KEYSTROKES and not r.withheld]


@dataclass
class Fitted:
    """A fitted profile, the exact bytes it is stored as, and their sha256."""

    kind: str
    profile: object
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def users(self) -> list[str]:
        p = self.profile
        return list(p.alpha) if isinstance(p, MouseProfile) else list(p.user_params)


def fit_mouse(mv: Movements, profile_id: str, meta: dict, seed: int = 0,
              progress: Progress = None) -> Fitted:
    """A mouse profile whose users are the people of the cut movements ``mv`` (people with < 5 movements
    are left out)."""
    if len(mv) == 0:
        raise HcisimError("the dataset has no pointing movements (runs of moves ending in a left press, "
                          ">= 4 samples, >= 20 px) to fit a mouse profile on")
    fitted, left_out = mouse_people(mv)
    if not fitted:
        most = int(np.unique(mv.user.astype(str), return_counts=True)[1].max())
        raise HcisimError(f"too few pointing movements per person to fit a mouse profile "
                          f"(need >= {MIN_MOVES} for someone; most: {most})")
    prof = fit_movements(mv, profile_id, meta, progress, seed=seed)
    prof.meta["people_left_out"] = left_out
    data = json.dumps(prof.to_json(), indent=1, sort_keys=True).encode()
    prof.sha256 = hashlib.sha256(data).hexdigest()
    return Fitted("mouse", prof, data)


def fit_typing(records: list[Keystrokes], profile_id: str, meta: dict, progress: Progress = None) -> Fitted:
    """A typing profile that keeps every person of the records as a typist."""
    from simulator.typing.fit import fit_records, recorded_layout
    from simulator.typing.profile import Population, TypingProfile
    from simulator.typing.realism import fit_typing_critic

    withheld = sum(r.withheld for r in records)
    records = typing_texts(records)
    if len(records) < MIN_TYPING_RECORDS:
        left_out = (f"; {withheld} more had their characters withheld (a password field, or `record --desktop` "
                    f"without --keep-text)" if withheld else "")
        raise HcisimError(f"too little typing to fit a typing profile ({len(records)} segments with "
                          f"{MIN_KEYSTROKES}+ keystrokes{left_out}; need {MIN_TYPING_RECORDS})")
    step = Steps(TYPING_FIT_STEPS, progress)
    layout, layout_from = recorded_layout(records)
    res = fit_records(records, layout, progress=lambda done, _total: step.at(done))
    theta = np.stack(list(res.users.values()))
    prof = TypingProfile(id=profile_id, sha256="", layout=layout.name, mean=res.mean, cov=res.cov, shared=res.shared,
                         population=Population.from_typists(theta), user_params=dict(res.users),
                         metadata={**meta, "typists": len(res.users), "texts": len(records),
                                   "per_typist_params": True, "layout_from": layout_from},
                         stats=res.stats)
    fit_typing_critic(prof, records, tick=step)
    data = json.dumps(prof.to_json(), indent=1).encode()
    prof.sha256 = hashlib.sha256(data).hexdigest()
    return Fitted("typing", prof, data)


class FitFailed(Exception):
    """A fit of ``kind`` ("mouse" or "typing") refused its data: ``error`` says why."""

    def __init__(self, kind: str, error: HcisimError) -> None:
        super().__init__(str(error))
        self.kind, self.error = kind, error


class _Abandoned(Exception):
    """The fit running here is given up: the other one, on the worker, failed."""


Job = Callable[..., Fitted]
"""A fit waiting for its ``progress=`` callback: a `functools.partial` of `fit_mouse` or `fit_typing` (picklable,
so it can run on a worker process)."""


def fit_side_by_side(jobs: dict[str, Job], progress: dict[str, Progress], workers: int = 1) -> dict[str, Fitted]:
    """Each job's Fitted profile, by kind. With ``workers`` >= 2 and two jobs, the first runs on a worker process
    while the second runs here: the two fits share nothing, each is seeded, and each holds one BLAS thread, so
    the bytes are those of one after the other (augmenting 400 offline checkout sessions spent about 58 % of its
    time fitting typing and 42 % fitting the mouse, one after the other). A refused fit raises `FitFailed`, the
    first of ``jobs``' order that failed, as fitting one after the other would."""
    kinds = list(jobs)
    if workers < 2 or len(kinds) < 2:
        out = {}
        for kind in kinds:
            try:
                out[kind] = jobs[kind](progress=progress.get(kind))
            except HcisimError as e:
                raise FitFailed(kind, e) from None
        return out
    there, here = kinds
    news = multiprocessing.get_context().Queue()
    failed = threading.Event()

    def relay() -> None:  # the worker's progress reports, and whether its fit ended in an error
        while (item := news.get()) is not None:
            if item == "failed":
                failed.set()
            elif progress.get(there):
                progress[there](*item)

    def watched(done: int, total: int) -> None:
        if failed.is_set():
            raise _Abandoned
        if progress.get(here):
            progress[here](done, total)

    engine = LocalEngine(1, initializer=_worker_start, initargs=(news,))
    listener = threading.Thread(target=relay, name="hcisim-fit-progress", daemon=True)
    listener.start()
    try:
        task = engine.submit(_fit_on_worker, jobs[there])
        try:
            mine = jobs[here](progress=watched)
        except HcisimError as e:
            if not failed.is_set():  # (the worker's refusal, when there is one, is said first, as in order)
                raise FitFailed(here, e) from None
        except _Abandoned:
            pass
        engine.wait_any([task])
        try:
            theirs = engine.result(task)
        except HcisimError as e:
            raise FitFailed(there, e) from None
        except WorkerDied:
            raise HcisimError(f"the worker process fitting the {there} profile died (out of memory? try "
                              f"--workers 1)") from None
        return {there: theirs, here: mine}
    finally:
        engine.close()  # (stops the worker if it is still fitting: an error here, Ctrl-C)
        news.put(None)
        listener.join()


_NEWS = None


def _worker_start(news) -> None:
    """The fitting worker's set-up: its channel for progress, Ctrl-C left to the parent and one BLAS thread
    (`simulator.threads.numeric_worker`)."""
    global _NEWS
    numeric_worker()
    _NEWS = news


def _fit_on_worker(job: Job) -> Fitted:
    assert _NEWS is not None
    try:
        return job(progress=lambda done, total: _NEWS.put((done, total)))
    except BaseException:
        _NEWS.put("failed")
        raise
