"""Replay fails where the build does: a link that no longer navigates, text that is not on screen.

A recording made for real in Chromium on a two-page site, replayed on that site and on a broken build
of it (the link does nothing and sits lower on the page).
"""

import contextlib
import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from replay.record import record
from replay.replayer import Replayer
from simulator.dataset import read_dataset
from simulator.errors import HcisimError
from tests.helpers import serve_folder

pytestmark = pytest.mark.browser

PAGE_A = """<!doctype html><title>A</title>
<label for="cty">Country</label> <select id="cty"><option value="fr">France</option><option value="no">Norway</option>
</select>
<p id="done" hidden>Order complete</p>
<div style="margin-top: {gap}px"><a id="go" href="{href}">Continue</a></div>"""
PAGE_B = "<!doctype html><title>B</title><h1>Page B</h1>"


@contextlib.contextmanager
def site(root, *, broken: bool, under: str = ""):
    """The two pages, served from ``root`` (in its folder ``under``: an app under a sub-path)."""
    (root / under).mkdir(parents=True)
    (root / under / "a.html").write_text(PAGE_A.format(gap=220 if broken else 20,
                                                       href="javascript:void(0)" if broken else "b.html?from=a"))
    (root / under / "b.html").write_text(PAGE_B)
    with serve_folder(root) as url:
        yield url


@pytest.fixture(scope="module", autouse=True)
def local_site_waits():
    """The sites here are static pages served from this machine: a build that has not navigated, or shown what a
    step looks for, 2 s after being asked never will. The 5 s a replay gives a build (BUILD_WAIT_MS after a
    click, LOCATE_TIMEOUT_MS for a read's element) and an exported script's expect() gives a page are for apps
    slower than that; here they only lengthen the runs on broken builds, which wait them out."""
    from playwright.sync_api import expect

    expect.set_options(timeout=2000)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("replay.replayer.BUILD_WAIT_MS", 2000.0)
        mp.setattr("simulator.drivers.browser.LOCATE_TIMEOUT_MS", 2000)
        yield
    expect.set_options(timeout=None)  # its default (5 s) for the other modules' tests


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    root = tmp_path_factory.mktemp("replaychecks")

    def drive(d):
        p = d.page
        p.select_option("#cty", label="Norway")  # value "no": replay must pick it by its label
        p.wait_for_timeout(200)
        p.click("#go")
        p.wait_for_url("**/b.html?from=a")
        p.wait_for_timeout(300)
        d.poll()

    with site(root / "good", broken=False) as url:
        rec = record(f"{url}/a.html", root / "rec", headless=True, drive=drive)
        ok = Replayer(rec, url, root / "replay-good", timing="fast").run()
    with site(root / "broken", broken=True) as url:  # also asked for text that is there, but hidden
        broken = Replayer(rec, url, root / "replay-broken", timing="fast",
                          checkpoints=[{"after_step": 2, "kind": "text_present", "text": "Order complete"}]).run()
    return rec, ok, broken


def test_replay_on_the_same_site_passes_with_the_option_picked_by_label(recorded):
    rec, ok, _ = recorded
    kinds = [a["kind"] for a in read_dataset(rec).actions.to_pylist()]
    assert kinds.count("select") == 1 and kinds.count("navigate") == 2
    sel = next(a for a in read_dataset(rec).actions.to_pylist() if a["kind"] == "select")
    assert sel["text_intended"] == "Norway"
    # the screenshot the click asked for is the click's, though the navigation it caused began first
    click = next(a for a in read_dataset(rec).actions.to_pylist() if a["kind"] == "click")
    assert click["action_id"] in set(read_dataset(rec).frames.column("action_id").to_pylist())
    assert ok.passed, [(s.step, s.status, s.message, s.checkpoints) for s in ok.steps]


def test_a_link_that_no_longer_navigates_fails_the_replay(recorded):
    _, _, broken = recorded
    assert not broken.passed
    nav = [s for s in broken.steps if s.kind == "navigate"][-1]
    assert not all(c.ok for c in nav.checkpoints), nav  # the replay waited for b.html and did not go there


