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
