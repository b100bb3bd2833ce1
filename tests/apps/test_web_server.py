"""The demo web app's server: both builds, its URL layout, bad input, and the command line."""

from __future__ import annotations

import http.client
import json
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from scenarios.apps.web import server as web
from simulator.errors import HcisimError

REPO = Path(__file__).resolve().parents[2]


def fetch(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read().decode("utf-8")


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_serves_every_page_of_both_builds(version: str) -> None:
    with web.serve(version) as srv:
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", srv.url) and srv.port > 0
        for page in web.PAGE_NAMES:
            status, ctype, body = fetch(f"{srv.url}/{page}")
            assert status == 200 and ctype.startswith("text/html"), page
            assert f'data-version="{version}"' in body and "{{VERSION}}" not in body
            assert f"/static/theme-{version}.css" in body
            # Offline: nothing may load from another host.
            assert not re.search(r"""(src|href)=["']?(https?:)?//""", body), page
            for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', body):
                a_status, a_type, _ = fetch(srv.url + asset)
                assert a_status == 200, asset
                assert a_type.split(";")[0] in ("text/css", "text/javascript", "application/javascript"), asset
        status, _, body = fetch(f"{srv.url}/version")
        assert status == 200 and json.loads(body) == {"version": version}


def test_root_redirects_to_login_and_unknown_paths_are_404() -> None:
    with web.serve() as srv:
        status, _, body = fetch(srv.url + "/")
        assert status == 200 and "<h1>Sign in</h1>" in body  # followed the redirect
        assert fetch(srv.url + "/nope")[0] == 404
        assert fetch(srv.url + "/static/missing.js")[0] == 404
        # A raw request path climbing out of static/ must not reach server.py.
        conn = http.client.HTTPConnection(srv.host, srv.port, timeout=5)
        conn.request("GET", "/static/../server.py")
        resp = conn.getresponse()
        assert resp.status == 404 and b"def serve" not in resp.read()
        conn.close()


def test_two_builds_side_by_side_and_close_frees_the_port() -> None:
    with web.serve("v1") as one, web.serve("v2") as two:
        assert one.port != two.port
        assert 'data-version="v1"' in fetch(one.url + "/form")[2]
        assert 'data-version="v2"' in fetch(two.url + "/form")[2]
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(one.url + "/login", timeout=2)
    one.close()  # closing twice is harmless


def test_fixed_port_is_used() -> None:
    with web.serve("v1") as first:
        port = first.port
    with web.serve("v1", port=port) as again:
        assert again.port == port and fetch(again.url + "/login")[0] == 200


@pytest.mark.parametrize("bad", ["v3", "", "V1"])
def test_unknown_version_is_a_user_error(bad: str) -> None:
    with pytest.raises(HcisimError, match="unknown demo app version"):
        web.serve(bad)


def test_busy_or_invalid_port_is_a_user_error() -> None:
    with web.serve() as srv:
        with pytest.raises(HcisimError, match="cannot serve"):
            web.serve(port=srv.port)
    with pytest.raises(HcisimError, match="out of range"):
        web.serve(port=70000)


def test_command_line_prints_url_and_stops_on_ctrl_c() -> None:
    """Started as a script's background job is (SIGINT ignored, which Python keeps), it still stops on Ctrl-C."""
    proc = subprocess.Popen([sys.executable, "-m", "scenarios.apps.web.server", "--version", "v2", "--port", "0"],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        line = proc.stdout.readline()
        m = re.search(r"demo app v2 at (http://127\.0\.0\.1:\d+)/login", line)
        assert m, line
        assert 'data-version="v2"' in fetch(m.group(1) + "/search")[2]
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_command_line_rejects_unknown_version_in_one_line() -> None:
    res = subprocess.run([sys.executable, "-m", "scenarios.apps.web.server", "--version", "v9"], cwd=REPO,
                         capture_output=True, text=True, timeout=30)
    assert res.returncode != 0
    assert res.stderr.strip().splitlines() == ["error: unknown demo app version 'v9': use one of v1, v2"]
