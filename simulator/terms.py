"""The terms (licence, credit) of the recorded data a profile or dataset comes from, carried along with it.

A profile's ``metadata`` (``meta`` for mouse profiles) and a dataset manifest's ``source`` hold them under these
keys, so they travel: shared files -> import -> fit / augment -> the data generated with the profile.
"""

from __future__ import annotations

from collections.abc import Mapping

TERMS = ("licence", "credit")


def terms_of(d: Mapping | None) -> dict[str, str]:
    """The terms ``d`` (a profile's metadata, a manifest's source) states."""
    return {k: d[k] for k in TERMS if (d or {}).get(k)}


def dataset_terms(source: Mapping | None, profiles: Mapping | None) -> dict[str, str]:
    """The terms of a dataset's content: of the recorded data it was made from (its manifest's ``source``) and of
    the data each profile that generated it was fitted on (``profiles.<kind>``: data generated with the Aalto
    typing profile is under the Aalto licence). Different statements of one term are kept, joined by " | "."""
    found: dict[str, list[str]] = {}
    for d in (source, *(p for _, p in sorted((profiles or {}).items()) if isinstance(p, Mapping))):
        for k, v in terms_of(d).items():
            if v not in found.setdefault(k, []):
                found[k].append(v)
    return {k: " | ".join(v) for k, v in found.items()}
