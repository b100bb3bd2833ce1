"""Whether anything answers at a network address, asked before starting what would wait on it: a browser took
seconds to say that nothing answers at a mistyped --url, and ray.init retried a wrong --address for minutes."""

from __future__ import annotations

import socket


def no_answer(host: str, port: int, timeout_s: float) -> str | None:
    """Why nothing answers at ``host``:``port`` ("connection refused", "name or service not known", "timed out"),
    or None when something accepts a connection there."""
    try:
        socket.create_connection((host, port), timeout=timeout_s).close()
    except OSError as exc:
        why = exc.strerror or str(exc) or type(exc).__name__
        return why[:1].lower() + why[1:]
    return None
