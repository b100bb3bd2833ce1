"""Reading a dataset's events per session (`hcisim report`, fits, augment) is linear in the events."""

import numpy as np
import pyarrow as pa

from simulator.readers.hcisim import keystroke_logs, pointer_logs, session_rows


def _events(n_sessions: int, per_session: int = 5) -> pa.Table:
    """Sessions interleaved row by row, each a mouse move, press, release and a key press and release."""
    rows = []
    for j in range(per_session):
        for k in range(n_sessions):
            t = 1000.0 * j
            sid = f"s{k:05d}"
            rows += [dict(session_id=sid, t_ms=t, device="mouse", type="move", x=1.0 + k, y=2.0 + j, button=None,
                          key=None, code=None),
                     dict(session_id=sid, t_ms=t + 1, device="mouse", type="down", x=1.0 + k, y=2.0 + j,
                          button="left", key=None, code=None),
                     dict(session_id=sid, t_ms=t + 2, device="mouse", type="up", x=1.0 + k, y=2.0 + j,
                          button="left", key=None, code=None),
                     dict(session_id=sid, t_ms=t + 3, device="keyboard", type="key_down", x=None, y=None,
                          button=None, key="a", code="KeyA"),
                     dict(session_id=sid, t_ms=t + 90, device="keyboard", type="key_up", x=None, y=None,
                          button=None, key="a", code="KeyA")]
    return pa.Table.from_pylist(rows)


def test_session_rows_keep_first_appearance_and_row_order():
    got = session_rows(np.array(["b", "a", "b", "c", "a"]))
    assert list(got) == ["b", "a", "c"]
    assert [r.tolist() for r in got.values()] == [[0, 2], [1, 4], [3]]
    assert session_rows(np.array([], dtype=str)) == {}


def test_interleaved_sessions_are_read_apart():
    ev = _events(3, per_session=4)
    pointers, keys = pointer_logs(ev, {}), keystroke_logs(ev, {"s00001": "p1"})
    assert list(pointers) == list(keys) == ["s00000", "s00001", "s00002"]
    assert pointers["s00002"].x.tolist() == [3.0] * 12 and pointers["s00002"].y.tolist()[::3] == [2, 3, 4, 5]
    assert len(keys["s00001"].key) == 4 and keys["s00001"].user == "p1"


def test_many_sessions_are_grouped_in_one_pass_over_the_events(monkeypatch):
    """A mask per session made it sessions x events: 2,000 generated sessions took `hcisim report` 23 s. Each reader
    now groups its rows once (its speed is the benchmark's to measure, not a timed test's)."""
    import simulator.readers.hcisim as readers

    calls = []
    monkeypatch.setattr(readers, "session_rows", lambda sessions: calls.append(len(sessions)) or session_rows(sessions))
    ev = _events(6000, per_session=4)
    assert len(pointer_logs(ev, {})) == len(keystroke_logs(ev, {})) == 6000
    assert calls == [6000 * 4 * 3, 6000 * 4 * 2]  # once each, over its mouse rows and its key rows
