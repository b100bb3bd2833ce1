"""Refit the typing profiles from the shared data: ``python -m simulator.typing.shipped [DATA_DIR] [--part all|train]``.

DATA_DIR defaults to ``../shared/data`` beside the clone. Two fits of each data set, by the same code and
settings, as for the mouse (`simulator.mouse.shipped`):

- ``all`` (the shipped profiles, ``simulator/profiles/``): all of the shared data -- every Aalto participant,
  every free-text segment. What users type with; the people and segments the project is judged on are kept
  aside by the data's publishers and are not in it.
- ``train`` (``benchmarks/profiles/``): the held-out parts (`simulator.typing.splits`) left out, so the realism
  benchmark judges on people and segments that fit never saw.

Why: each free-text typist's parameters come from half as many segments again (fitting on half of the training
segments instead of all of them moved the held-out AUC from 0.706 to 0.728, mean of six seeds).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from simulator.profiles import SHARED_DATA, benchmark_twin
from simulator.typing.io import fit_profile
from simulator.typing.profile import shipped_path

SOURCES = {"aalto": ("aalto-typing/files", "aalto"), "freetext": ("typing-free-text", "pynput")}


def benchmark_path(name: str) -> Path:
    return benchmark_twin(shipped_path(name))


def build(data: Path, part: str) -> list[Path]:
    return [fit_profile(data / folder, fmt, benchmark_path(name) if part == "train" else shipped_path(name),
                        holdout=part == "train", profile_id=name, report=False)
            for name, (folder, fmt) in SOURCES.items()]


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", nargs="?", type=Path, default=SHARED_DATA)
    ap.add_argument("--part", choices=["all", "train", "both"], default="both")
    args = ap.parse_args()
    for part in ("all", "train") if args.part == "both" else (args.part,):
        for p in build(args.data, part):
            print(p, p.stat().st_size, "bytes")
