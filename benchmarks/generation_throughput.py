"""Offline generation throughput: sessions/s and events/s on local and Ray, 1 and 2 workers.

Run: .venv/bin/python benchmarks/generation_throughput.py [--sessions 200] [--scenario checkout_form]
Prints each configuration's rate and its ratio to one local worker measured in the same run.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.runner import RunConfig, run  # noqa: E402


def measure(scenario: str, sessions: int, engine: str, workers: int, shard_size: int, root: Path):
    out = root / f"{engine}-{workers}"
    t0 = time.perf_counter()
    res = run(RunConfig(scenario=scenario, driver="offline", sessions=sessions, seed=1, out=out, engine=engine,
                        workers=workers, shard_size=shard_size, command=["benchmark"]))
    dt = time.perf_counter() - t0
    shutil.rmtree(out)
    return res.sessions / dt, res.events / dt, dt


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=200)
    ap.add_argument("--scenario", default="checkout_form")
    ap.add_argument("--shard-size", type=int, default=25)
    ap.add_argument("--no-ray", action="store_true")
    args = ap.parse_args()
    configs = [("local", 1), ("local", 2)] + ([] if args.no_ray else [("ray", 1), ("ray", 2)])
    with tempfile.TemporaryDirectory() as tmp:
        rows = [(e, w, *measure(args.scenario, args.sessions, e, w, args.shard_size, Path(tmp))) for e, w in configs]
    base = rows[0][2]
    print(f"{args.scenario}: {args.sessions} offline sessions, shards of {args.shard_size}")
    print(f"{'engine':8} {'workers':>7} {'sessions/s':>11} {'events/s':>10} {'seconds':>8} {'vs local-1':>10}")
    for e, w, sps, eps, dt in rows:
        print(f"{e:8} {w:7d} {sps:11.1f} {eps:10.0f} {dt:8.1f} {sps / base:9.2f}x")


if __name__ == "__main__":
    from simulator.cli import run_entry_point  # one line for a mistake or Ctrl-C, not a traceback

    run_entry_point(main)
