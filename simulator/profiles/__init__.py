"""The shipped profiles (JSON files beside this one), fitted on all of the shared data by `simulator.mouse.shipped`
and `simulator.typing.shipped`."""

from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[2]

SHARED_DATA = _CHECKOUT.parent / "shared" / "data"
"""The recorded human data the profiles are fitted from and the realism benchmarks judge on: ``../shared/data``
beside the clone."""

BENCHMARK_PROFILES = _CHECKOUT / "benchmarks" / "profiles"
"""The shipped profiles' training-part twins, with the same file names: the fits the realism benchmarks judge on
held-out data."""


def benchmark_twin(shipped: Path) -> Path:
    """The training-part fit of the shipped profile at ``shipped``."""
    return BENCHMARK_PROFILES / shipped.name
