"""The shipped profiles (JSON files beside this one), fitted on all of the shared data by `simulator.mouse.shipped`
and `simulator.typing.shipped`."""

from pathlib import Path

BENCHMARK_PROFILES = Path(__file__).resolve().parents[2] / "benchmarks" / "profiles"
"""Their training-part twins, with the same file names: the fits the realism benchmarks judge on held-out data."""
