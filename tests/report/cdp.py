"""A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe``.

Chromium reads commands from file descriptor 3 and writes replies and events to descriptor 4,
each message a JSON object followed by a NUL byte. The pipe needs no port and no websocket
package, and no other process can connect to it.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any

# Flags for a quiet, offline, throwaway browser: no sandbox (tests may run as root in a
# container), no background traffic of its own, and a fresh profile.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--remote-debugging-pipe",
)


class CdpError(RuntimeError):
    """A DevTools command failed, timed out, or the browser exited."""


def _high_fd(fd: int) -> int:
    # Keep our pipe ends away from 3 and 4, so placing them there in the child cannot
    # overwrite one with the other.
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class Browser:
    """A headless Chromium driven through the DevTools pipe.

    Args:
        executable: the chromium binary or its wrapper script.
        profile_dir: empty folder for the throwaway user profile.
        log_path: file for the browser's stderr; discarded when None.

    Example:
        >>> with Browser("/usr/bin/chromium", tmp_path / "profile") as browser:  # doctest: +SKIP
        ...     page = browser.new_page()
        ...     browser.send("Page.navigate", {"url": "file:///tmp/index.html"}, page)
    """

    def __init__(self, executable: str, profile_dir: Path, log_path: Path | None = None):
        command_read, command_write = (_high_fd(fd) for fd in os.pipe())
        reply_read, reply_write = (_high_fd(fd) for fd in os.pipe())

        def place_pipe_ends() -> None:
            os.dup2(command_read, 3)
            os.dup2(reply_write, 4)

        # A file, not a pipe, because the test does not read stderr while it runs and a full
        # pipe would block the browser.
        self._log = open(log_path, "wb") if log_path else None  # noqa: SIM115
        self.process = subprocess.Popen(
            [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile_dir}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self._log or subprocess.DEVNULL,
            preexec_fn=place_pipe_ends,
            pass_fds=(3, 4),
        )
        os.close(command_read)
        os.close(reply_write)
        self._write_fd = command_write
        self._read_fd = reply_read
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float = 15.0) -> dict[str, Any]:
        """Send one command and return its result; events that arrive meanwhile are kept."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write_fd, json.dumps(message).encode() + b"\0")

        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline, f"a reply to {method}")
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CdpError(f"{method} failed: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_event(self, method: str, session: str | None = None, timeout: float = 15.0) -> dict[str, Any]:
        """Return the params of the first kept or incoming event ``method``, removing it."""
        deadline = time.monotonic() + timeout
        while True:
            for index, event in enumerate(self.events):
                if event["method"] == method and (session is None or event.get("sessionId") == session):
                    return self.events.pop(index).get("params", {})
            event = self._read_message(deadline, f"the event {method}")
            if "method" in event:
                self.events.append(event)

    def events_named(self, method: str) -> list[dict[str, Any]]:
        """Return the params of every kept event ``method``."""
        return [event.get("params", {}) for event in self.events if event["method"] == method]

    def new_page(self, width: int = 1400, height: int = 1000) -> str:
        """Open a blank tab of the given viewport size; return its session id."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Network"):
            self.send(f"{domain}.enable", session=session)
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}, session)
        return session

    def evaluate(self, expression: str, session: str) -> Any:
        """Evaluate a JavaScript expression in the page and return its value as JSON data."""
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True, "awaitPromise": True}, session)
        if "exceptionDetails" in result:
            raise CdpError(f"script failed: {result['exceptionDetails'].get('exception', result['exceptionDetails'])}")
        return result["result"].get("value")

    def click(self, selector: str, session: str) -> None:
        """Click the center of the first element matching ``selector`` with the mouse."""
        point = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()",
            session,
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent",
                      {"type": kind, "x": point[0], "y": point[1], "button": "left", "clickCount": 1}, session)

    def screenshot(self, path: Path, session: str, full_page: bool = False) -> Path:
        """Save a PNG of the viewport (or of the whole page) to ``path``."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", params, session, timeout=30)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def close(self) -> None:
        """Close the browser, killing it when it does not exit within 5 s."""
        if self.process.poll() is None:
            try:
                self.send("Browser.close", timeout=5)
            except (CdpError, OSError):
                pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        for fd in (self._write_fd, self._read_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        if self._log:
            self._log.close()

    def _read_message(self, deadline: float, waiting_for: str) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise CdpError(f"timed out waiting for {waiting_for}")
            ready, _, _ = select.select([self._read_fd], [], [], remaining)
            if not ready:
                continue
            chunk = os.read(self._read_fd, 1 << 20)
            if not chunk:
                raise CdpError(f"the browser closed the pipe while waiting for {waiting_for} (exit status {self.process.poll()})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)
