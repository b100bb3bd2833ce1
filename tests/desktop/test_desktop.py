"""The Tk app driven for real on Xvfb, recorded by a real X logger, audited against the ground truth."""

import contextlib
import json
import os
import signal
import time

import pytest

from replay.audit import audit
from simulator.dataset import read_dataset, validate_dataset
from tests.live import assert_sent_on_deadlines, private_display

pytestmark = pytest.mark.desktop


@pytest.fixture(scope="module")
def display():
    """An Xvfb for this module's own driving (the session under test was made on one of its own: tests/live.py)."""
    with private_display() as name:
        yield name


def test_app_received_what_was_intended(desktop_run):
    res, _ = desktop_run
    assert validate_dataset(res.out) == []
    ds = read_dataset(res.out)
    state = json.loads((res.out / "final_state.json").read_text())["s00000"]
    typed = {a["target_name"]: a["text_intended"] for a in ds.actions.to_pylist() if a["kind"] == "type"}
    assert state["fields"]["name"] == typed["Name"]
    assert state["fields"]["email"] == typed["Email"]
    assert state["fields"]["password_length"] == len(typed["Password"])
    assert state["submissions"] and state["menu_actions"] == ["Help > About"]
    assert state["list"]["selected_item"] is not None
    # what the person did, not what differs between two runs of it (compare judges the task by equal states)
    assert not {"presses", "widgets", "menus", "window", "writes", "key_releases"} & set(state)
    assert ds.manifest.coordinate_space == "screen_px" and ds.manifest.screen == ds.manifest.viewport  # its size


def test_every_press_is_checked_against_what_the_app_received(desktop_run):
    """The Tk app logs each press with the widget, list row or menu entry under it; the run's agreement
    check holds every click of the ground truth to it (a press that switched the open menu instead of
    choosing About would be named here)."""
    res, _ = desktop_run
    ds = read_dataset(res.out)
    clicks = [a for a in ds.actions.to_pylist() if a["kind"] == "click"]
    assert res.stats["clicks_checked"] == len(clicks) >= 6
    assert res.stats["clicks_on_target"] == res.stats["clicks_checked"]
    got = [r["target"] for r in ds.received.to_pylist()]
    assert "menu-Help" in got and "menu-Help-About" in got and "about_ok" in got


def test_desktop_events_are_sent_at_their_deadlines(desktop_run):
    res = desktop_run[0]
    late = assert_sent_on_deadlines(res.out)
    assert len(late) == res.stats["dispatched_events"] > 100, res.stats


def test_real_logger_passes_the_audit_but_for_the_password_it_logs(desktop_run):
    """The X logger records every key as X delivers it, as an OS-level logger does: all it captured matches the
    truth, and the password's keys are in it -- the leak such a capture stack makes, and the audit says so."""
    res, log = desktop_run
    r = audit(res.out, log, "xrecord")
    ds = read_dataset(res.out)
    pw = next(a["action_id"] for a in ds.actions.to_pylist() if a["kind"] == "type" and a["target_name"] == "Password")
    keys = [e["key"] for e in ds.events.to_pylist() if e["action_id"] == pw and e["type"] == "key_down"
            and len(e["key"]) == 1]
    assert r.matched > 100 and r.missing == 0 and r.extra == 0 and r.key_errors == []
    assert r.leaks == [f"{log.name}: {len(keys)} key(s) typed into sensitive fields captured in clear "
                       "(the secret can be read from the key log)"]
    assert r.failures == [f"privacy leak: {r.leaks[0]}"]


def _rewrite(log, path, *, drop_every=0, shift_s=0.0, append=None):
    rows = [json.loads(line) for line in log.read_text().splitlines()]
    rows = [r for i, r in enumerate(rows) if not (drop_every and i % drop_every == 0)]
    for r in rows:
        r["t"] += shift_s
    if append:
        rows.append({**rows[-1], **append})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_faulty_loggers_are_caught(desktop_run, tmp_path):
    res, log = desktop_run
    password = next(a["text_intended"] for a in read_dataset(res.out).actions.to_pylist()
                    if a["kind"] == "type" and a["target_name"] == "Password")
    dropped = audit(res.out, _rewrite(log, tmp_path / "drop.jsonl", drop_every=5), "xrecord")
    assert any(f.startswith("missing events") for f in dropped.failures)
    shifted = audit(res.out, _rewrite(log, tmp_path / "shift.jsonl", shift_s=0.25), "xrecord")
    assert any(f.startswith("clock offset") for f in shifted.failures)
    leaky = audit(res.out, _rewrite(log, tmp_path / "leak.jsonl", append={"type": "text", "text": password}),
                  "xrecord")
    assert any("contains the secret typed into a sensitive field" in leak for leak in leaky.leaks)


