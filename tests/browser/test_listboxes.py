"""Custom listboxes as pages build them: each ends on the option asked for, or the step says it did not.

Three ARIA patterns on one page: a select-only combobox whose keys start from the chosen option (the APG
pattern; the bundled app's starts from none), a listbox that is always open, and a button that opens a
listbox (aria-haspopup). Driven for real in Chromium through the Actor, keys and pointer paths both. The
pointer goes straight and keys at a fixed rhythm (DirectModels, as `agent-run --no-humanlike`): where a pick
ends does not depend on the fitted paths and typing, and at their pace the two tests took 37 s, not 22.
"""

import contextlib

import pytest

from simulator import locate
from simulator.drivers.browser import BrowserDriver
from simulator.models import DirectModels
from simulator.pacing import DirectPacing
from simulator.rng import session_seed
from simulator.scenario import Actor
from tests.helpers import serve_folder

pytestmark = pytest.mark.browser

PAGE = """<!doctype html><title>Lists</title><style>[role=option].active{background:#ccd}</style>
<p><span id="wl">Gift wrap</span>
<div id="wrap" role="combobox" tabindex="0" aria-labelledby="wl" aria-controls="wrap-list" aria-expanded="false">None</div>
<ul id="wrap-list" role="listbox" hidden>
  <li id="w0" role="option" aria-selected="true">None</li><li id="w1" role="option">Paper</li>
  <li id="w2" role="option">Ribbon</li><li id="w3" role="option">Box and ribbon</li></ul></p>
<p><span id="cl">Colour</span>
<ul id="colour" role="listbox" aria-labelledby="cl" tabindex="0">
  <li id="c0" role="option" aria-selected="true">Red</li><li id="c1" role="option">Green</li>
  <li id="c2" role="option">Blue</li><li id="c3" role="option">Yellow</li><li id="c4" role="option">Black</li></ul></p>
<p><button id="ship" aria-label="Shipping" aria-haspopup="listbox" aria-controls="ship-list">Standard</button>
<ul id="ship-list" role="listbox" hidden>
  <li id="s0" role="option" aria-selected="true">Standard</li><li id="s1" role="option">Express</li>
  <li id="s2" role="option">Overnight</li></ul></p>
<script>
// a button that opens a listbox: the same keys, the highlight named on the button
function popup(box, list, label) {
  const opts = Array.from(list.children);
  let chosen = 0, active = -1;
  const render = () => {
    opts.forEach((o, i) => o.setAttribute("aria-selected", i === chosen));
    box.textContent = opts[chosen].textContent;
    if (active >= 0) box.setAttribute("aria-activedescendant", opts[active].id); else box.removeAttribute("aria-activedescendant");
  };
  box.addEventListener("click", () => { list.hidden = !list.hidden; active = list.hidden ? -1 : chosen; render(); });
  box.addEventListener("keydown", e => {
    if (list.hidden) return;
    if (e.key === "ArrowDown") { active = Math.min(active + 1, opts.length - 1); render(); e.preventDefault(); }
    if (e.key === "ArrowUp") { active = Math.max(active - 1, 0); render(); e.preventDefault(); }
    if (e.key === "Enter") { chosen = active; active = -1; list.hidden = true; render(); e.preventDefault(); }
  });
  opts.forEach((o, i) => o.addEventListener("click", () => { chosen = i; active = -1; list.hidden = true; render(); }));
}
popup(document.getElementById("ship"), document.getElementById("ship-list"));
// APG select-only combobox: opening highlights the chosen option; arrows move from there
const box = document.getElementById("wrap"), list = document.getElementById("wrap-list");
const opts = Array.from(list.children);
let chosen = 0, active = -1;
function render() {
  opts.forEach((o, i) => { o.setAttribute("aria-selected", i === chosen); o.classList.toggle("active", i === active); });
  box.textContent = opts[chosen].textContent;
  if (active >= 0) box.setAttribute("aria-activedescendant", opts[active].id); else box.removeAttribute("aria-activedescendant");
}
function open() { list.hidden = false; box.setAttribute("aria-expanded", "true"); active = chosen; render(); }
function close() { list.hidden = true; box.setAttribute("aria-expanded", "false"); active = -1; render(); }
box.addEventListener("click", () => list.hidden ? open() : close());
box.addEventListener("keydown", e => {
  if (list.hidden) return;
  if (e.key === "ArrowDown") { active = Math.min(active + 1, opts.length - 1); render(); e.preventDefault(); }
  if (e.key === "ArrowUp") { active = Math.max(active - 1, 0); render(); e.preventDefault(); }
  if (e.key === "Enter") { chosen = active; close(); e.preventDefault(); }
});
opts.forEach((o, i) => o.addEventListener("click", () => { chosen = i; close(); }));
const colours = Array.from(document.getElementById("colour").children);
colours.forEach(o => o.addEventListener("click", () => colours.forEach(c => c.setAttribute("aria-selected", c === o))));
</script>"""


def served(root):
    (root / "lists.html").write_text(PAGE)
    return serve_folder(root)


class Choosing(DirectPacing):
    """Automation's pacing, but taking the less direct way every time (True: a list by keys) or never."""

    def __init__(self, take: bool):
        self.take = take

    def chance(self, rng, p):
        return self.take


