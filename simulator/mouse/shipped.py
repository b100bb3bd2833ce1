"""Refit the shipped profiles on the training part of the shared data: ``python -m simulator.mouse.shipped``."""

from __future__ import annotations

import sys
from pathlib import Path

from simulator.mouse.fit import fit_movements, read_logs
from simulator.mouse.profile import shipped_path, save_profile
from simulator.mouse.report import write_fit_report
from simulator.mouse.splits import SPLIT_RULES, split
from simulator.readers.common import cut_movements

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
SOURCES = {
    "sapimouse": (DATA / "sapimouse", "SapiMouse (Antal, Fejer, Buza, SACI 2021), subjects 1-72, browser capture"),
    "balabit": (DATA / "balabit-mouse" / "training_files",
                "Balabit Mouse Dynamics Challenge (Fulop et al. 2016), training files, RDP capture"),
}


def build(name: str, report_dir: Path | None = None) -> Path:
    root, cite = SOURCES[name]
    train, held = split(name, read_logs(root, name))
    mv = cut_movements(train)
    prof = fit_movements(mv, name, {
        "source": cite, "fitted_on": "training part only", "split": SPLIT_RULES[name],
        "train_sessions": len(train), "heldout_sessions": len(held)})
    out = save_profile(prof, shipped_path(name))
    if report_dir is not None:
        write_fit_report(prof, mv, Path(report_dir) / f"mouse_{name}_fit.html")
    return out


if __name__ == "__main__":
    for n in sys.argv[1:] or list(SOURCES):
        print(build(n, Path("/tmp")))
