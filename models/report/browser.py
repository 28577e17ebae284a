"""One headless Chromium kept open to print many HTML reports to PDF.

Starting Chromium costs more than printing a report with it, so a batch keeps
one browser per worker process and sends it one ``Page.printToPDF`` per report
over the DevTools protocol.  The protocol runs over a pair of pipes
(``--remote-debugging-pipe``: Chromium reads commands on its fd 3 and writes
replies on its fd 4, each message JSON ending in a NUL byte), so no port is
opened and no extra package is needed: five stable commands are all we use.

Pages are printed as Chromium's own ``--print-to-pdf`` prints them: the page
size and margins come from the report stylesheet's ``@page`` rule (A4, page
numbers), backgrounds are printed, and no browser header or footer is added.

The same browser also measures pages for the tests: :meth:`HeadlessChromium.evaluate`
runs a script in a page at a given window size (where a section lies on the
first screen, say), and :meth:`HeadlessChromium.axe_violations` runs axe-core's
WCAG 2.0 and 2.1 A and AA rules on a page (the tests bring ``axe.min.js``).
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import selectors
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from models.report.export import CHROMIUM_FLAGS, find_chromium

START_TIMEOUT = 60.0
"""Seconds to wait for Chromium to start [s]."""
PRINT_TIMEOUT = 120.0
"""Seconds to wait for one page to load and print [s]."""
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
"""The axe-core rule tags the reports are checked against: WCAG 2.0 and 2.1,
levels A and AA."""
_WAIT_FOR_LOAD = (
    "new Promise(r => document.readyState === 'complete' ? r(1)"
    " : addEventListener('load', () => r(1)))"
)


class BrowserError(RuntimeError):
    """Chromium stopped, refused a command or did not answer in time."""


class HeadlessChromium:
    """A headless Chromium driven over ``--remote-debugging-pipe``.

    >>> # with HeadlessChromium() as browser:
    >>> #     browser.print_pdf("report.html", "report.pdf")
    """

    def __init__(self, executable: str | None = None) -> None:
        exe = executable or find_chromium()
        if exe is None:
            raise FileNotFoundError("chromium is not installed")
        self._profile = tempfile.mkdtemp(prefix="sharedcase-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()

        def _pipes_on_3_and_4() -> None:  # runs in the child before exec
            # dup first: dup2 onto the same number would keep close-on-exec set
            a, b = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self._proc = subprocess.Popen(  # noqa: S603 - our own argument list
            [
                exe,
                *CHROMIUM_FLAGS,
                "--remote-debugging-pipe",
                f"--user-data-dir={self._profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_pipes_on_3_and_4,  # noqa: PLW1509 - fds must be 3 and 4
            close_fds=False,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._lock = threading.Lock()
        self._next_id = 0
        self._session: str | None = None
        try:
            target = self._call(
                "Target.createTarget", {"url": "about:blank"}, timeout=START_TIMEOUT
            )
            self._session = self._call(
                "Target.attachToTarget",
                {"targetId": target["targetId"], "flatten": True},
            )["sessionId"]
        except BaseException:
            self.close()
            raise

    # -- protocol -----------------------------------------------------------
    def _call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        timeout: float = PRINT_TIMEOUT,
    ) -> dict[str, Any]:
        """Send one command and return its result (events in between are skipped)."""
        self._next_id += 1
        message: dict[str, Any] = {
            "id": self._next_id,
            "method": method,
            "params": params or {},
        }
        if self._session and not method.startswith(("Target.", "Browser.")):
            message["sessionId"] = self._session
        try:
            os.write(self._to_child, json.dumps(message).encode() + b"\0")
        except OSError as exc:
            raise BrowserError(f"chromium is not running ({exc})") from None
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})

    def _read_message(self, deadline: float) -> dict[str, Any]:
        with selectors.DefaultSelector() as sel:
            sel.register(self._from_child, selectors.EVENT_READ)
            while b"\0" not in self._buffer:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    raise BrowserError("chromium did not answer in time")
                chunk = os.read(self._from_child, 1 << 20)
                if not chunk:
                    raise BrowserError("chromium stopped")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    # -- public -------------------------------------------------------------
    def _open(self, src: Path, viewport: tuple[int, int] | None = None) -> None:
        """Load a local file and wait for it (the caller holds the lock);
        ``viewport``: (width, height) of the window [CSS px], else the default."""
        if viewport is not None:
            width, height = viewport
            self._call(
                "Emulation.setDeviceMetricsOverride",
                {
                    "width": width,
                    "height": height,
                    "deviceScaleFactor": 1,
                    "mobile": False,
                },
            )
        else:
            self._call("Emulation.clearDeviceMetricsOverride")
        self._call("Page.navigate", {"url": src.as_uri()})
        self._call(
            "Runtime.evaluate", {"expression": _WAIT_FOR_LOAD, "awaitPromise": True}
        )

    def evaluate(
        self,
        html_path: str | Path,
        expression: str,
        viewport: tuple[int, int] | None = None,
        scripts: tuple[str, ...] = (),
    ) -> Any:
        """Load a local HTML file (in a window of ``viewport`` (width, height)
        [CSS px]), run ``scripts`` in it, then evaluate ``expression`` (a promise
        is awaited) and return its value as JSON gives it."""
        src = Path(html_path).resolve()
        with self._lock:
            self._open(src, viewport)
            for script in scripts:
                self._evaluate(script)
            return self._evaluate(expression)

    def _evaluate(self, expression: str) -> Any:
        reply = self._call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
        )
        if "exceptionDetails" in reply:
            details = reply["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get(
                "text"
            )
            raise BrowserError(f"the page's script failed: {text}")
        return reply.get("result", {}).get("value")

    def axe_violations(
        self,
        html_path: str | Path,
        axe_source: str,
        tags: tuple[str, ...] = WCAG_TAGS,
    ) -> list[dict[str, Any]]:
        """The accessibility rules that a page breaks, as axe-core finds them:
        ``axe_source`` is the text of ``axe.min.js``; only the rules of ``tags``
        run (WCAG 2.0 and 2.1, A and AA).  Each violation: ``id``, ``impact``,
        ``help`` and the ``nodes`` (``target`` selector and ``html``) at fault."""
        options = json.dumps({"runOnly": {"type": "tag", "values": list(tags)}})
        found = self.evaluate(
            html_path,
            f"axe.run(document, {options}).then(r => r.violations.map(v => ({{"
            "id: v.id, impact: v.impact, help: v.help,"
            " nodes: v.nodes.map(n => ({target: n.target, html: n.html}))})))",
            scripts=(axe_source,),
        )
        return list(found or [])

    def print_pdf(self, html_path: str | Path, pdf_path: str | Path) -> Path:
        """Load a local HTML file and print it to ``pdf_path`` (A4 from its ``@page``)."""
        src = Path(html_path).resolve()
        out = Path(pdf_path).resolve()
        with self._lock:  # one page at a time: the protocol session is shared
            self._open(src)
            pdf = self._call(
                "Page.printToPDF",
                {
                    "printBackground": True,
                    "preferCSSPageSize": True,
                    "displayHeaderFooter": False,
                },
            )
        data = base64.b64decode(pdf["data"])
        if not data:
            raise BrowserError(f"chromium printed an empty PDF of {src.name}")
        part = out.with_name(out.name + ".part.pdf")
        part.write_bytes(data)
        os.replace(part, out)
        return out

    def alive(self) -> bool:
        """Whether the browser process is still running."""
        return self._proc.poll() is None

    def close(self) -> None:
        """Close the browser (politely, then by force) and remove its profile."""
        if self._proc.poll() is None:
            try:
                self._call("Browser.close", timeout=5)
            except (BrowserError, OSError):
                pass
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> HeadlessChromium:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_SHARED: list[HeadlessChromium] = []  # this process's browser, once started
_SHARED_LOCK = threading.Lock()


def shared_browser() -> HeadlessChromium:
    """This process's browser, started on first use (replaced if it stopped) and
    closed at exit.  Threads share it: :meth:`HeadlessChromium.print_pdf` takes
    a lock, one page at a time."""
    with _SHARED_LOCK:
        if _SHARED and not _SHARED[0].alive():
            _SHARED.pop().close()
        if not _SHARED:
            _SHARED.append(HeadlessChromium())
            atexit.register(close_shared_browser)
        return _SHARED[0]


def close_shared_browser() -> None:
    """Close this process's browser if one is open."""
    with _SHARED_LOCK:
        while _SHARED:
            _SHARED.pop().close()