def test_text_that_is_hidden_is_not_present(recorded):
    check = [c for s in recorded[2].steps for c in s.checkpoints if c.name.startswith("text")]
    assert len(check) == 1 and not check[0].ok  # <p hidden>Order complete</p> is in the page, not on screen


def test_the_replay_dataset_says_where_and_when_this_build_was_acted_on(recorded):
    rec, ok, broken = recorded
    rec_click = next(a for a in read_dataset(rec).actions.to_pylist() if a["kind"] == "click")
    rep_click = next(a for a in read_dataset(broken.out).actions.to_pylist() if a["kind"] == "click")
    assert rep_click["box_y"] == pytest.approx(rec_click["box_y"] + 200, abs=2)  # the broken build's link is lower
    steps = read_dataset(ok.out).actions.to_pylist()
    assert all(a["t_start_ms"] <= a["t_end_ms"] for a in steps)
    assert [a["t_start_ms"] for a in steps] != [a["t_start_ms"] for a in read_dataset(rec).actions.to_pylist()
                                               if a["parent_id"] is None]


def test_bad_checkpoints_and_outs_are_refused_before_the_browser_starts(recorded, tmp_path):
    rec = recorded[0]
    for cps, msg in [({"kind": "url"}, "expected a JSON list"), ([{"kind": "url"}], "needs path"),
                     ([{"kind": "nope"}], "unknown kind"),
                     ([{"kind": "text_present", "text": "x", "after_step": 99}], "not a step of this replay"),
                     ([{"kind": "element_visible", "locator": 'label="City'}], "is not one of role="),
                     ([{"kind": "element_visible", "locator": "zzz=foo"}], "is not one of role="),
                     ([{"kind": "field_value", "locator": " ", "value": ""}], "is not one of role="),
                     ([{"kind": "text_present", "text": "x", "after_step": True}], "not a step of this replay"),
                     ([{"kind": "text_present", "text": " "}], "an empty text is on every page"),
                     ([{"kind": "url", "path": "/search?q=chess"}], "must be a path such as"),
                     ([{"kind": "url", "path": "http://127.0.0.1:8001/search"}], "must be a path such as")]:
        with pytest.raises(HcisimError, match=msg):
            Replayer(rec, "http://127.0.0.1:9", tmp_path / "o", checkpoints=cps)
    with pytest.raises(HcisimError, match="is the recording being replayed"):
        Replayer(rec, "http://127.0.0.1:9", rec, overwrite=True)
    with pytest.raises(HcisimError, match="holds the recording being replayed"):
        Replayer(rec, "http://127.0.0.1:9", rec.parent, overwrite=True)
    for speed in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(HcisimError, match="--speed must be a positive number"):
            Replayer(rec, "http://127.0.0.1:9", tmp_path / "o", speed=speed)
    (tmp_path / "o").mkdir()  # an empty folder (mktemp -d) is taken as it is; one with something in it is not
    (tmp_path / "o" / "notes.txt").write_text("mine")
    with pytest.raises(HcisimError, match=r"already exists and is not a dataset; choose another --out \(--overwrite "
                                          r"replaces only datasets\)"):  # (it said "or pass --overwrite", then refused it)
        Replayer(rec, "http://127.0.0.1:9", tmp_path / "o")
    with pytest.raises(HcisimError, match="is not a dataset"):
        Replayer(rec, "http://127.0.0.1:9", tmp_path / "o", overwrite=True)



def _run_exports(source: str, urls: list[str], init_script: str | None = None) -> list[bool]:
    """Run an exported script's ``run(page)`` in one Chromium against each copy of the site (its BASE_URL),
    each page first running ``init_script`` if given; True where it completes (a locator or a navigation that
    never comes, or a failed assertion, fails it)."""
    from playwright.sync_api import Error, sync_playwright

    from simulator.drivers.browser import launch_chromium

    done = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        for url in urls:
            ns: dict = {}
            exec(compile(source, "exported", "exec"), ns)
            ns["BASE_URL"] = url
            page = browser.new_page()
            if init_script:
                page.add_init_script(init_script)
            page.set_default_timeout(2000)  # a local two-page site: what has not come by then never will
            try:
                ns["run"](page)
                done.append(True)
            except (Error, AssertionError):  # a locator or navigation that never came; an expect(...) that failed
                done.append(False)
            page.close()
        browser.close()
    return done


