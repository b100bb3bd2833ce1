"""The held-out parts the realism benchmark judges on, which its profiles (benchmarks/profiles/) never saw.

Deterministic from ids alone (a hash, not a seeded shuffle), so the profile build and the benchmark
agree on the split without sharing state: 20 % of Aalto participants; a third of each free-text
typist's segments.
"""

from __future__ import annotations

import zlib

AALTO_TEST_SHARE = 0.2
FREETEXT_TEST_EVERY = 3


def _h(s: str) -> int:
    return zlib.crc32(s.encode())


def aalto_is_test(user: str) -> bool:
    return _h(f"aalto:{user}") % 1000 < AALTO_TEST_SHARE * 1000


def freetext_is_test(text_id: str) -> bool:
    return _h(f"freetext:{text_id}") % FREETEXT_TEST_EVERY == 0


DESCRIPTION = {
    "aalto": "participants with crc32('aalto:<id>') % 1000 < 200 (about 20 %) held out (simulator.typing.splits)",
    "pynput": "segments with crc32('freetext:<file>#<segment>') % 3 == 0 (about a third per typist) held out "
              "(simulator.typing.splits)",
}
