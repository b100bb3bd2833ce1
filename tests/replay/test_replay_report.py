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
