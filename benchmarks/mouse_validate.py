"""Validation split for model decisions (diagnostics): never touches the held-out part.

``python benchmarks/mouse_validate.py [--sets sapimouse,balabit] [--seeds 0,1] [--refit | --refit-law |
--refit-devices] [--candidates K]``

The training part of each data set (simulator/mouse/splits.py) is split again:
SapiMouse subjects with number % 4 == 1, and every third remaining Balabit
session per user, are the validation part; a profile is fitted on the rest
(cached in /tmp) and the realism benchmark's discriminator is run on validation
movements vs hcisim for the same pairs. ``--refit-devices`` refits only the
capture devices (fast), ``--refit`` the whole profile (the critic takes most of
its ~10-30 minutes), ``--refit-law`` the law and devices without the critic
(a minute or two: for decisions about the law itself, measured with
``--candidates 1``, the fast path the throughput target needs).
"""

from __future__ import annotations

import argparse
import pickle
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.mouse_realism import SETS, discriminate, run_hcisim, top_features  # noqa: E402
from simulator.mouse.features import KINEMATIC, NAMES, features  # noqa: E402
from simulator.mouse.fit import fit_device, fit_movements, read_logs  # noqa: E402
from simulator.mouse.profile import load_profile, save_profile  # noqa: E402
from simulator.mouse.splits import split  # noqa: E402
from simulator.readers.common import cut_movements  # noqa: E402

CACHE = Path("/tmp/hcisim_mouse_val")


def val_split(name: str):
    """(fit movements, validation movements) from the training part only."""
    f = CACHE / f"{name}_mv.pkl"
    if f.is_file():
        return pickle.loads(f.read_bytes())
    train, _held = split(name, read_logs(SETS[name], name))
    if name == "sapimouse":
        val = [lg for lg in train if lg.user.isdigit() and int(lg.user) % 4 == 1]
    else:
        by: dict = {}
        for lg in train:
            by.setdefault(lg.user, []).append(lg)
        val = [lg for u, ls in by.items() for i, lg in enumerate(sorted(ls, key=lambda g: g.session)) if i % 3 == 2]
    vid = {id(lg) for lg in val}
    fit = [lg for lg in train if id(lg) not in vid]
    out = (cut_movements(fit), cut_movements(val))
    CACHE.mkdir(exist_ok=True)
    f.write_bytes(pickle.dumps(out))
    return out


def profile_for(name: str, mv_fit, refit: bool, refit_devices: bool, refit_law: bool = False):
    p = CACHE / f"{name}_val.json"
    if refit or refit_law or not p.is_file():
        save_profile(fit_movements(mv_fit, name, {"validation": True}, critic=not refit_law), p)
    elif refit_devices:
        prof = load_profile(p)
        users = mv_fit.user.astype(str)
        prof.devices = {u: fit_device(mv_fit.subset(users == u), f"{name}:{u}") for u in prof.alpha}
        save_profile(prof, p)
    return p


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sets", default="sapimouse,balabit")
    ap.add_argument("--seeds", default="0,1")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--refit", action="store_true")
    ap.add_argument("--refit-devices", action="store_true")
    ap.add_argument("--refit-law", action="store_true", help="refit without the critic (the law and devices only; replaces the cached profile)")
    ap.add_argument("--candidates", type=int, default=None, help="draws per movement (1: the law alone)")
    ap.add_argument("--profile", default="")
    ap.add_argument("--show", default="", help="features whose quantiles to print (comma list)")
    args = ap.parse_args()
    kin = [NAMES.index(c) for c in KINEMATIC]
    for name in args.sets.split(","):
        mv_fit, mv_val = val_split(name)
        prof = (profile_for(name, mv_fit, args.refit, args.refit_devices, args.refit_law) if not args.profile
                else args.profile)
        for seed in (int(s) for s in args.seeds.split(",")):
            rng = np.random.default_rng(seed)
            mv = mv_val.subset(np.sort(rng.permutation(len(mv_val))[: args.n]))
            pairs = np.column_stack([mv.x[mv.offsets[:-1]], mv.y[mv.offsets[:-1]], mv.press_x, mv.press_y])
            Fr = features(mv.t_ms, mv.x, mv.y, mv.offsets)
            Fs = features(*run_hcisim(pairs, str(prof), seed, candidates=args.candidates))
            auc, _ = discriminate(Fr, Fs, list(range(len(NAMES))), seed)
            auck, _ = discriminate(Fr, Fs, kin, seed)
            print(f"{name:<10} seed {seed}: AUC {auc:.3f}  kin {auck:.3f}  top {', '.join(top_features(Fr, Fs, 5))}",
                  flush=True)
            for c in filter(None, args.show.split(",")):
                i = NAMES.index(c)
                q = [0.05, 0.25, 0.5, 0.75, 0.95]
                print(f"   {c:<18} real {np.round(np.nanquantile(Fr[:, i], q), 3)}  syn {np.round(np.nanquantile(Fs[:, i], q), 3)}")


if __name__ == "__main__":
    from simulator.cli import run_entry_point  # one line for a mistake or Ctrl-C, not a traceback

    run_entry_point(main)
