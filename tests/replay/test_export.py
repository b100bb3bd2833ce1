"""Exports of a generated session, and replay's answer to input it cannot use."""

import ast
import json
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "checkout_form-offline"


def test_playwright_export_is_a_readable_script_with_best_locators(tmp_path):
    out = tmp_path / "test_checkout.py"
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "export", str(FIXTURE), "--to", "playwright",
                        "--out", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    source = out.read_text()
    ast.parse(source)  # valid Python
    # an element is located by its test id or, where a new build renamed that, its role and name; named once
    assert "login_username = one(page.get_by_test_id('login-username'), page.get_by_role('textbox', name='Username'))" \
        in source and "login_username.fill(" in source and source.count("get_by_test_id('login-username')") == 1
    assert ".select_option(label=" in source or "get_by_role('option'" in source
    # a sensitive field's value is never written into an export: each field reads its own variable
    assert ".fill(secret('SECRET_PASSWORD'))" in source and ".fill(secret('SECRET_CARD_NUMBER'))" in source
    assert "page.goto(at('./login'))" in source  # a generated session holds paths: BASE_URL says where
    assert "form_country.select_option(label=" in source  # native select
    # each typed text is checked where it went: a script that lost a field's text passed
    fills = [ln for ln in source.splitlines() if ".fill(" in ln and "secret(" not in ln]
    assert fills and all(
        nxt.strip() == f"expect({ln.strip().split('.fill(')[0]}).to_have_value({ln.strip().split('.fill(')[1][:-1]})"
        for ln, nxt in zip(source.splitlines(), source.splitlines()[1:]) if ln in fills)


def test_a_drag_is_let_go_where_it_was_and_the_order_it_left_is_asserted():
    from replay.export import _drag

    params = {"from": [10, 10], "to": [350, 450], "placed": {
        "parent": {"role": "list", "name": "Done", "css": "#done"}, "order": ["Set up CI", "Update docs"]},
        "drop": {"css": "#done", "role": "list", "name": "Done", "box": {"x": 300, "y": 250, "w": 200, "h": 400},
                 "scroll": {"x": 0, "y": 50}}}
    assert _drag("page.get_by_test_id('card')", params) == [
        "page.get_by_test_id('card').drag_to(page.get_by_role('list', name='Done'), "
        "target_position={'x': 50, 'y': 250})",
        "expect(page.get_by_role('list', name='Done').locator(':scope > *')).to_have_text(['Set up CI', "
        "'Update docs'])"]
    params["placed"]["order"][0] = None  # a private card's text was never recorded: no assertion on the order
    assert len(_drag("page.get_by_test_id('card')", params)) == 1
    assert _drag("x", {"drop_target": {"css": "#col"}}) == ["x.drag_to(page.locator('#col'))"]


def test_an_existing_export_is_replaced_only_when_asked_and_nothing_else_is(tmp_path):
    """A script edited since its export was overwritten without a word; and with --overwrite, `export my_app`
    beside the scenario script my_app.py replaced the script."""
    out = tmp_path / "test_checkout.py"
    cmd = [sys.executable, "-m", "simulator.cli", "export", str(FIXTURE), "--to", "playwright", "--out", str(out)]
    assert subprocess.run(cmd, capture_output=True, text=True).returncode == 0
    edited = out.read_text() + "# edited by hand\n"
    out.write_text(edited)
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.strip() == f"error: {out} already exists; choose another --out or pass --overwrite"
    assert out.read_text() == edited
    r = subprocess.run(cmd + ["--overwrite"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "def run(page):" in out.read_text() and "edited by hand" not in out.read_text()
    for to, name in (("playwright", "my_app.py"), ("rrweb", "notes.json")):
        mine = tmp_path / name
        mine.write_text("from scenarios import step\n" if to == "playwright" else '{"notes": 1}')
        r = subprocess.run(cmd[:6] + [to, "--out", str(mine), "--overwrite"], capture_output=True, text=True)
        assert r.returncode == 2 and r.stderr.strip().startswith(f"error: {mine} exists and is not "), r.stderr
        assert "\n" not in r.stderr.strip() and mine.read_text().startswith(("from scenarios", '{"notes"'))


def test_rrweb_export_has_meta_snapshot_and_input(tmp_path):
    out = tmp_path / "s.json"
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "export", str(FIXTURE), "--to", "rrweb",
                        "--out", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    events = json.loads(out.read_text())
    assert [e["type"] for e in events[:2]] == [4, 2]
    sources = {e["data"].get("source") for e in events if e["type"] == 3}
    assert {1, 2, 5} <= sources  # mouse moves, clicks, inputs
    times = [e["timestamp"] for e in events]
    assert times == sorted(times)
    # a sensitive field's value (the password, the card number) is masked as rrweb masks inputs
    from simulator.dataset import read_dataset
    ds = read_dataset(FIXTURE)
    acts = [a for a in ds.actions.to_pylist() if a["kind"] == "type" and a["session_id"] == ds.session(None)]
    secret = [a["text_typed"] for a in acts if json.loads(a["params"] or "{}").get("sensitive")]
    inputs = [e["data"]["text"] for e in events if e["type"] == 3 and e["data"].get("source") == 5]
    assert len(secret) >= 2 and not set(secret) & set(inputs) and "*" * len(secret[0]) in inputs
    assert set(inputs) >= {a["text_typed"] for a in acts} - set(secret)  # the other fields as typed


def test_replay_of_something_that_is_not_a_recording(tmp_path):
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "manifest.json").write_text("{not json")
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "replay", str(tmp_path / "junk"), "--url",
                        "http://127.0.0.1:9/"], capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert r.stderr.startswith("error: ") and "not valid JSON" in r.stderr


