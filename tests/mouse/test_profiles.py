from __future__ import annotations

import pytest

from simulator.mouse import load_profile
from simulator.mouse.shipped import benchmark_path


@pytest.mark.parametrize("name", ["sapimouse", "balabit"])
def test_shipped_profiles_use_every_session_and_the_benchmark_fits_leave_the_held_out_part_out(name):
    """Users generate with all the data there is; the realism benchmark judges a fit that never saw its
    held-out part (same code, same settings: simulator.mouse.shipped)."""
    shipped, bench = load_profile(name), load_profile(benchmark_path(name))
    assert shipped.meta["heldout_sessions"] == 0 and bench.meta["heldout_sessions"] > 0
    assert shipped.meta["train_sessions"] == bench.meta["train_sessions"] + bench.meta["heldout_sessions"]
    assert shipped.meta["n_movements"] > bench.meta["n_movements"]
    assert set(bench.users) <= set(shipped.users)
    assert "held out" in bench.meta["split"] and "benchmarks/profiles" in shipped.meta["fitted_on"]
