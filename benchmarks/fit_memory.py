"""Peak memory of `hcisim fit typing --format hcisim` on an offline dataset, against reading its keystrokes.

Run: .venv/bin/python benchmarks/fit_memory.py [--sessions 400] [--dataset DIR]   (about 4 minutes at 400)
Makes an offline dataset of --sessions (checkout_form) unless --dataset names one, then measures in fresh
processes the peak resident memory (max RSS) and time of fitting a typing profile from it and, as the baseline
measured in the same run, of reading its keystroke records alone. The fit's realism critic types 6,000 texts 16
times at each stage; holding every draw at once made the fit grow to 3.3 GB at 400 sessions (about 8x the
baseline), choosing 250 texts at a time keeps it under 2x whatever the number of texts.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.validate_memory import against, dataset_from_args  # noqa: E402

READ = ("import sys; from pathlib import Path; from simulator.typing.io import read_records; "
        "read_records(Path(sys.argv[1]), 'hcisim')")


def fit_code(out: Path) -> str:
    return ("import sys; from pathlib import Path; from simulator.typing.io import fit_profile; "
            f"fit_profile(Path(sys.argv[1]), 'hcisim', Path({str(out)!r}), report=False)")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ds = dataset_from_args(tmp)
        fit = fit_code(Path(tmp) / "typing.json")
        print(f"{ds}: {against(('read its keystrokes', READ, ds), ('fit typing', fit, ds))}")


if __name__ == "__main__":
    main()
