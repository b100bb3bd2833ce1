"""Record a real session in Chromium into an hcisim dataset.

The in-page capture script (the same one the browser driver uses) sends its
events in batches to Python, which appends them to a journal on disk as they
arrive (flushed and fsynced), so a crash or Ctrl-C loses nothing recorded
before it. When the recording ends the journal is turned into a dataset
(atomically) and removed; a journal left behind by a killed recorder is
converted by the next ``hcisim record`` to the same ``--out``.

Values of password and sensitive fields never reach the journal: capture.js
replaces their keys with ``•`` and their values with their length.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any, Callable

from replay.convert import journal_to_dataset
from replay.journal import JOURNAL, Journal, journal_dir, read_journal
from simulator.atomic import make_folder, output_path, remove_if_empty
from simulator.drivers.browser import BrowserDriver, received_row, refuse_unreachable
from simulator.errors import HcisimError


def mask_png(png: bytes, boxes: list[list[float]], viewport: tuple[int, int], pad: float = 2.0) -> bytes:
    """``png`` with each box (x, y, w, h in viewport px) filled solid grey, scaled to the image's pixels."""
    if not boxes:
        return png
    import io

    from PIL import Image, ImageDraw

    img = Image.open(io.BytesIO(png)).convert("RGB")
    sx, sy = img.width / viewport[0], img.height / viewport[1]
    draw = ImageDraw.Draw(img)
    for x, y, w, h in boxes:
        draw.rectangle([(x - pad) * sx, (y - pad) * sy, (x + w + pad) * sx, (y + h + pad) * sy], fill=(128, 128, 128))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


class RecordingDriver(BrowserDriver):
    """A browser driver whose page streams everything it receives to a journal.

    Used headed by a person (``hcisim record``) and headless by tests, where
    hcisim's own Actor drives it like any other browser session.
    """

    def __init__(self, out: Path, *, headless: bool = True, sensitive_selectors: list[str] | None = None,
                 viewport: tuple[int, int] = (1280, 800), layout_recorder: Any = None,
                 command: list[str] | None = None) -> None:
        super().__init__(headless=headless, viewport=viewport, sensitive_selectors=sensitive_selectors,
                         layout_recorder=layout_recorder)
        self.out = Path(out)
        self.command = command or ["hcisim", "record", "--out", str(out)]
        self.journal = Journal(journal_dir(self.out))
        self._want_frame = False
        self._frames = 0
        self.closed = False

    def start_session(self, session_id: str) -> None:
        super().start_session(session_id)
        self.journal.write([{"type": "session", "t": self._epoch0_ms, "viewport": list(self.viewport),
                             "session_id": session_id, "command": self.command}])
        self._context.expose_binding("__hcisimSink", lambda source, batch: self._sink(batch))
        self.page.on("framenavigated", lambda frame: self._navigated(frame))
        self.page.on("close", lambda page: setattr(self, "closed", True))

    def _sink(self, batch: list[dict[str, Any]]) -> None:
        self.journal.write(batch)
        self._received.extend(received_row(r, self._session, self._epoch0_ms) for r in batch)
        if any(r["type"] in ("click", "change", "dblclick") for r in batch):
            self._want_frame = True

    def _navigated(self, frame) -> None:
        if frame.parent_frame is None:
            self.journal.write([{"type": "navigate", "t": time.time() * 1000.0, "url": frame.url}])
            self._want_frame = True

    def poll(self) -> None:
        """Collect what the page has buffered and take a screenshot after each completed action."""
        if self.page is None or self.closed:
            return
        try:
            self.page.evaluate("() => window.__hcisim && window.__hcisim.flush()")
        except Exception:
            return  # navigating; the capture script keeps its events for the next page
        if self._want_frame:
            self._want_frame = False
            png = self.screenshot()
            if png is not None:
                self._frames += 1
                self.journal.add_frame(f"{self._frames:05d}.png", png, time.time() * 1000.0, "after")

    def screenshot(self) -> bytes | None:
        """The page with every sensitive field painted over: a screenshot is a copy of what is typed too.

        Boxes are read just before and just after the shot, so a field that moved in between is covered
        at both places.
        """
        boxes = self._sensitive_boxes()
        png = super().screenshot()
        if png is None:
            return None
        return mask_png(png, boxes + self._sensitive_boxes(), self.viewport)

    def _sensitive_boxes(self) -> list[list[float]]:
        try:
            return self.page.evaluate("() => window.__hcisim ? window.__hcisim.sensitiveBoxes() : []") or []
        except Exception:
            return []

    def dispatch(self, plan):
        actual = super().dispatch(plan)
        self.poll()
        return actual

    def _drain(self) -> None:
        # Everything goes through the sink into the journal; nothing is kept in memory here.
        self.poll()

    def end_session(self):
        self.poll()
        if self._context is not None:
            self._context.close()
        self._context = self.page = None
        return self._received_table()

    def abandon(self) -> None:
        """Close the browser after a failure. A journal holding nothing the person did (the page never
        loaded) is removed, so a retry to the same ``--out`` starts clean; one with input stays for ``recover``."""
        try:
            self.close()
        except Exception:
            pass
        self.journal.close()
        if all(r.get("type") in ("session", "navigate", "frame") for r in read_journal(self.journal.root)):
            shutil.rmtree(self.journal.root, ignore_errors=True)

    def finish(self) -> Path:
        """Close the browser and turn the journal into the dataset at ``out``."""
        try:
            self.close()
        except Exception:
            pass  # the person may have closed the browser already
        self.journal.close()
        path = journal_to_dataset(self.journal.root, self.out)
        shutil.rmtree(self.journal.root, ignore_errors=True)
        return path


