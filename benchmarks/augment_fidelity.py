"""Acceptance experiment of issue 12: augment scarce recordings x10 and measure fidelity, diversity, privacy.

    .venv/bin/python benchmarks/augment_fidelity.py [--out out/augment_fidelity] [--factor 10] [--seed 0]

Splits (nothing held out by the project is ever fitted on):

- **Mouse, SapiMouse.** Subjects whose number is divisible by 4 are the project's held-out set and are
  not used at all. Of the other 54 subjects, half (27, a seeded permutation of the sorted subject
  numbers) are taken. FIT = their 3-minute sessions, REAL = their 1-minute sessions (the same people,
  recorded separately). Subjects 35 and 62 were recorded twice (35.1/35.2): only the first recording
  is used, so every person brings the same amount of data (a person with twice the data is favoured
  by the re-identification model for every uncertain session, which would swamp the attribution).
- **Typing, free-text typists** (pynput logs, Facebook/Instagram/Twitter tasks). Segments (runs between
  Enter presses and pauses over 5 s) that `simulator.typing.splits.freetext_is_test` holds out are
  dropped. The remaining segments of each log are split by time: the first two thirds to FIT, the
  last third to REAL, so REAL is later text of the same typists.

FIT is augmented x FACTOR twice, ``--people same`` (as each fitted person) and ``--people new`` (new
people drawn from the fitted population), and each SYNTH is measured against REAL with the fitting
data FIT (`simulator.fidelity.evaluate`). Printed: fidelity AUC (target <= 0.70), coverage (>= 0.85),
re-identification top-1 of ``same`` output vs real held-out sessions (within 10 points), the largest
share of ``new`` sessions attributed to one recorded person vs 2 x chance, and the share of synthetic
items closer to a fitting item than the 1st percentile of REAL-to-FIT distances (target 0). HTML
reports and JSON results go to --out.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")  # the machine is shared

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from simulator.augment import augment_dataset, import_dataset  # noqa: E402
from simulator.augment.convert import iter_sessions  # noqa: E402
from simulator.augment.tasks import segment_numbers  # noqa: E402
from simulator.dataset import DatasetWriter, Manifest  # noqa: E402
from simulator.profiles import SHARED_DATA as DATA  # noqa: E402
from simulator.readers.sapimouse import subject_of  # noqa: E402
from simulator.typing.splits import freetext_is_test  # noqa: E402

FIT_SHARE = 2 / 3


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- splits ----------------------------------------------------------------------------------------

def sapimouse_subjects(seed: int) -> list[str]:
    """Half of the subjects not divisible by 4, seeded."""
    subjects = sorted({subject_of(p.name) for p in (DATA / "sapimouse").glob("user*") if p.is_dir()}, key=int)
    usable = [s for s in subjects if int(s) % 4 != 0]
    rng = np.random.default_rng(seed)
    return sorted(rng.permutation(usable)[: len(usable) // 2].tolist(), key=int)


def mouse_split(work: Path, seed: int) -> tuple[Path, Path, list[str]]:
    """FIT (3-minute) and REAL (1-minute) datasets of the chosen subjects, via ``hcisim import``."""
    chosen = set(sapimouse_subjects(seed))
    view = work / "sapimouse-view"  # the chosen subjects' files, linked, so import sees only them
    shutil.rmtree(view, ignore_errors=True)
    seen = set()
    for folder in sorted((DATA / "sapimouse").glob("user*")):  # user35.1 sorts before user35.2
        subject = subject_of(folder.name)
        if subject in chosen and subject not in seen:
            seen.add(subject)
            (view / folder.name).mkdir(parents=True)
            for f in folder.glob("*.csv"):
                (view / folder.name / f.name).symlink_to(f)
    fit, real = work / "mouse-fit", work / "mouse-real"
    import_dataset("sapimouse", view, fit, sessions="*-3min", overwrite=True, command=["benchmark", "import"])
    import_dataset("sapimouse", view, real, sessions="*-1min", overwrite=True, command=["benchmark", "import"])
    return fit, real, sorted(chosen, key=int)


def typing_split(work: Path) -> tuple[Path, Path, list[str]]:
    """FIT and REAL datasets of the free-text typists: held-out segments dropped, the rest split by time."""
    src = DATA / "typing-free-text"
    sides: dict[str, list[tuple[str, str, pa.Table]]] = {"fit": [], "real": []}
    typists = set()
    for s in iter_sessions("pynput", src):
        seg = segment_numbers(s.events)  # numbered as the reader numbers them: the held-out split applies
        kept = [n for n in np.unique(seg) if not freetext_is_test(f"{s.session_id}#{int(n)}")]
        if len(kept) < 3:
            continue
        cut = int(np.ceil(len(kept) * FIT_SHARE))
        typists.add(s.person)
        for side, segs in (("fit", kept[:cut]), ("real", kept[cut:])):
            rows = np.flatnonzero(np.isin(seg, segs))
            t = s.events.take(pa.array(rows))
            sid = f"{s.session_id}-{side}"
            t = t.set_column(0, "session_id", pa.array([sid] * t.num_rows, pa.string()))
            t = t.set_column(1, "seq", pa.array(np.arange(t.num_rows, dtype=np.int64)))
            sides[side].append((sid, s.person, t))
    out = {}
    for side, sessions in sides.items():
        path = work / f"typing-{side}"
        m = Manifest(driver="import", coordinate_space="screen_px", command=["benchmark", "typing-split", side],
                     source={"format": "pynput", "name": "typing-free-text", "split": f"{side}: see "
                             "benchmarks/augment_fidelity.py"})
        with DatasetWriter(path, m, overwrite=True) as w:
            for sid, person, t in sessions:
                w.add_session(sid, events=t)
                m.people[sid] = person
        out[side] = path
    return out["fit"], out["real"], sorted(typists)


# -- measuring ----------------------------------------------------------------------------------------

ROWS = [
    ("fidelity AUC (<= 0.70)", "auc"),
    ("coverage (>= 0.85)", "coverage"),
    ("re-id top-1 synth", "reid_top1_synth"),
    ("re-id top-1 real held-out", "reid_top1_real"),
    ("max share / chance (new <= 2)", "reid_max_share_over_chance"),
    ("  the same by chance alone (95 %)", "reid_max_share_over_chance_null"),
    ("DCR share below real p1 (0)", "dcr_frac_below_p1"),
]


def measure(modality: str, fit: Path, real: Path, work: Path, out: Path, factor: int, seed: int) -> dict:
    from simulator.fidelity import evaluate, write_json, write_report

    res = {}
    for people in ("same", "new"):
        synth = work / f"{modality}-synth-{people}"
        t0 = time.time()
        augment_dataset(fit, synth, factor=factor, people=people, seed=seed, modality=modality, overwrite=True,
                        command=["benchmark", "augment", people])
        log(f"{modality}: augmented x{factor} --people {people} in {time.time() - t0:.0f} s")
        t0 = time.time()
        result = evaluate(real, synth, fitting=fit, seed=seed)
        log(f"{modality}: fidelity of --people {people} measured in {time.time() - t0:.0f} s")
        write_report(result, out / f"{modality}-{people}.html")
        write_json(result, out / f"{modality}-{people}.json")
        m = result.metrics()
        res[people] = {k.split(".", 1)[1]: v for k, v in m.items() if k.startswith(modality + ".")}
    return res


def verdicts(r: dict) -> list[tuple[str, bool | None]]:
    s, n = r["same"], r["new"]
    gap = (s.get("reid_top1_real", np.nan) - s.get("reid_top1_synth", np.nan)) * 100
    return [
        ("AUC (same) <= 0.70", s.get("auc", 1) <= 0.70),
        ("coverage (same) >= 0.85", s.get("coverage", 0) >= 0.85),
        (f"re-id top-1 same within 10 points of real (gap {gap:+.0f})", abs(gap) <= 10 if np.isfinite(gap) else None),
        ("new: max attribution <= 2 x chance", n.get("reid_max_share_over_chance", np.inf) <= 2),
        ("no synthetic item below real p1 (same and new)",
         s.get("dcr_synth_below_p1", 1) == 0 and n.get("dcr_synth_below_p1", 1) == 0),
    ]


def print_table(title: str, r: dict) -> None:
    print(f"\n## {title}\n")
    print("| measure | --people same | --people new |")
    print("|---|---|---|")
    for label, key in ROWS:
        cells = [f"{r[p][key]:.3f}" if key in r[p] else "–" for p in ("same", "new")]
        print(f"| {label} | {cells[0]} | {cells[1]} |")
    for text, ok in verdicts(r):
        print(f"- {'PASS' if ok else 'n/a' if ok is None else 'FAIL'}: {text}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=Path("out/augment_fidelity"), help="reports and datasets go here")
    ap.add_argument("--factor", type=int, default=10)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", choices=("mouse", "typing"), help="run one modality")
    args = ap.parse_args()
    out = args.out
    work = out / "datasets"
    work.mkdir(parents=True, exist_ok=True)
    summary = {}
    if args.only in (None, "mouse"):
        fit, real, subjects = mouse_split(work, args.seed)
        log(f"mouse: {len(subjects)} SapiMouse subjects: {', '.join(subjects)}")
        summary["mouse"] = measure("mouse", fit, real, work, out, args.factor, args.seed)
        summary["mouse"]["subjects"] = subjects
    if args.only in (None, "typing"):
        fit, real, typists = typing_split(work)
        log(f"typing: {len(typists)} free-text typists")
        summary["typing"] = measure("typing", fit, real, work, out, args.factor, args.seed)
        summary["typing"]["typists"] = typists
    (out / "summary.json").write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n")
    if "mouse" in summary:
        print_table(f"Mouse: SapiMouse, {len(summary['mouse']['subjects'])} subjects, 3-min FIT -> x{args.factor}, "
                    f"REAL = their 1-min sessions", summary["mouse"])
    if "typing" in summary:
        print_table(f"Typing: {len(summary['typing']['typists'])} free-text typists, first 2/3 of segments FIT -> "
                    f"x{args.factor}, REAL = the last 1/3", summary["typing"])
    print(f"\nreports: {out}/{{mouse,typing}}-{{same,new}}.html; numbers: {out}/summary.json")


if __name__ == "__main__":
    from simulator.cli import run_entry_point  # one line for a mistake or Ctrl-C, not a traceback

    run_entry_point(main)