def test_an_exported_script_passes_on_the_site_and_fails_where_the_link_is_dead(recorded, tmp_path):
    from replay.export import export

    source = export(recorded[0], "playwright", tmp_path / "test_site.py").read_text()
    # the link's page has a query: the script waits for its path (a glob on the path never matched)
    assert "select_option(label='Norway')" in source
    assert "wait_for_url(lambda url: urlsplit(url).path == urlsplit(at('./b.html')).path)" in source
    assert source.count("page.goto(") == 1  # only the start: the link must navigate by itself
    with site(tmp_path / "good", broken=False) as good, site(tmp_path / "broken", broken=True) as broken, \
            site(tmp_path / "sub", broken=False, under="v2") as sub:
        assert _run_exports(source, [good + "/", broken + "/", sub + "/v2/", sub + "/"]) == [True, False, True, False]


def test_a_build_served_under_a_sub_path_is_replayed_there(recorded, tmp_path):
    """--url's path was dropped: a build at http://host/v2/ was replayed at http://host/a.html, a 404."""
    with site(tmp_path / "sub", broken=False, under="v2") as origin:
        r = Replayer(recorded[0], f"{origin}/v2/", tmp_path / "o", timing="fast",
                     checkpoints=[{"kind": "url", "path": "/b.html"}]).run()  # a path of the recorded app
        assert r.passed, [(s.step, s.status, s.message, s.checkpoints) for s in r.steps]
        visited = [urlsplit(c.detail).path for s in r.steps if s.kind == "navigate" for c in s.checkpoints]
        assert visited == ["/v2/a.html", "/v2/b.html"]
        with pytest.raises(HcisimError, match=r"HTTP 404; an app under a sub-path needs --url to end with '/'"):
            Replayer(recorded[0], f"{origin}/v2", tmp_path / "o2", timing="fast").run()


def test_an_app_that_goes_away_mid_replay_fails_the_steps_left_and_keeps_the_results(recorded, tmp_path):
    """Chromium's error page after a failed load made the next navigation look like the first one: the replay
    stopped with "app not reachable" and the steps already replayed were lost."""
    root = tmp_path / "site"
    root.mkdir()
    (root / "a.html").write_text(PAGE_A.format(gap=20, href="b.html?from=a"))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(SimpleHTTPRequestHandler, directory=str(root)))
    httpd.RequestHandlerClass.log_message = lambda *a: None
    threading.Thread(target=httpd.serve_forever, daemon=True).start()

    def app_goes_away(done: int, total: int) -> None:
        if done == 1:
            httpd.shutdown()
            httpd.server_close()

    r = Replayer(recorded[0], f"http://127.0.0.1:{httpd.server_address[1]}", tmp_path / "o",
                 timing="fast").run(progress=app_goes_away)
    assert r.steps[0].status == "ok" and not r.passed
    assert not all(c.ok for c in r.steps[-1].checkpoints)  # b.html never came
    assert (tmp_path / "o" / "manifest.json").is_file()


def _generated_session(path):
    """A generated session's shape (paths; targets in the target_* columns): open a.html, follow the link, read
    page B's heading -- as a scenario's closing ``s.read(...)`` proves that its task succeeded."""
    import json

    from simulator.dataset import Manifest, write_dataset

    def row(aid, kind, t, step, **target):
        return dict(session_id="s0", action_id=aid, kind=kind, t_start_ms=t, t_end_ms=t + 300.0, step=step,
                    outcome="ok", params=json.dumps({"url": "/a.html"} if kind == "navigate" else {}), **target)

    actions = [row(0, "navigate", 0.0, "goto /a.html"),
               row(1, "click", 500.0, 'click role=link[name="Continue"]', target_selector='role=link[name="Continue"]'
                   ' | css=#go', target_role="link", target_name="Continue", target_text="Continue", target_id="go"),
               row(2, "read", 1000.0, 'read role=heading[name="Page B"]', target_selector='role=heading[name="Page '
                   'B"] | css=body > h1', target_role="heading", target_name="Page B", target_text="Page B")]
    return write_dataset(path, Manifest(driver="browser", seed=0, scenario="hand", sessions=["s0"]),
                         {"events": [], "actions": actions})


