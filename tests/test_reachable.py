"""A --url nothing answers at is said in one line before a browser is started for it (it took Chromium's start,
seconds, 15 s on a loaded machine); whatever answers there is the browser's to judge."""

import pytest

from simulator.drivers import browser
from simulator.drivers.browser import refuse_unreachable
from simulator.errors import HcisimError
from tests.helpers import serve_folder


def test_nothing_listening_or_no_such_host_is_said_and_any_answer_passes(tmp_path, monkeypatch):
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(var, raising=False)
    with pytest.raises(HcisimError, match=r"^app not reachable at http://127\.0\.0\.1:9/app/: connection refused$"):
        refuse_unreachable("http://127.0.0.1:9/app/")
    with pytest.raises(HcisimError, match=r"^app not reachable at http://nosuchhost\.invalid/: "):
        refuse_unreachable("http://nosuchhost.invalid/")
    with pytest.raises(HcisimError, match=r"^app not reachable at http://127\.0\.0\.1:99999/: port out of range"):
        refuse_unreachable("http://127.0.0.1:99999/")  # (a ValueError traceback when the port was read)
    with serve_folder(tmp_path) as url:  # an empty folder: every page a 404, still a server the browser can ask
        refuse_unreachable(url + "/missing.html")
    refuse_unreachable("about:blank")  # not a network address: nothing to check
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")  # the browser goes through the proxy: its to say
    refuse_unreachable("http://nosuchhost.invalid/")


@pytest.mark.parametrize("command", ["run", "replay"])
def test_a_run_or_replay_at_an_unreachable_url_starts_no_browser(tmp_path, monkeypatch, command):
    from pathlib import Path

    def no_browser(*a, **k):
        raise AssertionError("a browser was started for an address nothing answers at")

    monkeypatch.setattr(browser, "launch_chromium", no_browser)
    url = "http://127.0.0.1:9/"
    with pytest.raises(HcisimError, match="^app not reachable at http://127.0.0.1:9/: connection refused$"):
        if command == "run":
            from simulator.runner import run
            from simulator.sessions import RunConfig

            run(RunConfig(scenario="login", driver="browser", url=url, out=tmp_path / "o"))
        else:
            from replay.replayer import Replayer

            fixture = Path(__file__).resolve().parents[1] / "fixtures" / "checkout_form-offline"
            Replayer(fixture, url, tmp_path / "o").run()
    assert not (tmp_path / "o").exists()
