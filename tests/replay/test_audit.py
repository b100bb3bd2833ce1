"""Audit catches each injected defect of a faulty logger and passes a correct one."""

import json
import subprocess
import sys

import pytest

from replay.audit import Thresholds, audit
from simulator.errors import HcisimError
from tests.replay.sessions import REFERENCE, events_for, write_session

EPOCH = 1_795_000_000_000.0


def captured_log(path, *, drop_every=0, shift_ms=0.0, leak=None, jitter=None, mask=True):
    """A generic-JSONL capture of the reference session, with defects injected on request."""
    rows = []
    for i, e in enumerate(events_for(REFERENCE)):
        if drop_every and i % drop_every == 0:
            continue
        t = (EPOCH + e["t_ms"] + shift_ms) / 1000.0
        if jitter is not None:
            t += jitter[i % len(jitter)] / 1000.0
        rows.append({"t": t, "type": e["type"], "x": e.get("x"), "y": e.get("y"), "button": e.get("button"),
                     "key": "•" if mask and e.get("action_id") == 1 and e["type"].startswith("key") else e.get("key")})
    if leak:
        rows.append({"t": rows[-1]["t"], "type": "clipboard", "text": leak})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.fixture
def truth(tmp_path):
    return write_session(tmp_path / "truth", REFERENCE, epoch=EPOCH)


def test_correct_logger_passes(truth, tmp_path):
    r = audit(truth, captured_log(tmp_path / "ok.jsonl"), "jsonl")
    assert r.passed, r.failures
    assert r.key_errors == []  # masked password keys are what a private logger should write
    assert r.missing == 0 and r.extra == 0 and abs(r.clock_offset_ms) < 1.0 and r.leaks == []


def test_dropped_events_fail(truth, tmp_path):
    r = audit(truth, captured_log(tmp_path / "drop.jsonl", drop_every=7), "jsonl")
    assert r.missing > 0
    assert any(f.startswith("missing events") for f in r.failures)


def test_dropped_events_are_missing_and_nothing_else(truth, tmp_path):
    """In-order matching paired each event after a dropped one with its successor: a logger that only dropped
    events was also failed for key mapping errors ('d' captured as 'a'), coordinates and clock jitter."""
    r = audit(truth, captured_log(tmp_path / "drop.jsonl", drop_every=7), "jsonl")
    assert [f.split(":")[0] for f in r.failures] == ["missing events"]
    assert r.extra == 0 and r.key_error_count == 0
    assert r.coord_error_px_p99 == 0.0 and abs(r.clock_offset_ms) < 1.0 and r.clock_jitter_ms < 1.0


def test_dropped_presses_do_not_throw_off_a_clock_the_truth_cannot_anchor(tmp_path):
    """Without the session's wall-clock start (an offline truth, a log on another clock) the offset was the
    median gap between presses paired in order: one dropped press paired every later one with the next, and
    the audit of a logger that only dropped events said 88 % missing, 55 % extra and 16 key errors."""
    truth = write_session(tmp_path / "truth", REFERENCE)
    r = audit(truth, captured_log(tmp_path / "drop.jsonl", drop_every=3), "jsonl")
    assert r.clock_offset_ms == pytest.approx(EPOCH, abs=1.0)
    assert [f.split(":")[0] for f in r.failures] == ["missing events"] and r.extra == 0


def test_shifted_clock_fails(truth, tmp_path):
    r = audit(truth, captured_log(tmp_path / "shift.jsonl", shift_ms=180.0), "jsonl")
    assert r.clock_offset_ms == pytest.approx(180.0, abs=1.0)
    assert any(f.startswith("clock offset") for f in r.failures)


def test_leaked_password_fails(truth, tmp_path):
    r = audit(truth, captured_log(tmp_path / "leak.jsonl", leak="s3cret-canary"), "jsonl")
    assert r.leaks and any(f.startswith("privacy leak") for f in r.failures)


