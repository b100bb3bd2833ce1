"""Where a recorded page is on another build of the app.

A recording holds absolute URLs of the build it was made on (generated sessions hold paths). The app is
taken to live in the folder of the recording's first page -- ``http://host/login`` lives in ``/``,
``http://host/app/login`` in ``/app/`` -- and another build in the folder of ``--url``, resolved as a
browser resolves a relative link (``http://staging/v2/`` and ``http://staging/v2/login`` both name
``/v2/``). A recorded page inside the app's folder moves with it; one outside it keeps its path.
"""

from __future__ import annotations

import json
from typing import Any, Iterable
from urllib.parse import urljoin, urlsplit, urlunsplit

from simulator.errors import HcisimError


def app_folder(url: str) -> str:
    """The folder a page sits in, with its origin when the URL has one: ``http://h/app/login`` ->
    ``http://h/app/``."""
    s = urlsplit(url)
    path = s.path if s.path.endswith("/") else s.path.rsplit("/", 1)[0] + "/"
    return urlunsplit((s.scheme, s.netloc, path, "", ""))


def relative_ref(url: str, folder: str) -> str:
    """``url`` as a reference relative to the app's ``folder`` (``./search?q=chess``), or as an absolute path
    (``/elsewhere``) when it lies outside it; ``urljoin(other_folder, ref)`` is the same page on another
    build."""
    s, base = urlsplit(url), urlsplit(folder).path or "/"
    path = s.path or "/"
    if path + "/" == base:  # the folder named without its slash
        path = base
    rest = urlunsplit(("", "", path[len(base):], s.query, s.fragment))
    return "./" + rest if path.startswith(base) else urlunsplit(("", "", path, s.query, s.fragment))


def rebase(url: str, recorded_folder: str, folder: str) -> str:
    """The recorded ``url`` on the build whose app lives in ``folder``."""
    return urljoin(folder, relative_ref(url, recorded_folder))


def navigate_url(action: dict[str, Any]) -> str | None:
    """Where a ``navigate`` action went: its ``url`` parameter, or the page of a ``goto`` step."""
    url = json.loads(action.get("params") or "{}").get("url")
    if url is None and (action.get("step") or "").startswith("goto "):
        url = action["step"][5:]
    return url or None


def recorded_start(actions: Iterable[dict[str, Any]], default: str = "/") -> str:
    """The URL (or path) of a session's first navigation; ``default`` when it has none."""
    return next((u for a in actions if a["kind"] == "navigate" and (u := navigate_url(a))), default)


def refuse_screen_sessions(manifest: Any, root: Any, doing: str) -> None:
    """Replay and export drive web pages in a browser viewport: a dataset in screen pixels (a desktop run or
    recording, a Balabit or pynput import) was driven in Chromium step by step ("element not found") or
    exported as a script of web locators."""
    if manifest.coordinate_space != "viewport_css_px":
        raise HcisimError(f"{root}: a {manifest.driver} dataset in {manifest.coordinate_space} (the X desktop); "
                          f"{doing} drives web pages in Chromium")
