"""`hcisim record --desktop`: its key logger never outlives it, and what it logged is never lost or stuck."""

import contextlib
import os
import signal
import subprocess
import sys
import time

import pytest

from simulator.dataset import read_dataset
from simulator.jsonl import read_jsonl
from simulator.drivers.xdisplay import ensure_display

pytestmark = pytest.mark.desktop


def _children(pid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            with contextlib.suppress(OSError):
                if int(open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(d))
    return out


def _running(pid: int) -> bool:
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _logged(log, done, timeout: float = 30.0) -> None:
    """Wait until the X logger has written what ``done`` (a test on its rows so far) looks for. X hands input
    to the logger in order, so what came before is there too. A fixed 0.5 s was a guess: the logger and the
    recorder run at the suite's low priority beside the real-time sessions and may wait longer for a core."""
    deadline = time.monotonic() + timeout
    while True:
        rows = read_jsonl(log, cut_short_ok=True) if log.exists() else []
        if done(rows):
            return
        assert time.monotonic() < deadline, f"not logged within {timeout} s; the log's last rows: {rows[-4:]}"
        time.sleep(0.05)


def _ups(n: int, kind: str = "key_up"):
    """Done when ``n`` releases (of keys, or ``up`` of buttons) are logged."""
    return lambda rows: sum(r["type"] == kind for r in rows) >= n


def _released(key: str):
    """Done when ``key``'s release is logged."""
    return lambda rows: any(r["type"] == "key_up" and r.get("key") == key for r in rows)


def test_a_killed_recorder_takes_its_logger_along_and_the_next_record_saves_what_it_logged(tmp_path):
    """SIGKILL to the recorder left `python -m replay.xlogger` logging every key on the machine (parent 1) into a
    world-readable file, and that file then blocked its --out for good."""
    with contextlib.ExitStack() as stack:
        env = {**os.environ, "DISPLAY": ensure_display(stack, size=(320, 240))}
        cmd = [sys.executable, "-m", "simulator.cli", "record", "--desktop", "--out", str(tmp_path / "rec")]
        p = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
        assert "typed characters are withheld" in p.stderr.readline()
        subprocess.run(["xdotool", "mousemove", "20", "20", "click", "1", "type", "ab"], env=env, check=True)
        log = tmp_path / ".rec.xrecord.jsonl"
        _logged(log, _ups(2))
        loggers = _children(p.pid)
        assert loggers
        assert oct(log.stat().st_mode & 0o777) == "0o600"  # keys typed are nobody else's to read
        p.send_signal(signal.SIGKILL)
        p.wait()
        deadline = time.monotonic() + 5
        while any(_running(c) for c in loggers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_running(c) for c in loggers)
        r = subprocess.run(cmd, env=env, capture_output=True, text=True)
        assert r.returncode == 2 and r.stderr.strip() == (f"error: found an unfinished recording for {tmp_path / 'rec'}; "
                                                          "it was saved there -- record again to another --out")
        assert [e["key"] for e in read_dataset(tmp_path / "rec").events.to_pylist() if e["type"] == "key_down"] == \
            ["•", "•"]
        assert not log.exists()
        # the recording holds a person's input: as private as the log (it was 0o755)
        assert oct((tmp_path / "rec").stat().st_mode & 0o777) == "0o700"


def test_flags_for_browser_recordings_are_refused_with_desktop_and_keep_text_without_it(tmp_path):
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "record", "--desktop", "--sensitive", "#pw", "--out",
                        str(tmp_path / "o")], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.startswith("error: --sensitive: for browser recordings; --desktop stores "
                                                     "no typed character")
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "record", "--url", "http://127.0.0.1:9/", "--keep-text",
                        "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.startswith("error: --keep-text: for --desktop recordings")
    assert not (tmp_path / "o").exists()