def test_a_read_step_fails_where_the_build_never_shows_what_it_read(tmp_path):
    """A read step was a pause: a generated session whose closing read is its proof of success (the page the link
    leads to) passed on a build whose link does nothing."""
    session = _generated_session(tmp_path / "gen")
    with site(tmp_path / "good", broken=False) as good, site(tmp_path / "broken", broken=True) as broken:
        ok = Replayer(session, good, tmp_path / "ok", timing="fast").run()
        bad = Replayer(session, broken, tmp_path / "bad", timing="fast").run()
    assert ok.passed, [(s.step, s.status, s.message, s.checkpoints) for s in ok.steps]
    assert [s.status for s in ok.steps] == ["ok", "ok", "ok"]
    assert not bad.passed and bad.first_divergence.kind == "read"
    assert bad.first_divergence.message.startswith("element not found")


def test_an_exported_read_asserts_what_was_read(tmp_path):
    """The exported script only waited at a read step: it completed on a build that never showed what was read."""
    from replay.export import export

    source = export(_generated_session(tmp_path / "gen"), "playwright", tmp_path / "test_gen.py").read_text()
    assert "expect(page.get_by_role('heading', name='Page B').first).to_be_visible()" in source
    with site(tmp_path / "good", broken=False) as good, site(tmp_path / "broken", broken=True) as broken:
        assert _run_exports(source, [good + "/", broken + "/"]) == [True, False]


LATE_PAGE = """<!doctype html><title>Profile</title>
<button data-testid="profile-save">Save</button> <button data-testid="edit">Edit address</button> <div id="panel"></div>
<script>
document.querySelector('[data-testid=edit]').onclick = () => setTimeout(() => {
  const b = Object.assign(document.createElement('button'), {textContent: 'Save'});
  b.dataset.testid = 'address-save';
  b.onclick = () => document.body.append(Object.assign(document.createElement('p'), {textContent: 'Address saved'}));
  document.getElementById('panel').append(b);
}, DELAY);
</script>"""


@pytest.mark.parametrize("delay_ms", [400, 2500])
def test_a_late_element_is_waited_for_rather_than_another_of_its_name_taken(tmp_path, delay_ms):
    """An element appearing a moment after the click before it (a panel's "Save") was located by the first of
    its test id and role and name that found one element: its test id not there yet, the page's other "Save"
    was the one -- the exported script clicked it, on the build it was recorded on, and passed; so did
    ``replay --timing fast``, calling the step retargeted. Later than a second (2.5 s), it was so even after
    both waited a second for the test id: they now also wait as long as the person did."""
    from playwright.sync_api import sync_playwright

    from replay.export import export
    from simulator.drivers.browser import launch_chromium

    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "page.html").write_text(LATE_PAGE.replace("DELAY", str(delay_ms)))

    def drive(d):
        d.page.click("[data-testid=edit]")
        d.page.click("[data-testid=address-save]")
        d.page.wait_for_timeout(200)
        d.poll()

    with serve_folder(tmp_path / "site") as url:
        rec = record(f"{url}/page.html", tmp_path / "rec", headless=True, drive=drive)
        source = export(rec, "playwright", tmp_path / "late.py").read_text()
        assert "one(page.get_by_test_id('address-save'), page.get_by_role('button', name='Save')" in source
        ns: dict = {}
        exec(compile(source, "exported", "exec"), ns)
        ns["BASE_URL"] = url + "/"
        with sync_playwright() as p:
            browser = launch_chromium(p)
            page = browser.new_page()
            ns["run"](page)
            saved = page.get_by_text("Address saved").count()
            browser.close()
        fast = Replayer(rec, url, tmp_path / "fast", timing="fast").run()
    assert saved == 1
    assert fast.passed and [s.status for s in fast.steps if s.kind == "click"] == ["ok", "ok"], \
        [(s.step, s.status, s.strategy) for s in fast.steps]
