"""Mouse motion model fitted from recorded human data (issue 4).

Public API (what the CLI, the planner and Python users call; augment and fidelity, which fit and measure,
also reach into the fitting and feature modules):

- `load_profile(name_or_path)` -> `MouseProfile` (shipped: ``sapimouse`` default, ``balabit``)
- `person(profile, rng, user=None)` -> `MouseUser` (a profile user or a new one drawn from the population)
- `synth_moves(x0, y0, x1, y1, width, height, profile=, rng=, user=)` -> `MoveBatch` (vectorised)
- `synth_moves_file(pairs_csv, out, profile, seed)` -> rows written (``hcisim synth-moves``)
- `fit_profile(data, fmt, out, progress)` -> profile path (``hcisim fit mouse``)
- `plan_pointing`, `idle_drift`, `scroll_burst`, `apply_device`: pure pieces for the scenario planner
"""

from simulator.mouse.actions import Trajectory, apply_device, idle_drift, plan_pointing, scroll_burst
from simulator.mouse.device import NAMED_DEVICES
from simulator.mouse.fit import fit_profile
from simulator.mouse.profile import Device, MouseProfile, MouseUser, load_profile
from simulator.mouse.synth import MoveBatch, person, synth_moves, synth_moves_file

__all__ = [
    "NAMED_DEVICES", "Device", "MouseProfile", "MouseUser", "MoveBatch", "Trajectory", "apply_device",
    "fit_profile", "idle_drift", "load_profile", "person", "plan_pointing", "scroll_burst", "synth_moves",
    "synth_moves_file",
]