def test_no_typed_character_is_stored_unless_asked(tmp_path):
    """X does not say which field has focus, so `record --desktop` stored every key as typed, passwords included,
    and only warned. Typed characters are withheld now -- in the logger, so not even its log holds them -- as a
    browser recording withholds a password field's: their timing, Backspace, Enter and shortcuts stay."""
    with contextlib.ExitStack() as stack:
        env = {**os.environ, "DISPLAY": ensure_display(stack, size=(320, 240))}
        cmd = [sys.executable, "-m", "simulator.cli", "record", "--desktop", "--out", str(tmp_path / "rec")]
        p = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
        assert "typed characters are withheld" in p.stderr.readline()
        for args in (["type", "Hunter2x"], ["key", "BackSpace", "Return", "ctrl+s"]):
            subprocess.run(["xdotool", *args], env=env, check=True)
        _logged(tmp_path / ".rec.xrecord.jsonl", _released("Control"))
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
    ds = read_dataset(tmp_path / "rec")
    downs = [(e["key"], e["code"]) for e in ds.events.to_pylist() if e["type"] == "key_down"]
    assert downs == [("Unidentified", None)] + [("•", None)] * 8 + [("Backspace", "Backspace"), ("Enter", "Enter"),
                                                                     ("Control", "ControlLeft"), ("s", "KeyS")]
    acts = [(a["kind"], a["text_typed"], a["params"]) for a in ds.actions.to_pylist()]
    assert acts == [("type", None, '{"length": 7, "sensitive": true}'), ("key", "Enter", None),
                    ("key", "Control+s", None)]
    stored = b"".join(f.read_bytes() for f in (tmp_path / "rec").rglob("*") if f.is_file())
    assert b"Hunter" not in stored and b"KeyH" not in stored


def test_keys_are_named_as_the_page_would_name_them_and_commands_are_not_typing(tmp_path):
    """CapsLock was ignored (`abc` stored for ABC), Ctrl+A became a typed `a`, keypad keys kept X names (KP_End),
    horizontal wheel and side buttons became clicks with buttons '6' and '8'."""
    with contextlib.ExitStack() as stack:
        env = {**os.environ, "DISPLAY": ensure_display(stack, size=(320, 240))}
        cmd = [sys.executable, "-m", "simulator.cli", "record", "--desktop", "--keep-text", "--out",
               str(tmp_path / "rec")]
        p = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
        assert "every key as typed, passwords included" in p.stderr.readline()
        for args in (["key", "Caps_Lock"], ["type", "ab"], ["key", "Caps_Lock"], ["type", "c"], ["key", "ctrl+a"],
                     ["key", "KP_1", "KP_Enter", "Menu"], ["mousemove", "50", "50", "click", "6", "click", "8"]):
            subprocess.run(["xdotool", *args], env=env, check=True)
        _logged(tmp_path / ".rec.xrecord.jsonl", _ups(1, "up"))  # button 8's release, the last input
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
    ds = read_dataset(tmp_path / "rec")
    ev = ds.events.to_pylist()
    keys = [e["key"] for e in ev if e["type"] == "key_down" and e["key"] != "NumLock"]  # xdotool's own, for KP_1
    assert keys == ["CapsLock", "A", "B", "CapsLock", "c", "Control", "a", "1", "Enter", "ContextMenu"]
    acts = [(a["kind"], a["text_typed"]) for a in ds.actions.to_pylist()]
    assert ("type", "ABc") in acts and ("key", "Control+a") in acts and ("click", None) not in acts
    assert [(e["dx"], e["dy"]) for e in ev if e["type"] == "wheel"] == [(-100.0, 0.0)]
    assert {e["button"] for e in ev if e["type"] in ("down", "up")} == {"other"}


def test_key_times_are_when_x_saw_the_keys_not_when_the_logger_read_them(tmp_path):
    """RECORD hands events over in batches: a logger busy for a moment (here: stopped) stamped a burst of keys
    typed 40 ms apart with the one time it read them, intervals of 0 ms in a dataset about typing rhythm."""
    log = tmp_path / "x.jsonl"
    with contextlib.ExitStack() as stack:
        env = {**os.environ, "DISPLAY": ensure_display(stack, size=(320, 240))}
        p = subprocess.Popen([sys.executable, "-m", "replay.xlogger", str(log)], env=env, stderr=subprocess.PIPE,
                             text=True)
        assert "ready" in p.stderr.readline()  # said once X sends it events
        p.send_signal(signal.SIGSTOP)
        subprocess.run(["xdotool", "type", "--delay", "80", "abcd"], env=env, check=True)
        p.send_signal(signal.SIGCONT)
        _logged(log, _ups(4))
        p.terminate()
        p.wait(timeout=10)
    downs = [r["t"] for r in read_jsonl(log) if r["type"] == "key_down"]
    gaps_ms = [1000 * (b - a) for a, b in zip(downs, downs[1:])]
    assert len(downs) == 4 and all(g > 25 for g in gaps_ms), gaps_ms  # xdotool waits 40 ms between keys


