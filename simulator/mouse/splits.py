"""Train / held-out splits of the shared mouse data (never fit on the held-out part).

SapiMouse: by subject -- subjects whose number is divisible by 4 are held out.
Balabit: by session -- per user, every third session (sorted by name) is held out,
so "as user 12" exists in the benchmark's profile (benchmarks/profiles/) and is judged on sessions it
never saw. The shipped profiles are fitted on every session (`simulator.mouse.shipped`).
"""

from __future__ import annotations

from simulator.readers.common import PointerLog

SPLIT_RULES = {
    "sapimouse": "held out: subjects with number % 4 == 0 (18 of 72); fitted on the other 54",
    "balabit": "held out: every third session of each user (sorted by session name); fitted on the rest",
}


def is_heldout(name: str, log: PointerLog, index_in_user: int) -> bool:
    if name == "sapimouse":
        return log.user.isdigit() and int(log.user) % 4 == 0
    return index_in_user % 3 == 2


def split(name: str, logs: list[PointerLog]) -> tuple[list[PointerLog], list[PointerLog]]:
    """(train, held_out) logs."""
    by_user: dict[str, list[PointerLog]] = {}
    for lg in logs:
        by_user.setdefault(lg.user, []).append(lg)
    train, held = [], []
    for u, ls in by_user.items():
        for i, lg in enumerate(sorted(ls, key=lambda g: g.session)):
            (held if is_heldout(name, lg, i) else train).append(lg)
    return train, held
