"""The local engine: shards on worker processes that this engine starts, tracks and stops itself.

Why not `concurrent.futures.ProcessPoolExecutor`: a run must stop its workers at once (a `kill` of hcisim reaches
its process only, and a full disk makes every shard in flight fail the same way), and the executor has no public
way to do that before Python 3.14; reaching into its private ``_processes`` broke with any change to it. Stopping
"every child process" instead would end processes a library user started beside the run. Here each worker is a
`multiprocessing.Process` with a pipe of its own: the engine knows which process holds which task, notices a
worker that died (killed, out of memory) through its sentinel, and terminates exactly its own workers.

Where a task runs never changes what it returns (a shard depends on (seed, k) only), so the output is the same
for any number of workers.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import Any, Callable, Iterable, Iterator

from simulator.children import die_with_parent

STOP_WAIT_S = 5.0
"""How long a worker asked to stop (or terminated) may take before it is killed."""


class WorkerDied(Exception):
    """The worker process running a task ended without answering (killed, out of memory)."""


@dataclass(eq=False)
class Task:
    """One submitted call: done once its worker answered (``value`` or ``error``) or died."""

    fn: Callable[..., Any]
    args: tuple[Any, ...]
    done: bool = False
    value: Any = None
    error: BaseException | None = None


@dataclass(eq=False)
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    task: Task | None = field(default=None)


def _serve(conn: Connection, initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    """A worker's loop: run ``initializer(*initargs)`` once (a worker's own state: a driver, a job), then each
    ``(fn, args)`` received, answer ``(True, value)`` or ``(False, error)``; stop at ``None`` or when the engine's
    end of the pipe closes. A failed initializer is every task's answer (no browser: the run says so once)."""
    die_with_parent()
    failed: Exception | None = None
    if initializer is not None:
        try:
            initializer(*initargs)
        except Exception as exc:
            failed = exc
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        fn, args = job
        try:
            if failed is not None:
                raise failed
            answer = (True, fn(*args))
        except Exception as exc:  # (a KeyboardInterrupt or SystemExit ends the worker: the engine sees it die)
            answer = (False, exc)
        try:
            conn.send(answer)
        except Exception as exc:  # an error (or value) that cannot be pickled: its words still reach the engine
            conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


class LocalEngine:
    """Run calls on ``workers`` processes started here, each one call at a time; queue the rest. Each worker first
    runs ``initializer(*initargs)``, once."""

    def __init__(self, workers: int, initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = ()) -> None:
        ctx = multiprocessing.get_context()
        self._workers: list[_Worker] = []
        self._queue: deque[Task] = deque()
        try:
            for _ in range(max(1, workers)):
                mine, theirs = ctx.Pipe()
                process = ctx.Process(target=_serve, args=(theirs, initializer, initargs), name="hcisim-worker")
                process.start()
                theirs.close()
                self._workers.append(_Worker(process, mine))
        except BaseException:
            self.abort()
            raise

    def submit(self, fn: Callable[..., Any], *args: Any) -> Task:
        task = Task(fn, args)
        self._queue.append(task)
        self._dispatch()
        return task

    def _dispatch(self) -> None:
        for w in self._workers:
            if w.task is None and self._queue:
                w.task = self._queue.popleft()
                try:
                    w.conn.send((w.task.fn, w.task.args))
                except OSError:  # it died while idle: its sentinel says so in wait_any, and the task fails there
                    pass

    def wait_any(self, tasks: list[Task]) -> set[Task]:
        """Block until at least one of ``tasks`` is done; return those that are."""
        while not (done := {t for t in tasks if t.done}):
            busy = [w for w in self._workers if w.task is not None]
            if not busy:
                raise RuntimeError("waiting for tasks this engine does not hold")
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
            for w in busy:
                if w.conn in ready or w.process.sentinel in ready:
                    self._collect(w)
            self._dispatch()
        return done

    def _collect(self, w: _Worker) -> None:
        """Take ``w``'s answer, or note that it died without one."""
        task, w.task = w.task, None
        assert task is not None
        task.done = True
        try:
            ok, payload = w.conn.recv() if w.conn.poll() else (False, None)
        except (EOFError, OSError):
            ok, payload = False, None
        except Exception as exc:  # an answer that cannot be unpickled here
            ok, payload = False, RuntimeError(f"the worker's answer could not be read: {exc}")
        if ok:
            task.value = payload
        else:
            task.error = payload if payload is not None else WorkerDied(
                f"worker process {w.process.pid} ended ({_how(w.process)})")

    def in_order(self, fn: Callable[..., Any], calls: Iterable[tuple[Any, ...]]) -> Iterator[Any]:
        """``fn(*args)`` for each ``args`` of ``calls``, made on the workers and yielded in the calls' order (the
        output's bytes do not depend on which worker was quicker); two calls per worker are submitted ahead, so
        the results waiting for an earlier one stay few however many calls there are."""
        ahead: deque[Task] = deque()
        left = iter(calls)
        while True:
            while len(ahead) < 2 * len(self._workers) and (args := next(left, None)) is not None:
                ahead.append(self.submit(fn, *args))
            if not ahead:
                return
            self.wait_any([ahead[0]])
            yield self.result(ahead.popleft())

    @staticmethod
    def result(task: Task) -> Any:
        if task.error is not None:
            raise task.error
        return task.value

    def abort(self) -> None:
        """Stop every worker now (SIGTERM, then SIGKILL for one that lingers), whatever it was doing: a `kill` of
        hcisim reaches its own process only, and waiting for the shards in flight took minutes at the default
        shard size (for ever in a script that loops), so a supervisor's SIGKILL came first."""
        self._queue.clear()
        for w in self._workers:
            if w.process.is_alive():
                w.process.terminate()
        self._reap()

    def close(self) -> None:
        """Let idle workers finish, stop busy ones (their tasks are abandoned), and wait for all of them."""
        self._queue.clear()
        for w in self._workers:
            if w.task is not None:
                w.process.terminate()
            else:
                try:
                    w.conn.send(None)
                except OSError:  # it is gone already
                    pass
        self._reap()

    def _reap(self) -> None:
        for w in self._workers:
            w.process.join(STOP_WAIT_S)
            if w.process.is_alive():
                w.process.kill()
                w.process.join()
            w.conn.close()
            w.task = None
        self._workers = []


def _how(process: multiprocessing.process.BaseProcess) -> str:
    """How a process ended, in words: 'killed by signal 9', 'exit code 1'."""
    process.join(STOP_WAIT_S)
    code = process.exitcode
    return f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