def recover(out: Path) -> Path | None:
    """Convert a journal left by a killed recorder into a dataset, if there is one."""
    root = journal_dir(Path(out))
    if not (root / JOURNAL).is_file():
        return None
    path = journal_to_dataset(root, Path(out))
    shutil.rmtree(root, ignore_errors=True)
    return path


INVALID_SELECTORS_JS = """sels => sels.filter(s => {
  try { document.createDocumentFragment().querySelector(s); return false; } catch (e) { return true; }
})"""


def record(url: str, out: Path, *, headless: bool = False, sensitive_selectors: list[str] | None = None,
           duration_s: float | None = None, drive: Callable[[RecordingDriver], None] | None = None,
           started: Callable[[], None] | None = None, command: list[str] | None = None) -> Path:
    """Record until the browser closes, Ctrl-C, ``duration_s`` passes, or ``drive`` returns.

    ``started`` is called once the page has loaded (where the CLI says "recording...").
    """
    out = output_path(out)
    if out.exists():
        raise HcisimError(f"{out} already exists; choose another --out")
    if recover(out) is not None:
        raise HcisimError(f"found an unfinished recording for {out}; it was saved there -- record again to "
                          f"another --out")
    refuse_unreachable(url)
    created = make_folder(out.parent)  # (taken away again when the recording fails with nothing kept)
    try:
        driver = RecordingDriver(out, headless=headless, sensitive_selectors=sensitive_selectors,
                                 command=command or ["hcisim", "record", "--url", url, "--out", str(out)])
    except BaseException:
        remove_if_empty(created)
        raise
    try:
        driver.start_session("r00000")
        bad = driver.page.evaluate(INVALID_SELECTORS_JS, sensitive_selectors or [])
        if bad:  # the page would skip it: the field it names would be stored in clear
            raise HcisimError(f"--sensitive {bad[0]!r}: not a valid CSS selector")
        driver.goto(url)
        if started is not None:
            started()
        if drive is not None:
            drive(driver)
        else:
            deadline = time.monotonic() + duration_s if duration_s else float("inf")
            while not driver.closed and time.monotonic() < deadline:
                driver.page.wait_for_timeout(100)
                driver.poll()
    except KeyboardInterrupt:
        pass
    except Exception:
        if driver.closed:
            pass  # the person closed the browser window mid-call
        else:
            driver.abandon()
            remove_if_empty(created)
            raise
    return driver.finish()
