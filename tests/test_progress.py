"""Long work shows progress in a CI log too (no terminal, no bar): plain lines, never for work done at once."""

import simulator.cli as cli


def test_plain_progress_lines_only_once_work_runs_long(monkeypatch, capsys):
    clock = [100.0]
    monkeypatch.setattr(cli.time, "monotonic", lambda: clock[0])
    quick = cli._PlainProgress("quick")
    quick(0, 4)
    quick(4, 4)
    assert capsys.readouterr().err == ""  # and an error right after would be the only line
    slow = cli._PlainProgress("slow")
    for done in range(0, 5):
        clock[0] += 6.0
        slow(done, 4)
    slow(4, 4)
    assert capsys.readouterr().err.splitlines() == ["slow: 1/4", "slow: 3/4", "slow: 4/4"]
