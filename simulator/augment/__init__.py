"""Augment scarce recordings (issue 12): import outside formats, fit per-person profiles, generate more.

- `import_dataset(fmt, src, out)` -> `Manifest` (``hcisim import``)
- `augment_dataset(dataset, out, factor, people, seed)` -> `Manifest` (``hcisim augment``)

Pure pieces: `tasks` (what a dataset's people did: pointing tasks, typed segments, pauses),
`fit` (per-person mouse and typing profiles from a dataset), `texts` (faker text matched in length
and character mix), `generate` (new sessions with the same task structure).
"""

from simulator.augment.convert import FORMATS, import_dataset

__all__ = ["FORMATS", "augment_dataset", "import_dataset"]


def augment_dataset(*args, **kwargs):
    """See `simulator.augment.generate.augment_dataset` (imported lazily: it pulls in the models)."""
    from simulator.augment.generate import augment_dataset as run

    return run(*args, **kwargs)
