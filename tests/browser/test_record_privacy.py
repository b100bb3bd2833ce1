"""What a person types into private fields stays out of a recording: tables, descriptors and screenshots.

Driven for real in Chromium on the demo app; the secrets are this test's own strings.
"""

import io
import json

import numpy as np
import pytest
from PIL import Image

from replay.export import export
from replay.record import record
from replay.replayer import Replayer
from scenarios.apps.web.server import serve
from simulator.dataset import read_dataset

pytestmark = pytest.mark.browser

CARD = "4111222233334444"
NOTE = "TopSecretZebra"
COUNTRY = "Netherlands"


def _region(png: bytes, box: dict) -> np.ndarray:
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    x, y, w, h = (int(round(box[k])) for k in ("x", "y", "width", "height"))
    return img[y + 3:y + h - 3, x + 3:x + w - 3]


def test_private_fields_stay_out_of_tables_descriptors_and_screenshots(tmp_path):
    seen = {}

    def drive(d):
        p = d.page
        # a card field as real sites write it: a token list, in any case
        p.evaluate("() => document.getElementById('form-card').setAttribute('autocomplete', 'section-pay billing "
                   "CC-Number')")
        p.click("#form-card")
        p.keyboard.type(CARD, delay=20)
        for key in ("Shift", "CapsLock"):  # a named key says which characters were capitals
            p.keyboard.down(key)
            p.keyboard.press("KeyQ")
            p.keyboard.up(key)
        p.select_option("#form-country", label=COUNTRY)  # a private select: its choice is the secret
        d.poll()
        seen.update(box=p.locator("#form-card").bounding_box(), masked=d.screenshot(), raw=p.screenshot())
        p.click("#nav-editor")  # (an address typed sooner than 3 s after the select is taken to be its doing)
        p.wait_for_url("**/editor")
        p.click("#editor-body")
        p.keyboard.type(NOTE, delay=20)
        p.click("#editor-save")  # its descriptor's neighbours are read around the editor
        p.click("#editor-bold")
        p.wait_for_timeout(200)
        d.poll()

    with serve("v1") as server:
        path = record(f"{server.url}/form", tmp_path / "rec", headless=True, drive=drive,
                      sensitive_selectors=["#editor-body", "#form-country"])
        # replayed with stand-ins: "x" for each "•", no press for a withheld key, some option for the select
        replayed = Replayer(path, server.url, tmp_path / "replay", timing="fast").run()
    ds = read_dataset(path)
    assert ds.manifest.command[:3] == ["hcisim", "record", "--url"]  # how it was recorded, the URL included
    tables = json.dumps([t.to_pylist() for t in (ds.events, ds.actions, ds.received)], default=str)
    assert CARD not in tables and NOTE not in tables and "Zebra" not in tables
    card_keys = [r["key"] for r in ds.received.to_pylist() if r["type"] == "key_down" and r["target"] and
                 "form-card" in r["target"]]
    assert card_keys == ["•"] * len(CARD) + ["Unidentified", "•"] * 2
    assert COUNTRY not in tables
    chosen = [a for a in ds.actions.to_pylist() if a["kind"] == "select"]
    assert len(chosen) == 1 and chosen[0]["text_typed"] is None and json.loads(chosen[0]["params"])["sensitive"]
    script = export(path, "playwright", tmp_path / "replay_test.py").read_text()
    assert COUNTRY not in script and ".select_option(label=secret(" in script
    on_form = {st.step: st.status for st in replayed.steps if "Country" in st.step or "Card" in st.step}
    assert on_form == {"click Card number": "ok", "type Card number": "ok", "select Country": "ok"}, on_form
    assert replayed.passed, [(st.step, st.status, st.message) for st in replayed.steps]  # the editor's too
    sent = [r["key"] for r in read_dataset(replayed.out).events.to_pylist() if r["type"] == "key_down"]
    assert sent[:len(CARD) + 2] == ["x"] * (len(CARD) + 2)  # no press of a withheld key
    assert {r["button"] for r in ds.received.to_pylist() if r["type"] == "down"} == {"left"}  # as generated runs
    clicks = {a["target_name"]: a for a in ds.actions.to_pylist() if a["kind"] == "click"}
    assert "Save draft" in clicks  # the neighbour whose descriptor used to carry the editor's words
    # the screenshot's card field is painted over, where the page itself shows the digits
    masked, raw = _region(seen["masked"], seen["box"]), _region(seen["raw"], seen["box"])
    assert (masked == 128).all()
    assert raw.std() > 10  # the unmasked field has digits drawn in it: the check above could fail
    # and every recorded frame is the masked kind: none shows the raw field
    frames = [p.read_bytes() for p in path.rglob("*.png")]
    assert frames and all(f != seen["raw"] for f in frames)


def test_a_sensitive_selector_the_page_cannot_read_is_refused_before_recording(tmp_path):
    """The page skipped a malformed selector, so the field it was meant to hide was stored in clear."""
    from simulator.errors import HcisimError

    with serve("v1") as server, pytest.raises(HcisimError, match=r"--sensitive '###bad\[': not a valid CSS selector"):
        record(f"{server.url}/login", tmp_path / "rec", headless=True, drive=lambda d: None,
               sensitive_selectors=["#login-username", "###bad["])
    assert not (tmp_path / "rec").exists()


def test_a_password_sent_by_a_get_form_stays_out_of_the_received_table(tmp_path):
    """A form sent by GET puts the password into the next page's URL: the page seen leaving it (received's
    navigate_away) kept ?pw=... in clear. Its parameter, named as a private field, is stored as •."""
    from urllib.parse import parse_qs, urlsplit

    from simulator.runner import RunConfig, run
    from tests.helpers import serve_folder

    site = tmp_path / "site"
    site.mkdir()
    (site / "form.html").write_text(
        '<!doctype html><form method="get" action="welcome.html"><label>User <input name="u"></label>'
        '<label>Password <input type="password" name="pw"></label><button>Go</button></form>')
    (site / "welcome.html").write_text('<!doctype html><h1>Welcome</h1><a href="form.html">Back</a>')
    script = tmp_path / "getform.py"
    script.write_text('"""A GET form."""\nfrom simulator.locate import label, role\nAPP = "web"\nSTART = "/form.html"\n\n'
                      'def run(s):\n    s.type(label("User"), "alice")\n    s.type(label("Password"), "Canary-S3cret")\n'
                      '    s.click(role("button", "Go"))\n    s.click(role("link", "Back"))\n')
    with serve_folder(site) as url:
        run(RunConfig(scenario=str(script), driver="browser", url=url, seed=1, out=tmp_path / "o", command=["t"],
                      direct_input=True))  # (a person's timing is not what is checked here; 33 s -> 13 s)
    rc = read_dataset(tmp_path / "o").table("received").to_pylist()
    left = [r["target"] for r in rc if r["type"] == "navigate_away" and "welcome" in (r["target"] or "")]
    assert left and all(parse_qs(urlsplit(u).query) == {"u": ["alice"], "pw": ["•"]} for u in left), left
    assert not any("Canary-S3cret" in str(v) for r in rc for v in r.values())