def test_characters_no_us_key_makes_reach_the_tk_field(display):
    """é, typographic quotes and ß have no key on the US layout pyautogui presses: they go on spare keycodes.
    The app is stopped while they are typed, as a busy app is behind: it reads the keymap only when it handles a
    key, and ``xdotool type`` had mapped each keycode back by then (CI's Tk lost ``’`` of ``Zoë’ß``; stopped, it
    lost every one). On the module's display (pyautogui binds to the display it is first imported with)."""
    import numpy as np

    from simulator import plan as P
    from simulator.drivers.desktop import DesktopDriver
    from simulator.locate import role
    from simulator.typing import synth_typing

    text = "Zoë’ßÇ—é"
    with contextlib.ExitStack() as stack:
        d = DesktopDriver(None, stack)
        d.start_session("s")
        name, submit = d.locate(role("textbox", "Name")), d.locate(role("button", "Submit"))
        ev = synth_typing([text], profile="aalto", rng=np.random.default_rng(1), uncorrected_errors=False)[0]
        nx, ny = name.box.x + name.box.w / 2, name.box.y + name.box.h / 2
        sx, sy = submit.box.x + submit.box.w / 2, submit.box.y + submit.box.h / 2

        def now(plan: P.Plan) -> None:
            d._t0 = time.perf_counter()
            d.dispatch(plan)

        now(P.Plan.concat([P.moves(np.array([10.0]), np.array([nx]), np.array([ny])),
                           P.press_release(60.0, 80.0, nx, ny)]))
        assert d.field_value(role("textbox", "Name")) == ""  # the click has landed: the field has the focus
        app = d._proc.pid
        os.kill(app, signal.SIGSTOP)
        try:
            now(P.keys(ev.t_ms - ev.t_ms[0], ev.type, ev.key, ev.code))
        finally:
            os.kill(app, signal.SIGCONT)
        now(P.Plan.concat([P.moves(np.array([10.0]), np.array([sx]), np.array([sy])),
                           P.press_release(60.0, 80.0, sx, sy)]))
        deadline = time.monotonic() + 5
        while not (d.app_state() or {}).get("submissions") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert d.app_state()["fields"]["name"] == text
        # what the ground truth's text_typed reads: the field's value as the app holds it, never a password's
        assert d.field_value(role("textbox", "Name")) == text
        assert d.field_value(role("textbox", "Password")) is None
        d.end_session()


def test_spare_keycodes_are_reused_when_they_run_out_and_left_empty_at_the_end(display):
    """More characters than the keymap has empty keycodes: the one bound longest ago is bound again, never one
    held down; closing leaves the keymap as it found it (on a person's display, their keymap)."""
    from Xlib import display as xdisplay

    from simulator.drivers.xkeys import SpareKeys, keysym_for
    from simulator.errors import HcisimError

    x = xdisplay.Display(display)
    info = x.display.info
    keymap = lambda: x.get_keyboard_mapping(info.min_keycode, info.max_keycode - info.min_keycode + 1)  # noqa: E731
    before = [tuple(k) for k in keymap()]
    keys = SpareKeys(display)
    chars = [chr(0x0410 + i) for i in range(len(keys._spare) + 3)]  # Cyrillic letters, one per keycode and more
    keys.press(chars[0], True)  # held: must keep its keycode
    keys.bind(chars[1:])
    now = keymap()
    for ch in [chars[0], *chars[-len(keys._spare) + 1:]]:  # the held one and the newest
        assert any(keysym_for(ch) in syms for syms in now), ch
    assert not any(keysym_for(chars[1]) in syms for syms in now)  # the oldest not held was bound again
    for ch in list(keys._bound):
        keys.press(ch, True)
    with pytest.raises(HcisimError, match="no empty keycode left"):  # every one held: one line, not a traceback
        keys.bind(["Я"])
    keys.close()
    assert [tuple(k) for k in keymap()] == before
    x.close()


def test_a_killed_run_takes_its_xvfb_and_app_along(tmp_path):
    """SIGKILL to `hcisim run --driver desktop` (a CI hard kill, the OOM killer) left its private Xvfb and the Tk
    app running for good, parent 1, as it once did the recorder's key logger."""
    import os
    import signal
    import subprocess
    import sys

    from tests.desktop.test_desktop_record import _children, _running

    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}  # a private Xvfb, started by the run
    p = subprocess.Popen([sys.executable, "-m", "simulator.cli", "run", "desktop_form", "--driver", "desktop",
                          "--out", str(tmp_path / "o")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(kids := _children(p.pid)) < 2 and time.monotonic() < deadline:  # Xvfb, then the app
            time.sleep(0.1)
        assert len(kids) == 2
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait()
    deadline = time.monotonic() + 10
    while any(_running(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [k for k in kids if _running(k)]
    for k in left:  # not ours to leave behind, whatever the outcome
        os.kill(k, signal.SIGKILL)
    assert not left