def test_a_layout_s_third_level_keys_codes_and_double_clicks_are_recorded_as_a_page_would_see_them(tmp_path,
                                                                                                    monkeypatch):
    """On a German layout AltGr+Q types `@` (was `q`), the key left of U types `z` on the key a page calls `KeyY`
    (`code` was empty), and two quick clicks were two clicks instead of one double click."""
    monkeypatch.delenv("DISPLAY", raising=False)  # a display of our own: its keyboard layout changes
    with contextlib.ExitStack() as stack:
        env = {**os.environ, "DISPLAY": ensure_display(stack, size=(320, 240))}
        subprocess.run(["setxkbmap", "de"], env=env, check=True)
        cmd = [sys.executable, "-m", "simulator.cli", "record", "--desktop", "--keep-text", "--out",
               str(tmp_path / "rec")]
        p = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True)
        assert "every key as typed, passwords included" in p.stderr.readline()
        for args in (["key", "ISO_Level3_Shift+q", "z"], ["mousemove", "40", "40", "click", "--repeat", "2",
                                                          "--delay", "120", "1"], ["sleep", "0.8", "click", "1"]):
            subprocess.run(["xdotool", *args], env=env, check=True)
        _logged(tmp_path / ".rec.xrecord.jsonl", _ups(3, "up"))
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
    ds = read_dataset(tmp_path / "rec")
    assert all(e["t_ms"] == round(e["t_ms"]) for e in ds.events.to_pylist())  # the server's whole milliseconds
    downs = [(e["key"], e["code"]) for e in ds.events.to_pylist() if e["type"] == "key_down"]
    assert downs == [("AltGraph", None), ("@", "KeyQ"), ("z", "KeyY")]  # xdotool's AltGr: XKB's virtual LVL3 key
    acts = ds.actions.to_pylist()
    assert [a["kind"] for a in acts] == ["type", "double_click", "click"]
    assert acts[0]["text_typed"] == "@z"
    assert ds.manifest.command[-2:] == ["--out", str(tmp_path / "rec")]


def test_characters_typed_on_a_key_mapped_for_them_are_logged_as_typed(tmp_path):
    """A character no key makes (ö, €) is typed by mapping it onto a spare keycode, pressing that and mapping it
    back -- as xdotool does. The mapping was back to nothing before the logger
    read the events, so each was logged `Unidentified(8)`, and an audit of a desktop run counted key errors."""
    log = tmp_path / "x.jsonl"
    with contextlib.ExitStack() as stack:
        env = {**os.environ, "DISPLAY": ensure_display(stack, size=(320, 240))}
        p = subprocess.Popen([sys.executable, "-m", "replay.xlogger", str(log)], env=env, stderr=subprocess.PIPE,
                             text=True)
        assert "ready" in p.stderr.readline()
        subprocess.run(["xdotool", "type", "aö€"], env=env, check=True)
        subprocess.run(["xdotool", "type", "--delay", "0", "łЖ"], env=env, check=True)
        _logged(log, _ups(5))
        p.terminate()
        p.wait(timeout=10)
    rows = read_jsonl(log)
    assert [r["key"] for r in rows if r["type"] == "key_down"] == list("aö€łЖ")
    assert [r["key"] for r in rows if r["type"] == "key_up"] == list("aö€łЖ")


