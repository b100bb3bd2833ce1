"""An exported script acts, in Chromium, on the element its session chose of several (``.nth(i)``)."""

import pytest

from simulator.locate import role
from tests.browser.test_replay_checks import _run_exports
from tests.helpers import serve_folder
from tests.replay.sessions import step, write_session

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><title>Rows</title>
<ul><li>Alpha <button>Edit</button></li><li>Beta <button>Edit</button></li></ul><p id="edited" hidden>Beta edited</p>
<script>document.querySelectorAll("button")[1].addEventListener("click",
  () => { document.getElementById("edited").hidden = false; });</script>"""


def test_the_second_of_two_edit_buttons_is_the_one_the_exported_script_clicks(tmp_path):
    from replay.export import export

    click = step(1, "click", "Edit", 0.0, role="button")
    click["target_selector"] = f"{role('button', 'Edit').nth(1)} | css=li:nth-of-type(2) > button"
    read = step(2, "read", "edited", 500.0, "", role=None)
    read.update(target_selector="css=#edited", target_name=None)  # shows once the chosen row's Edit is clicked
    navigate = step(0, "navigate", "start", -500.0, "", role=None)
    navigate.update(target_selector=None, target_name=None, params='{"url": "/rows.html"}')
    source = export(write_session(tmp_path / "ds", [navigate, click, read]), "playwright",
                    tmp_path / "rows.py").read_text()
    assert ".get_by_role('button', name='Edit').nth(1).click()" in source
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "rows.html").write_text(PAGE)  # only the second row's Edit shows the note the read checks
    with serve_folder(tmp_path / "site") as url:
        assert _run_exports(source, [url + "/"]) == [True]