def test_a_secret_a_json_logger_escaped_is_a_leak(tmp_path):
    """The secret was looked for as UTF-8 only: a JSON logger writing it as JSON does by default
    ("J\\u00fcrgen", a card holder's name from a German run) passed with "privacy leaks 0"."""
    secret = "Jürgen \"Jo\" Müller"
    truth = write_session(tmp_path / "truth", [dict(a, text_intended=secret, text_typed=secret)
                                               if a["action_id"] == 1 else a for a in REFERENCE], epoch=EPOCH)
    log = captured_log(tmp_path / "leak.jsonl", leak=secret)
    assert secret.encode() not in log.read_bytes()
    r = audit(truth, log, "jsonl")
    assert r.leaks == [f"leak.jsonl: contains the secret typed into a sensitive field ({len(secret)} chars)"]
    # a CSV logger doubles the quotes inside a quoted field
    import csv

    rows = [json.loads(ln) for ln in log.read_text().splitlines()]
    with open(tmp_path / "leak.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["t", "type", "x", "y", "button", "key", "text"])
        w.writeheader()
        w.writerows(rows)
    assert secret.encode() not in (tmp_path / "leak.csv").read_bytes()
    r = audit(truth, tmp_path / "leak.csv", "csv")
    assert r.leaks == [f"leak.csv: contains the secret typed into a sensitive field ({len(secret)} chars)"]


def test_a_password_logged_key_by_key_is_a_leak(truth, tmp_path):
    """Only the whole secret as one string was looked for: a keylogger writing the password's keys one event
    at a time passed with "privacy leaks 0"."""
    r = audit(truth, captured_log(tmp_path / "keys.jsonl", mask=False), "jsonl")
    assert not r.passed
    typed = [e["key"] for e in events_for(REFERENCE) if e.get("action_id") == 1 and e["type"] == "key_down"]
    assert "".join(typed) == "s3cret-canary"
    assert r.leaks == [f"keys.jsonl: {len(typed)} key(s) typed into sensitive fields captured in clear "
                       "(the secret can be read from the key log)"]


def test_a_secret_in_a_captured_datasets_compressed_table_is_a_leak(truth, tmp_path):
    """The captured files were searched byte by byte: a dataset whose keys were masked but whose actions kept
    the typed password in clear passed, the secret hidden by the Parquet file's zstd compression."""
    from simulator.dataset import Manifest, write_dataset
    from tests.replay.sessions import step

    words = ("alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november oscar papa "
             "quebec romeo sierra tango uniform victor whiskey xray yankee zulu").split()
    notes = [step(5 + k, "type", "Notes", 2500.0 + 500 * k, " ".join(words[(7 * k + 3 * j) % len(words)]
                                                                      for j in range(8))) for k in range(5)]
    events = [dict(e, key="•") if e["action_id"] == 1 and e["type"].startswith("key") else e
              for e in events_for(REFERENCE)]
    manifest = Manifest(driver="browser", seed=0, scenario="hand", sessions=["s0"])
    manifest.stats = {"session_start_epoch_ms": {"s0": EPOCH}}
    captured = write_dataset(tmp_path / "captured", manifest, {"events": events, "actions": REFERENCE + notes})
    assert b"s3cret-canary" not in (captured / "actions.parquet").read_bytes()  # compressed out of sight
    r = audit(truth, captured, "hcisim")
    assert r.leaks == ["actions.parquet: contains the secret typed into a sensitive field (13 chars)"], r.leaks
    assert r.failures == [f"privacy leak: {r.leaks[0]}"]


def test_cli_exit_code_gates(truth, tmp_path):
    bad = captured_log(tmp_path / "leak.jsonl", leak="s3cret-canary")
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "audit", "--truth", str(truth), "--captured",
                        str(bad), "--format", "jsonl"], capture_output=True, text=True)
    assert r.returncode == 1 and "privacy leak" in r.stdout


@pytest.mark.parametrize("fmt, text, said", [
    ("jsonl", '{"t": 1, "type": "move"}\nnot json\n', ":2: not valid JSON (Expecting value)"),
    ("csv", "t_ms,type,x,y\n1,move,a,b\n", ": event 1 has x 'a', not a number"),
    ("jsonl", '[{"t": 1, "type": "move"}]\n', ": event 1 is a JSON list, not an object of one event"),
    ("csv", "t,type,x,y\n1795000000123,move,1,2\n", ": event 1 has t 1795000000123, which looks like "
                                                       "milliseconds: t is in seconds, name the column t_ms"),
    # a log without x, y lost every move as "missing"; a NaN time was one "extra" event
    ("csv", "t_ms,type\n1,move\n", ": move event 1 has no position (x and y)"),
    ("jsonl", '{"t_ms": NaN, "type": "move", "x": 1, "y": 2}\n', ": event 1 has t_ms nan, not a finite number"),
    # a file that is not a log at all was read as a log of no events ("missing 231 of 231", exit 1)
    ("csv", "garbage{\n", ": not a CSV capture log: its header (garbage{) lacks t or t_ms"),
    ("csv", "time,kind\n1,move\n", ": not a CSV capture log: its header (time, kind) lacks t or t_ms"),
    ("csv", "t_ms,kind\n1,move\n", ": not a CSV capture log: its header (t_ms, kind) lacks type"),
])
def test_malformed_log_is_one_clear_line(truth, tmp_path, fmt, text, said):
    bad = tmp_path / f"bad.{fmt}"
    bad.write_text(text)
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "audit", "--truth", str(truth), "--captured",
                        str(bad), "--format", fmt], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.strip() == f"error: {bad}{said}"


def test_a_truth_that_lists_no_session_is_one_clear_line(truth, tmp_path):
    """An edited manifest whose sessions list is empty ended the audit in an IndexError traceback."""
    manifest = json.loads((truth / "manifest.json").read_text())
    (truth / "manifest.json").write_text(json.dumps({**manifest, "sessions": []}))
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "audit", "--truth", str(truth), "--captured",
                        str(captured_log(tmp_path / "ok.jsonl")), "--format", "jsonl"], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.strip() == f"error: {truth}: the dataset has no sessions", r.stderr