def test_an_exported_script_says_which_variable_it_needs_in_one_line(tmp_path):
    """It typed "change-me" into every password field; a generated session's script went to a bare path."""
    out = tmp_path / "test_checkout.py"
    subprocess.run([sys.executable, "-m", "simulator.cli", "export", str(FIXTURE), "--to", "playwright",
                    "--out", str(out)], check=True, capture_output=True)
    env = {"PATH": "/usr/bin:/bin"}
    r = subprocess.run([sys.executable, str(out)], capture_output=True, text=True, env=env)
    assert r.returncode == 1 and r.stderr.strip() == "set BASE_URL to the address of the app, e.g. http://127.0.0.1:8000/"
    with_base = {**env, "BASE_URL": "http://127.0.0.1:9/app"}  # the folder, named without its slash
    r = subprocess.run([sys.executable, "-c", f"exec(open({str(out)!r}).read().replace(\"__main__\", \"x\")); "
                        "print(at('./login')); secret('SECRET_PASSWORD')"], capture_output=True, text=True,
                       env=with_base)
    assert r.stdout.strip() == "http://127.0.0.1:9/app/login"
    assert r.returncode == 1 and r.stderr.strip() == "set SECRET_PASSWORD: the recording never stored this field's value"


def test_a_private_field_typed_into_twice_reads_one_variable(tmp_path):
    """A password typed, left and typed again needed SECRET_PASSWORD and SECRET_PASSWORD_2, and the second fill
    replaced the first: the field held only the last variable's value."""
    from replay.export import to_playwright
    from tests.replay.sessions import REFERENCE, step, write_session

    again = [*REFERENCE[:2], step(2, "type", "Username", 1000.0, "ada l"),
             step(3, "type", "Password", 1500.0, "more", sensitive=True),
             step(4, "type", "PIN", 2000.0, "1234", sensitive=True)]
    source = to_playwright(write_session(tmp_path / "s", again))
    fills = [ln.strip() for ln in source.splitlines() if "secret('" in ln and ".fill(" in ln]
    assert [f.split("secret(")[1].split(")")[0] for f in fills] == ["'SECRET_PASSWORD'"] * 2 + ["'SECRET_PIN'"]
    assert "SECRET_PASSWORD=... SECRET_PIN=... python this_file.py" in source


def test_secret_names_come_from_the_field_and_never_repeat():
    from replay.export import secret_name

    taken: set[str] = set()
    assert secret_name({"label": "Card number"}, taken) == "SECRET_CARD_NUMBER"
    assert secret_name({"label": "Card number"}, taken) == "SECRET_CARD_NUMBER_2"
    assert secret_name({"id": "pw"}, taken) == "SECRET_PW"
    assert secret_name({"label": "Пароль"}, taken) == "SECRET_FIELD"


def test_an_rrweb_export_with_a_position_json_cannot_hold_is_refused_whole(tmp_path, monkeypatch):
    """NaN was written as a bare ``NaN`` token: not JSON, so rrweb's player stopped at load (unit: a dataset
    with a NaN position can only be made by hand, so the session's events are stood in for)."""
    import pytest

    from replay import export as ex
    from simulator.errors import HcisimError

    events = ex.to_rrweb(FIXTURE)
    events[-1] = {**events[-1], "data": {**events[-1].get("data", {}), "x": float("nan")}}
    monkeypatch.setattr(ex, "to_rrweb", lambda root, session=None: events)
    out = tmp_path / "session.json"
    with pytest.raises(HcisimError, match="a pointer event has no finite position"):
        ex.export(FIXTURE, "rrweb", out)
    assert not out.exists()
    monkeypatch.undo()
    ex.export(FIXTURE, "rrweb", out)
    assert json.loads(out.read_text())[0]["type"] == 4  # meta first, strict JSON


