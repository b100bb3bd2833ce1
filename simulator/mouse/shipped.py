"""Refit the mouse profiles from the shared data: ``python -m simulator.mouse.shipped [NAME ...] [--part all|train]``.

Two fits of each data set, by the same code and settings:

- ``all`` (the shipped profile, ``simulator/profiles/``): every session of the shared data. What users generate
  with; the people the project is judged on are kept aside by the data's publishers and are not in it.
- ``train`` (``benchmarks/profiles/``): the training part only (`simulator.mouse.splits`). The realism benchmark
  judges on the held-out part, which only this fit never saw.

Why two: a profile should use all the data there is (a third more people for SapiMouse, half as many sessions
again per Balabit user), and a benchmark must not judge on what it fitted.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from simulator.mouse.fit import fit_movements, read_logs
from simulator.mouse.profile import SHIPPED, save_profile, shipped_path
from simulator.mouse.report import write_fit_report
from simulator.mouse.splits import SPLIT_RULES, split
from simulator.profiles import SHARED_DATA, benchmark_twin
from simulator.readers.common import cut_movements

SOURCES = {
    "sapimouse": (SHARED_DATA / "sapimouse",
                  "SapiMouse (Antal, Fejer, Buza, SACI 2021), subjects 1-72, browser capture"),
    "balabit": (SHARED_DATA / "balabit-mouse" / "training_files",
                "Balabit Mouse Dynamics Challenge (Fulop et al. 2016), training files, RDP capture"),
}


def benchmark_path(name: str) -> Path:
    return benchmark_twin(shipped_path(name))


def build(name: str, part: str, report_dir: Path | None = None) -> Path:
    root, cite = SOURCES[name]
    logs = read_logs(root, name)
    if part == "train":
        logs, held = split(name, logs)
        meta = {"fitted_on": "training part only", "split": SPLIT_RULES[name], "heldout_sessions": len(held)}
        out = benchmark_path(name)
    else:
        meta = {"fitted_on": f"all sessions; the realism benchmark judges benchmarks/profiles/{SHIPPED[name]}, the "
                             f"same fit without its held-out part ({SPLIT_RULES[name]})", "heldout_sessions": 0}
        out = shipped_path(name)
    mv = cut_movements(logs)
    prof = fit_movements(mv, name, {"source": cite, **meta, "train_sessions": len(logs)})
    out = save_profile(prof, out)
    if report_dir is not None:
        write_fit_report(prof, mv, Path(report_dir) / f"mouse_{name}_{part}_fit.html")
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", metavar="NAME", help=f"of {', '.join(SOURCES)} (default: both)")
    ap.add_argument("--part", choices=["all", "train", "both"], default="both")
    args = ap.parse_args()
    if unknown := set(args.names) - set(SOURCES):
        ap.error(f"unknown data set(s): {', '.join(sorted(unknown))}")
    for n in args.names or list(SOURCES):
        for part in ("all", "train") if args.part == "both" else (args.part,):
            print(build(n, part, Path("/tmp")))
