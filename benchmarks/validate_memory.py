"""Peak memory of `hcisim validate` on an offline dataset, against reading one of its shards.

Run: .venv/bin/python benchmarks/validate_memory.py [--sessions 400] [--dataset DIR]
Makes an offline dataset of --sessions (checkout_form, shards of 100) unless --dataset names one, then measures in
fresh processes the peak resident memory (max RSS) and time of validating it and, as the baseline measured in the
same run, of reading its largest events shard whole. validate reads file by file, so its ratio to the baseline
should stay about the same as the dataset grows; reading whole tables made it grow with the number of sessions.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.runner import RunConfig, run  # noqa: E402

VALIDATE = "from simulator.dataset import validate_dataset; import sys; sys.exit(bool(validate_dataset(sys.argv[1])))"
ONE_SHARD = ("import sys; from pathlib import Path; from simulator.dataset import validate_dataset; "
             "from simulator.dataset.schema import EVENTS; from simulator.dataset.storage import read_table; "
             "read_table(Path(sys.argv[1]), EVENTS, 'parquet')")


def peak(code: str, arg: Path) -> tuple[float, float]:
    """(max RSS in MB, seconds) of a fresh Python running ``code`` on ``arg``."""
    t0 = time.perf_counter()
    p = subprocess.Popen([sys.executable, "-c", code, str(arg)])
    _, status, usage = os.wait4(p.pid, 0)  # (this child's own rusage: its peak alone)
    if status:
        raise SystemExit(f"{code[:40]}... failed on {arg}")
    return usage.ru_maxrss / 1024, time.perf_counter() - t0


def against(baseline: tuple[str, str, Path], measured: tuple[str, str, Path]) -> str:
    """Each of (label, code, argument) run in a fresh process: their peaks and times, and the measured one's
    ratios to the baseline's."""
    (base, base_code, base_arg), (what, code, arg) = baseline, measured
    base_mb, base_s = peak(base_code, base_arg)
    mb, s = peak(code, arg)
    return (f"{base} {base_mb:.0f} MB ({base_s:.1f} s); {what} {mb:.0f} MB ({s:.1f} s): {mb / base_mb:.2f}x the "
            f"baseline's memory, {s / base_s:.2f}x its time")


def dataset_from_args(tmp: str) -> Path:
    """``--dataset``, else an offline checkout_form dataset of ``--sessions`` (shards of 100) made in ``tmp``."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=400)
    ap.add_argument("--dataset", type=Path)
    args = ap.parse_args()
    if args.dataset is not None:
        return args.dataset
    ds = Path(tmp) / "ds"
    run(RunConfig(scenario="checkout_form", driver="offline", sessions=args.sessions, seed=1, out=ds, workers=2,
                  shard_size=100, screenshots="none", command=["benchmark"]))
    return ds


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ds = dataset_from_args(tmp)
        shard = max((ds / "events").glob("shard=*/part.parquet"), key=lambda p: p.stat().st_size)
        print(f"{ds}: {against(('read one events shard', ONE_SHARD, shard), ('validate', VALIDATE, ds))}")


if __name__ == "__main__":
    main()
