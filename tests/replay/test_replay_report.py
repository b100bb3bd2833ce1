"""The replay's HTML page: the shared report page, the first divergence with both screenshots, escaped text."""

import struct
import zlib

import pytest

from replay.replayer import Checkpoint, ReplayResult, StepResult
from replay.report import write_replay_report
from simulator.errors import HcisimError
from simulator.report.page import is_report


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(path):
    raw = b"\x00\xff\x00\x00"  # one red pixel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
                     + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b""))


def _result(tmp_path):
    _png(tmp_path / "frames" / "rec.png")
    _png(tmp_path / "frames" / "after.png")
    steps = [StepResult(0, 0, "click", "click <Search>", strategy="role"),
             StepResult(1, 1, "type", "type into <q>", status="failed", message="element gone",
                        checkpoints=[Checkpoint("url", False, "/a != /b")], recorded_frame="frames/rec.png",
                        after_frame="frames/after.png")]
    return ReplayResult(tmp_path, steps, {"p99_ms": 3.0}, [])


def test_report_shows_the_first_divergence_on_the_shared_page(tmp_path):
    out = write_replay_report(_result(tmp_path))
    page = out.read_text()
    assert is_report(out)  # the shared page: a later run may replace it, `hcisim report` style
    assert "Replay FAILED" in page and "First divergence: step 2" in page
    assert page.count("data:image/png;base64,") == 2
    assert "click &lt;Search&gt;" in page and "<Search>" not in page


def test_report_does_not_replace_a_file_that_is_not_a_report(tmp_path):
    (tmp_path / "replay-report.html").write_text("my notes")
    with pytest.raises(HcisimError, match="not an hcisim report"):
        write_replay_report(_result(tmp_path))
    assert (tmp_path / "replay-report.html").read_text() == "my notes"


def test_the_summary_line_of_a_failed_replay_does_not_say_the_flow_works(tmp_path):
    from rich.console import Console

    from replay.report import print_summary

    res = _result(tmp_path)
    res.steps[0].status = "retargeted"
    console = Console(record=True, width=200)
    print_summary(res, console)
    assert console.export_text().splitlines()[-1] == "FAILED (1 step(s) retargeted: their elements moved or changed)"


def test_a_replay_failed_only_by_a_final_value_says_which_not_that_everything_passed(tmp_path):
    """Every step passed but a field ended with another value: the page, titled "Replay FAILED", said "No
    divergence: every step and checkpoint passed" and showed no final value."""
    res = ReplayResult(tmp_path, [StepResult(0, 0, "type", "type into <q>", strategy="role")], {},
                       [Checkpoint("final value of type label=\"Name\"", False, "'Ann' != 'Anna'"),
                        Checkpoint("final value of type label=\"City\"", True, "'Oslo'")])
    page = write_replay_report(res).read_text()
    assert "Replay FAILED" in page and "No divergence" not in page
    assert "1 field(s) ended with another value than recorded: final value of type label=&quot;Name&quot;" in page
    assert ("<tr class='failed'><td>final value of type label=&quot;Name&quot;</td><td>FAILED</td>"
            "<td>&#x27;Ann&#x27; != &#x27;Anna&#x27;</td></tr>") in page
    assert "<h2>Timing</h2><p>none measured</p>" in page


def test_a_step_that_ran_but_failed_its_checkpoint_is_marked_and_named(tmp_path):
    """`goto` loaded a maintenance page: status ok, url checkpoint failed. It was the first divergence, yet its row
    was not marked and the page said only "a checkpoint failed"."""
    res = ReplayResult(tmp_path, [StepResult(0, 0, "navigate", "goto /login",
                                             checkpoints=[Checkpoint("url", False, "http://x/maintenance")])],
                       {"p99_ms": 3.0}, [])
    page = write_replay_report(res).read_text()
    assert "<tr class='failed'><td>1</td><td>goto /login</td><td>ok</td>" in page
    assert "<p>checkpoint failed: url</p>" in page
    assert "<tr><td>p99_ms</td><td>3.0</td></tr>" in page
