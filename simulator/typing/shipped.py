"""Rebuild the shipped typing profiles from the shared data, leaving out the held-out parts.

    python -m simulator.typing.shipped [DATA_DIR]

DATA_DIR defaults to ``../shared/data`` beside the clone. Both profiles are fitted with
``holdout=True`` (see `simulator.typing.splits`) so the realism benchmark judges them on people and
segments they never saw.
"""

from __future__ import annotations

import sys
from pathlib import Path

from simulator.typing.io import fit_profile
from simulator.typing.profile import shipped_path


def build(data: Path) -> list[Path]:
    return [
        fit_profile(data / "aalto-typing" / "files", "aalto", shipped_path("aalto"), holdout=True,
                    profile_id="aalto", report=False),
        fit_profile(data / "typing-free-text", "pynput", shipped_path("freetext"), holdout=True,
                    profile_id="freetext", report=False),
    ]


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2].parent / "shared" / "data"
    for p in build(root):
        print(p, p.stat().st_size, "bytes")