def test_a_display_that_closes_ends_the_log_in_one_line_and_the_recorder_says_so(tmp_path):
    """The X server going away (a session logged out, an Xvfb killed) made the logger end in a traceback, and
    `record --desktop` then said only "recording saved", as if it had been stopped, after a recording cut short."""
    from simulator.drivers.xdisplay import xvfb_display

    log = tmp_path / "x.jsonl"
    with xvfb_display(size=(320, 240)) as display:
        env = {**os.environ, "DISPLAY": display}
        logger = subprocess.Popen([sys.executable, "-m", "replay.xlogger", str(log)], env=env,
                                  stderr=subprocess.PIPE, text=True)
        assert "ready" in logger.stderr.readline()
        rec = subprocess.Popen([sys.executable, "-m", "simulator.cli", "record", "--desktop", "--out",
                                str(tmp_path / "rec")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True)
        assert "typed characters are withheld" in rec.stderr.readline()
        subprocess.run(["xdotool", "mousemove", "20", "20", "click", "1"], env=env, check=True)
        _logged(log, _ups(1, "up"))
        _logged(tmp_path / ".rec.xrecord.jsonl", _ups(1, "up"))
    assert logger.wait(timeout=10) == 1
    assert logger.stderr.read() == "error: the X display closed (logged until then)\n"
    assert [r["type"] for r in read_jsonl(log) if r["type"] != "move"] == ["down", "up"]
    assert rec.wait(timeout=30) == 0
    assert rec.stderr.read() == "note: the recording ended early: the X display closed (logged until then)\n"
    assert [e["type"] for e in read_dataset(tmp_path / "rec").events.to_pylist() if e["type"] != "move"] == \
        ["down", "up"]


def test_a_character_let_go_after_ctrl_went_down_is_withheld_as_its_press_was(tmp_path):
    """A key pressed alone and let go once Ctrl was down (typing on into Ctrl+V, Ctrl+A) had its release logged
    with the Ctrl held, as a command, so in clear: `p` and `KeyP` of a password in a log that withholds text."""
    log = tmp_path / "x.jsonl"
    with contextlib.ExitStack() as stack:
        env = {**os.environ, "DISPLAY": ensure_display(stack, size=(320, 240))}
        p = subprocess.Popen([sys.executable, "-m", "replay.xlogger", "--withhold-text", str(log)], env=env,
                             stderr=subprocess.PIPE, text=True)
        assert "ready" in p.stderr.readline()
        subprocess.run(["xdotool", "keydown", "p", "keydown", "Control_L", "keyup", "p", "key", "v", "keyup",
                        "Control_L"], env=env, check=True)
        _logged(log, _released("Control"))
        p.terminate()
        p.wait(timeout=10)
    keys = [(r["type"], r["key"], r["code"]) for r in read_jsonl(log)]
    assert keys == [("key_down", "•", None), ("key_down", "Control", "ControlLeft"), ("key_up", "•", None),
                    ("key_down", "v", "KeyV"), ("key_up", "v", "KeyV"), ("key_up", "Control", "ControlLeft")]


def test_a_recording_stopped_before_x_answered_leaves_no_log_behind(tmp_path):
    """Ctrl-C while the logger was still connecting left an empty `.rec.xrecord.jsonl` beside --out."""
    from simulator.drivers.xdisplay import xvfb_display

    with xvfb_display(size=(320, 240)) as display:
        server, = [c for c in _children(os.getpid()) if open(f"/proc/{c}/comm").read().strip() == "Xvfb"]
        os.kill(server, signal.SIGSTOP)  # the logger's connection waits: it has made its log, and is not ready
        try:
            p = subprocess.Popen([sys.executable, "-m", "simulator.cli", "record", "--desktop", "--out",
                                  str(tmp_path / "rec")], env={**os.environ, "DISPLAY": display},
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            log = tmp_path / ".rec.xrecord.jsonl"
            deadline = time.monotonic() + 30
            while not log.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert log.exists()
            p.send_signal(signal.SIGINT)
            assert p.wait(timeout=30) == 130 and p.stderr.read() == "interrupted\n"
        finally:
            os.kill(server, signal.SIGCONT)
    assert sorted(os.listdir(tmp_path)) == []


def test_a_recording_of_nothing_says_so_and_a_log_cut_short_at_its_first_line_does_not_block_its_out(tmp_path):
    """Nothing recorded was said as `error: DIR/.rec.xrecord.jsonl: nothing was recorded`, a hidden file already
    removed; a log killed while writing its first line was refused that way by every later record to its --out."""
    (tmp_path / ".rec.xrecord.jsonl").write_text('{"t": 17956994')
    with contextlib.ExitStack() as stack:
        env = {**os.environ, "DISPLAY": ensure_display(stack, size=(320, 240))}
        r = subprocess.run([sys.executable, "-m", "simulator.cli", "record", "--desktop", "--duration", "0.5",
                            "--out", str(tmp_path / "rec")], env=env, capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.splitlines()[-1] == (f"error: nothing was recorded (no X input before it stopped); "
                                         f"{tmp_path / 'rec'} was not written")
    assert os.listdir(tmp_path) == []


def test_alt_pressed_with_shift_held_is_a_modifier_not_a_step(tmp_path):
    """Shift+Alt (a layout switch on many desktops) gave Alt's shifted keysym, `Meta_L`, no DOM key name: it became
    a `press Meta_L` step, and with text withheld an `Unidentified` key instead of a kept modifier."""
    with contextlib.ExitStack() as stack:
        env = {**os.environ, "DISPLAY": ensure_display(stack, size=(320, 240))}
        p = subprocess.Popen([sys.executable, "-m", "simulator.cli", "record", "--desktop", "--out",
                              str(tmp_path / "rec")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True)
        assert "typed characters are withheld" in p.stderr.readline()
        subprocess.run(["xdotool", "key", "shift+alt", "Return"], env=env, check=True)
        _logged(tmp_path / ".rec.xrecord.jsonl", _released("Enter"))
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=30)
    ds = read_dataset(tmp_path / "rec")
    assert [e["key"] for e in ds.events.to_pylist() if e["type"] == "key_down"] == ["Unidentified", "Meta", "Enter"]
    assert [a["step"] for a in ds.actions.to_pylist()] == ["press Enter"]
