"""``python -m replay.xlogger OUT``: a new log each time, one line for what it cannot do, nothing left behind."""

import os
import subprocess
import sys

import pytest


def logger(out, display=":989"):
    env = {**os.environ, "DISPLAY": display}
    return subprocess.run([sys.executable, "-m", "replay.xlogger", str(out)], capture_output=True, text=True,
                          env=env, timeout=60)


def test_an_existing_log_is_never_appended_to(tmp_path):
    """Two runs logged into one file were audited as one: the audit matched the first run and blamed the clock."""
    log = tmp_path / "captured.jsonl"
    log.write_text('{"t": 1.0, "type": "move", "x": 1, "y": 1}\n')
    r = logger(log)
    assert r.returncode == 2 and r.stderr.strip() == f"error: {log} already exists; name a new log file"
    assert log.read_text() == '{"t": 1.0, "type": "move", "x": 1, "y": 1}\n'


def test_a_log_it_cannot_write_or_a_display_it_cannot_open_is_one_line_and_no_file(tmp_path):
    r = logger(tmp_path / "no" / "such" / "x.jsonl")
    assert r.returncode == 2 and r.stderr.strip().startswith(f"error: {tmp_path / 'no' / 'such' / 'x.jsonl'}: "
                                                             "cannot write there (No such file or directory)")
    r = logger(tmp_path / "x.jsonl", display=":989")  # no X server there
    assert r.returncode == 2 and r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.jsonl").exists()


def test_server_stamps_become_epoch_seconds_across_the_32_bit_wrap_and_never_go_back():
    from replay.xlogger import ServerClock

    clock = ServerClock(wall=lambda: 1000.0)
    assert clock(2 ** 32 - 10) == 1000.0
    assert clock(5) == pytest.approx(1000.015)  # the server's millisecond counter wrapped
    assert clock(3) == pytest.approx(1000.015)  # an earlier stamp does not move time back
    assert clock(20) == pytest.approx(1000.030)