def test_each_listbox_pattern_ends_on_the_option_asked_for(tmp_path):
    with served(tmp_path) as url, contextlib.closing(BrowserDriver(headless=True)) as driver:
        driver.start_session("s0")
        actor = Actor(driver, DirectModels(), session_seed(0, 0), "s0", base_url=url)
        actor.pace = Choosing(True)  # by keys where a widget takes keys (the pointer path was right)
        actor.goto("/lists.html")
        actor.select(locate.role("combobox", "Gift wrap"), "Ribbon")
        actor.select(locate.role("listbox", "Colour"), "Yellow")  # always open: by pointer, never pressed open
        actor.select(locate.role("button", "Shipping"), "Express")
        driver.end_session()
    got = [(a["text_intended"], a["text_typed"], a["outcome"]) for a in actor.rec.actions if a["kind"] == "select"]
    assert [(want, typed) for want, typed, _ in got] == [("Ribbon", "Ribbon"), ("Yellow", "Yellow"),
                                                         ("Express", "Express")], got
    assert all(outcome in ("ok", "miss_corrected") for _, _, outcome in got), got
    keys = [a["text_intended"] for a in actor.rec.actions if a["kind"] == "key"]
    assert keys.count("Enter") == 2  # the combobox and the button went by keys


TWO_LISTS = """<!doctype html><title>Two lists</title>
<label>Country <select id="country"><option>France</option><option>Spain</option><option>Italy</option></select></label>
<p><span id="bl">Billing country</span>
<ul id="billing" role="listbox" aria-labelledby="bl" tabindex="0">
  <li role="option" aria-selected="true">France</li><li role="option">Spain</li><li role="option">Italy</li></ul>
<p><span id="dl">Delivery country</span>
<ul id="delivery" role="listbox" aria-labelledby="dl" tabindex="0">
  <li role="option" aria-selected="true">France</li><li role="option">Spain</li><li role="option">Italy</li></ul>
<p><button id="from" aria-label="Ship from" aria-haspopup="listbox" aria-controls="from-list">France</button>
<ul id="from-list" role="listbox" hidden>
  <li role="option">France</li><li role="option">Spain</li><li role="option">Italy</li></ul>
<script>
const from = document.getElementById("from"), fromList = document.getElementById("from-list");
from.addEventListener("click", () => { fromList.hidden = !fromList.hidden; });
for (const o of fromList.children) o.addEventListener("click", () => { from.textContent = o.textContent; fromList.hidden = true; });
for (const list of document.querySelectorAll("[role=listbox]:not(#from-list)")) {
  const opts = Array.from(list.children);
  opts.forEach(o => o.addEventListener("click", () => opts.forEach(c => c.setAttribute("aria-selected", c === o))));
}
</script>"""


def test_an_option_is_picked_from_the_list_opened_though_another_offers_it_too(tmp_path):
    """Two listboxes and a native select offer the same countries: each pick is the option of the list the step
    opened, live and offline from the layout the live run saved (the option's locator names its list)."""
    from simulator.drivers.offline import LAYOUT_VERSION, LayoutRecorder, OfflineDriver

    (tmp_path / "two.html").write_text(TWO_LISTS)
    billing, delivery = locate.role("listbox", "Billing country"), locate.role("listbox", "Delivery country")
    ship_from = locate.role("button", "Ship from")
    recorder = LayoutRecorder((1280, 800))
    with serve_folder(tmp_path) as url, contextlib.closing(BrowserDriver(layout_recorder=recorder)) as driver:
        driver.start_session("s0")
        actor = Actor(driver, DirectModels(), session_seed(0, 0), "s0", base_url=url)
        actor.goto("/two.html")
        actor.pace = Choosing(False)  # the popup by pointer: its options are those it controls
        actor.select(delivery, "Italy")
        actor.select(billing, "Spain")
        actor.select(ship_from, "Spain")
        driver.end_session()
    got = [(a["target_selector"].partition(" | ")[0], a["text_typed"]) for a in actor.rec.actions
           if a["kind"] == "select"]
    assert got == [('role=listbox[name="Delivery country"]', "Italy"), ('role=listbox[name="Billing country"]', "Spain"),
                   ('role=button[name="Ship from"]', "Spain")]
    picks = [a for a in actor.rec.actions if a["step"].startswith("pick")]
    assert [a["target_selector"].partition(" | ")[0] for a in picks] == [
        'role=listbox[name="Delivery country"] >> role=option[name="Italy"s]',
        'role=listbox[name="Billing country"] >> role=option[name="Spain"s]',
        'role=button[name="Ship from"] >> role=option[name="Spain"s]']
    assert picks[0]["box_y"] > picks[1]["box_y"]  # the delivery list is the lower one

    offline = OfflineDriver({"version": LAYOUT_VERSION, "viewport": [1280, 800], "pages": recorder.pages})
    offline.start_session("s1")
    actor = Actor(offline, DirectModels(), session_seed(0, 1), "s1", base_url=url)
    actor.goto("/two.html")
    actor.select(billing, "Italy")  # an option no step picked live: found through the list the sweep saw it in
    actor.select(delivery, "France")
    picks = [a for a in actor.rec.actions if a["step"].startswith("pick")]
    assert [a["target_selector"].partition(" | ")[0] for a in picks] == [
        'role=listbox[name="Billing country"] >> role=option[name="Italy"s]',
        'role=listbox[name="Delivery country"] >> role=option[name="France"s]']
    assert picks[0]["box_y"] < picks[1]["box_y"]
