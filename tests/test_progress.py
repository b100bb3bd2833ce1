"""Long work shows progress in a CI log too (no terminal, no bar): plain lines, never for work done at once."""

import simulator.cli as cli
from simulator.progress import Steps


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


def test_steps_count_parts_that_report_their_own_progress():
    seen = []
    steps = Steps(10, lambda done, total: seen.append((done, total)))
    steps()
    part = steps.part(4)  # a part of four steps that counts its own eight
    for k in range(1, 9):
        part(k, 8)
    assert [d for d, _ in seen] == [1, 1, 2, 2, 3, 3, 4, 4, 5]
    steps.total = 7  # fewer left than planned (sessions left out once fitted)
    steps()
    steps()
    steps()
    assert seen[-3:] == [(6, 7), (7, 7), (7, 7)]
    steps.finish()
    assert seen[-1] == (7, 7)
    Steps(3)()  # no callback: counts without reporting
