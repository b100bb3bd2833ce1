"""The pointer-log readers: what each shared format's files become before movements are cut."""

from __future__ import annotations

import numpy as np

from simulator.readers.balabit import read_balabit

HEADER = "record timestamp,client timestamp,button,state,x,y\n"
ROWS = [(0.0, "NoButton", "Move", 10, 10), (0.016, "NoButton", "Move", 40, 12), (0.016, "NoButton", "Move", 60, 15),
        (0.032, "NoButton", "Move", 90, 20), (0.048, "NoButton", "Move", 120, 22), (0.064, "Left", "Pressed", 120, 22),
        (0.15, "Left", "Released", 120, 22)]


def _write(path, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HEADER + "".join(f"{t},{t},{b},{s},{x},{y}\n" for t, b, s, x, y in rows))


def test_a_balabit_row_whose_time_went_backwards_is_read_in_time_order_as_import_reads_it(tmp_path):
    """The reader kept file order: a row logged late made a movement with a negative time step, and a file whose
    times ran backwards fitted a law of movements lasting 0 ms, without a word (`hcisim import` sorted the same
    file). A stable sort keeps the logger's order of rows that share a stamp."""
    _write(tmp_path / "ok" / "user7" / "session_1", ROWS)
    _write(tmp_path / "late" / "user7" / "session_1", [ROWS[0], ROWS[3], ROWS[1], ROWS[2], *ROWS[4:]])
    ok, = read_balabit(tmp_path / "ok")
    late, = read_balabit(tmp_path / "late")
    assert np.all(np.diff(late.t_ms) >= 0)
    for a, b in ((ok.t_ms, late.t_ms), (ok.x, late.x), (ok.y, late.y), (ok.kind, late.kind)):
        np.testing.assert_array_equal(a, b)
