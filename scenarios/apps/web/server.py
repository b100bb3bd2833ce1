"""Serve the bundled demo web app (build v1 or v2) on loopback, offline, with the stdlib only.

Scenarios, the recorder and the replayer need an app that runs anywhere without
network access, and QA needs two builds of it to replay across. Both builds are
the same files: each page's HTML carries ``{{VERSION}}``, substituted here, and the
page scripts apply v2's differences (see ``static/common.js``) -- so a fix to the
app is made once, not twice. Pages hold only their title line and body; ``shell.html``
is the head and navigation every page shares.

    python -m scenarios.apps.web.server --version v2 --port 8000
"""

from __future__ import annotations

import argparse
import mimetypes
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from simulator.errors import HcisimError

VERSIONS = ("v1", "v2")
ROOT = Path(__file__).resolve().parent
PAGES = ROOT / "pages"
SHELL = ROOT / "shell.html"
STATIC = ROOT / "static"
# Clean paths people and scenarios use -> page files.
PAGE_NAMES = ("login", "form", "search", "detail", "board", "dialog", "editor")
HOME = "/login"


def page_html(name: str, version: str) -> str:
    """A page of the given build: its title line and body set into the shared shell."""
    title, _, body = (PAGES / f"{name}.html").read_text(encoding="utf-8").partition("\n")
    html = SHELL.read_text(encoding="utf-8").replace("{{TITLE}}", title).replace("{{BODY}}", body.rstrip("\n"))
    return html.replace("{{VERSION}}", version)


def _handler_for(version: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "hcisim-demo/1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._serve(send_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._serve(send_body=False)

        def _serve(self, *, send_body: bool) -> None:
            path = urlsplit(self.path).path
            if path in ("", "/"):
                self._send(HTTPStatus.FOUND, b"", "text/plain", send_body, location=HOME)
            elif path == "/favicon.ico":
                self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon", send_body)
            elif path == "/version":
                self._send(HTTPStatus.OK, f'{{"version": "{version}"}}'.encode(), "application/json", send_body)
            elif path.lstrip("/") in PAGE_NAMES:
                self._send(HTTPStatus.OK, page_html(path.lstrip("/"), version).encode(), "text/html; charset=utf-8",
                           send_body)
            elif path.startswith("/static/"):
                file = (STATIC / path[len("/static/"):]).resolve()
                if not file.is_relative_to(STATIC) or not file.is_file():
                    self._not_found(send_body)
                    return
                ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
                if ctype.startswith("text/") or ctype.endswith("javascript"):
                    ctype += "; charset=utf-8"
                self._send(HTTPStatus.OK, file.read_bytes(), ctype, send_body)
            else:
                self._not_found(send_body)

        def _not_found(self, send_body: bool) -> None:
            self._send(HTTPStatus.NOT_FOUND, b"<!doctype html><title>Not found</title><h1>Not found</h1>",
                       "text/html; charset=utf-8", send_body)

        def _send(self, status: HTTPStatus, body: bytes, ctype: str, send_body: bool, *,
                  location: str | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            # Two builds may be served on the same port one after the other: never let a cache mix them.
            self.send_header("Cache-Control", "no-store")
            if location:
                self.send_header("Location", location)
            self.end_headers()
            if send_body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Quiet: a scenario run serves hundreds of requests; access logs would drown its output."""

    return Handler


class DemoServer:
    """A running demo app; a context manager that stops it on exit."""

    def __init__(self, version: str, httpd: ThreadingHTTPServer) -> None:
        self.version = version
        self._httpd = httpd
        host, port = httpd.server_address[:2]
        self.host, self.port = str(host), int(port)
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"hcisim-demo-{version}", daemon=True)
        self._thread.start()
        self._closed = False

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> "DemoServer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DemoServer(version={self.version!r}, url={self.url!r})"


def serve(version: str = "v1", port: int = 0, host: str = "127.0.0.1") -> DemoServer:
    """Start build ``version`` in a background thread on ``host:port`` (0: a free port)."""
    if version not in VERSIONS:
        raise HcisimError(f"unknown demo app version {version!r}: use one of {', '.join(VERSIONS)}")
    if not 0 <= int(port) <= 65535:
        raise HcisimError(f"port {port} is out of range 0-65535")
    try:
        httpd = ThreadingHTTPServer((host, int(port)), _handler_for(version))
    except OSError as exc:
        raise HcisimError(f"cannot serve the demo app on {host}:{port}: {exc.strerror or exc}") from None
    httpd.daemon_threads = True
    return DemoServer(version, httpd)


def main(argv: list[str] | None = None) -> int:
    import signal
    import sys
    import time

    parser = argparse.ArgumentParser(prog="python -m scenarios.apps.web.server",
                                     description="Serve the hcisim demo web app on loopback until Ctrl-C.")
    parser.add_argument("--version", default="v1", help="build to serve: v1 or v2")
    parser.add_argument("--port", type=int, default=0, help="port (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    args = parser.parse_args(argv)
    try:
        server = serve(args.version, args.port, args.host)
    except HcisimError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # Ctrl-C stops it even when started in the background of a script, which starts it with SIGINT ignored (and
    # Python then leaves it so): the test that stops it this way hung under a test runner started that way
    signal.signal(signal.SIGINT, signal.default_int_handler)
    with server:
        print(f"demo app {server.version} at {server.url}{HOME}  (Ctrl-C to stop)", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
