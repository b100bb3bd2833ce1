"""The screen a report draws pointer paths on: a dataset's screenshot, or axes laid out as the screen is.

Both the dataset report and `hcisim compare`'s page draw paths over screenshots; without one, plain axes
put y = 0 at the bottom and drew every path upside down.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from simulator.errors import HcisimError

UNITS = {"viewport_css_px": "CSS px of the viewport", "screen_px": "screen px"}
"""What a manifest's ``coordinate_space`` measures x and y in, as an axis label says it."""


def read_screenshot(root: Path, rel: str) -> np.ndarray:
    """A dataset's screenshot as an image array. A missing or unreadable file is one error line naming it: a
    damaged PNG gave a decoder's traceback that said neither which file nor what to do."""
    import matplotlib.pyplot as plt

    path = Path(root) / rel
    try:
        return plt.imread(path)
    except (OSError, SyntaxError, ValueError) as exc:  # PIL says "not a PNG file" with a SyntaxError
        raise HcisimError(f"{path}: cannot read this screenshot ({exc}); `hcisim validate {root}` checks every "
                          f"file of the dataset") from None


def screen_axes(ax, coordinate_space: str | None) -> None:
    """Axes for paths with no screenshot under them: y grows downwards, as on the screen, x and y at one scale
    and labelled in the dataset's pixels."""
    unit = UNITS.get(coordinate_space or "", "px")
    ax.invert_yaxis()
    ax.set_aspect("equal", adjustable="datalim")
    ax.set(xlabel=f"x ({unit})", ylabel=f"y ({unit}, downwards)")
