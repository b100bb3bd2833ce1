"""v2 is a fair test for replay: the project's own locator finds every v1 control again, except the removed button.

This holds the demo app to issue 7's acceptance from the app's side: what changed in
v2 (ids, a few test ids, labels, order, layout) must leave each control findable by
``replay.locate.best_match`` on some remaining handle, and the one removed button must
find nothing -- otherwise replay could not report it as the first divergence.
"""

from __future__ import annotations

import pytest

from replay.locate import CANDIDATES_JS, best_match
from simulator.drivers.browser import CAPTURE_JS

pytestmark = pytest.mark.browser

RENAMED_TESTIDS = {"login-submit": "signin-submit", "form-phone": "form-telephone", "search-submit": "search-go",
                   "column-done": "lane-done", "nav-editor": "nav-compose"}
REMOVED = "search-clear"
CONTROLS = ("a, button, input, select, textarea, [role=combobox], [role=option], [contenteditable=true], "
            ".card-item, .column")
DESCRIBE_JS = "(sel) => Array.from(document.querySelectorAll(sel), (e) => window.__hcisim.describe(e))"
# Page, and what opens the parts that are hidden at first (the dropdown's options, the dialog).
PAGES = [("/login", None), ("/form", "form-language"), ("/search?q=garden", None), ("/detail?q=garden&r=7", None),
         ("/board", None), ("/dialog", "dialog-open"), ("/editor", None)]


@pytest.fixture
def capture_page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.add_init_script(CAPTURE_JS)
    yield ctx.new_page()
    ctx.close()


@pytest.mark.parametrize("path,opener", PAGES)
def test_every_v1_control_is_found_on_v2_except_the_removed_button(capture_page, app_v1, app_v2, path, opener):
    page = capture_page
    page.goto(app_v1 + path)
    if opener:
        page.get_by_test_id(opener).click()
    recorded = page.evaluate(DESCRIBE_JS, CONTROLS)
    page.goto(app_v2 + path)
    if opener:
        page.get_by_test_id(opener).click()
    candidates = page.evaluate(CANDIDATES_JS)

    assert len(recorded) >= 8
    wrong = []
    for desc in recorded:
        match = best_match(desc, candidates)
        if desc["testid"] == REMOVED:
            if match.found:
                wrong.append((desc["testid"], "removed button still matched", match.candidate["testid"]))
            continue
        want = RENAMED_TESTIDS.get(desc["testid"], desc["testid"])
        got = match.candidate["testid"] if match.found else None
        if got != want:
            wrong.append((desc["testid"], want, got, match.strategy, round(match.score, 2)))
    assert not wrong, wrong
    if path.startswith("/search"):
        assert any(d["testid"] == REMOVED for d in recorded)