def test_releases_compare_the_physical_key_on_the_truths_keyboard():
    """A release is named as the modifiers of that moment make it: ``q`` for a German ``@`` whose AltGr went up first."""
    from replay.audit import _same_key

    def up(key, code=None):
        return {"type": "key_up", "key": key, "code": code}

    assert _same_key(up("@", "KeyQ"), {"key": "q"}, "qwertz-de")
    assert _same_key(up("Z", "KeyY"), {"key": "z"}, "qwertz-de")
    assert not _same_key(up("Z", "KeyY"), {"key": "y"}, "qwertz-de")
    assert _same_key(up("A"), {"key": "a"}, "qwerty-us") and not _same_key(up("A"), {"key": "s"}, "qwerty-us")
    assert not _same_key({"type": "key_down", "key": "A", "code": "KeyA"}, {"key": "a"}, "qwerty-us")


def test_an_hcisim_dataset_as_the_capture_is_on_its_own_sessions_clock(truth, tmp_path):
    """A capture saved as an hcisim dataset (e.g. by `hcisim record`) has session times: with its own
    wall-clock start it lines up with the truth (it was a -1.8e12 ms 'offset' before)."""
    r = audit(truth, truth, "hcisim")
    assert abs(r.clock_offset_ms) < 1.0 and r.missing == 0 and r.extra == 0 and r.key_errors == []


def test_a_folder_as_a_log_and_gates_that_pass_anything_are_one_line(truth, tmp_path):
    """A folder crashed (IsADirectoryError, exit 1: read as a failed audit); --max-missing 5 (read as "5 events")
    and nan passed an empty log."""
    def cli(*extra, captured=None):
        return subprocess.run([sys.executable, "-m", "simulator.cli", "audit", "--truth", str(truth), "--captured",
                               str(captured or truth), "--format", "jsonl", *extra], capture_output=True, text=True)

    r = cli()
    assert r.returncode == 2 and r.stderr.strip() == (f"error: {truth}: is a folder; --format jsonl reads one log "
                                                      "file (a dataset: --format hcisim)")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    r = cli("--max-missing", "5", captured=empty)
    assert r.returncode == 2 and r.stderr.strip() == ("error: --max-missing is a share of the truth's events between "
                                                      "0 and 1 (0.01 = 1 %), not 5.0")
    for field, value, said in [("max_missing_rate", float("nan"), "--max-missing is a share"),
                               ("max_extra_rate", -0.1, "--max-extra is a share"),
                               ("max_coord_error_px", -1.0, "--max-coord-error must be a number >= 0, not -1.0"),
                               ("max_key_errors", -1, "--max-key-errors must be a number >= 0, not -1")]:
        with pytest.raises(HcisimError, match=said):
            Thresholds(**{field: value})
    Thresholds(max_missing_rate=1.0, max_extra_rate=1.0, max_key_errors=0)  # the loosest gates are gates


def test_a_log_holding_an_earlier_run_too_is_extra_events_not_a_clock_error(truth, tmp_path):
    """Presses aligned in order matched the earlier run: "clock offset -300000 ms" for a logger whose clock
    was right."""
    earlier = captured_log(tmp_path / "a.jsonl", shift_ms=-300_000.0)
    this = captured_log(tmp_path / "b.jsonl")
    (tmp_path / "both.jsonl").write_text(earlier.read_text() + this.read_text())
    r = audit(truth, tmp_path / "both.jsonl", "jsonl")
    assert abs(r.clock_offset_ms) < 1.0 and r.missing == 0
    assert r.failures == [f"extra events: {r.extra} (100.0%)"]


def test_every_key_error_is_counted_though_twenty_are_shown(truth, tmp_path):
    """The table and the JSON's list said 20 (the examples kept) where the failure line said 86."""
    log = captured_log(tmp_path / "keys.jsonl", mask=False)
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    keys = [r for r in rows if r["type"].startswith("key") and r["key"] != "Shift"]
    for r in keys:
        r["key"] = "#"  # a logger with a broken keymap
    log.write_text("".join(json.dumps(r) + "\n" for r in rows))
    r = audit(truth, log, "jsonl")
    assert len(keys) >= r.key_error_count >= len(keys) - 2 > 20 and len(r.key_errors) == 20
    assert f"key mapping errors: {r.key_error_count} (e.g." in " ".join(r.failures)
    assert json.loads(r.to_json())["key_error_count"] == r.key_error_count


def test_a_truth_of_several_sessions_says_which_one_is_audited_and_session_picks(tmp_path):
    """Only the truth's first session was audited and nothing said so; there was no way to pick another."""
    from pathlib import Path

    fixture = Path(__file__).resolve().parents[2] / "fixtures" / "checkout_form-offline"

    def run(*extra):
        return subprocess.run([sys.executable, "-m", "simulator.cli", "audit", "--truth", str(fixture), "--captured",
                               str(fixture), "--format", "hcisim", "--json", *extra], capture_output=True, text=True)

    first, second = run(), run("--session", "s00001")
    assert first.stderr.strip() == (f"note: {fixture} holds 2 sessions; auditing the log against s00000 "
                                    f"(--session picks another)")
    assert second.stderr == ""
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert a["truth_events"] != b["truth_events"] and b["missing"] == 0 and b["extra"] == 0