def test_a_desktop_session_is_neither_replayed_nor_exported_as_a_web_page(tmp_path):
    """A Tk session was driven in Chromium (every step "element not found") and exported as web locators."""
    from simulator.dataset import Manifest, write_dataset

    act = dict(session_id="s00000", action_id=0, parent_id=None, kind="click", step="click Help", t_start_ms=0.0,
               t_end_ms=10.0, params="{}")
    ds = write_dataset(tmp_path / "desk", Manifest(driver="desktop", coordinate_space="screen_px", seed=1),
                       {"events": [dict(session_id="s00000", seq=0, t_ms=0.0, device="mouse", type="move", x=1.0,
                                        y=1.0)], "actions": [act]})
    said = f"error: {ds}: a desktop dataset in screen_px (the X desktop); "
    for cmd, doing in ((["replay", str(ds), "--url", "http://127.0.0.1:9/", "--out", str(tmp_path / "r")], "replay"),
                       (["export", str(ds), "--to", "playwright", "--out", str(tmp_path / "t.py")],
                        "a Playwright export")):
        r = subprocess.run([sys.executable, "-m", "simulator.cli", *cmd], capture_output=True, text=True)
        assert r.returncode == 2 and r.stderr.strip() == said + f"{doing} drives web pages in Chromium", r.stderr
    assert not (tmp_path / "r").exists() and not (tmp_path / "t.py").exists()


def test_a_rich_text_editor_is_typed_into_not_filled(tmp_path):
    """compose_message's body is a contenteditable: fill() replaced its text and with it the Bold the person had
    just switched on, and to_have_value does not apply to it. It is typed at the caret and its text asserted."""
    r = subprocess.run([sys.executable, "-m", "simulator.cli", "run", "compose_message", "--driver", "offline",
                        "--sessions", "1", "--out", str(tmp_path / "cm")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    from replay.export import to_playwright

    lines = [ln.strip() for ln in to_playwright(tmp_path / "cm").splitlines()]
    assert "editor_body = one(page.get_by_test_id('editor-body'), page.get_by_role('textbox', name='Message'))" \
        in lines
    body = [ln for ln in lines if ln.startswith("editor_body.") or ln.startswith("expect(editor_body)")]
    assert body and body[0].startswith("editor_body.press_sequentially(")
    assert any(ln.startswith("expect(editor_body).to_have_text(") for ln in body)
    assert not any(".fill(" in ln or "to_have_value" in ln for ln in body)
    assert any(ln.startswith("expect(editor_subject).to_have_value(") for ln in lines)


def test_a_label_is_exported_whole_not_as_a_substring_another_label_also_holds():
    from replay.export import _locators, _pick

    # get_by_label("Letter") also finds "Subscribe to the newsletter": a strict-mode error in the script
    assert _locators({"label": "Letter"}) == ["page.get_by_label('Letter', exact=True)"]
    # an always-open listbox's option is its own, not one of another list offering the same
    assert _pick("colour", "listbox", "Red") == "colour.get_by_role('option', name='Red', exact=True).click()"


def test_a_step_that_chose_one_of_several_matches_is_exported_with_its_choice():
    """A scenario's ``role("button", "Edit").nth(1)`` was exported as ``get_by_role('button', name='Edit')``,
    which finds both buttons: the script stopped on Playwright's strict-mode error."""
    from replay.export import chosen_match

    def action(selector):
        return {"target_selector": f"{selector} | css=main > button:nth-of-type(2)"}

    assert chosen_match(action('role=button[name="Edit"] >> nth=1')) == \
        "page.get_by_role('button', name='Edit').nth(1)"
    assert chosen_match(action('label="Letter"s >> nth=0')) == "page.get_by_label('Letter', exact=True).nth(0)"
    assert chosen_match(action('testid="row-edit" >> nth=2')) == "page.get_by_test_id('row-edit').nth(2)"
    assert chosen_match(action("css=li > a >> nth=3")) == "page.locator('li > a').nth(3)"
    assert chosen_match(action('role=button[name="Edit"]')) is None  # one element: the two-way locator
    # an option of a list is picked in its list, whichever match (`_pick`)
    assert chosen_match(action('label="Country" >> role=option[name="Spain"s] >> nth=0')) is None
