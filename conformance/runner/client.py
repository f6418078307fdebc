"""Harness side of the runner: start a warm runner for a target and send it jobs."""

from __future__ import annotations

import itertools
import json
import logging
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ..errors import InvocationFailed, RunnerUnavailable

logger = logging.getLogger(__name__)

# Importing torch, transformers and a target takes about 4 s on an idle two-core machine;
# the margin covers a loaded machine and a slow disk.
STARTUP_TIMEOUT = 180.0
_LOG_TAIL = 4000


class Runner:
    """A warm runner process for one target, restarted when it dies.

    Args:
        target: the target descriptor (`conformance.targets.Target.as_runner_spec()`).
        python: the interpreter of the target's environment.
        cwd: where the runner starts; jobs change into their own directories.
    """

    def __init__(self, target: dict[str, Any], python: str = sys.executable, cwd: Path | None = None) -> None:
        self.target = target
        self.python = python
        self.cwd = cwd
        self.info: dict[str, Any] | None = None
        self._process: subprocess.Popen[str] | None = None
        self._ids = itertools.count()

    def start(self) -> dict[str, Any]:
        """Start the runner if needed and return what it reported about the target."""
        if self._process is not None and self._process.poll() is None:
            return self.info or {}
        environment = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])
        environment["PYTHONPATH"] = os.pathsep.join(filter(None, [root, environment.get("PYTHONPATH")]))
        self._process = subprocess.Popen(
            [self.python, "-m", "conformance.runner.server", json.dumps(self.target)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,
            text=True,
            cwd=self.cwd,
            env=environment,
        )
        line = self._read_line(STARTUP_TIMEOUT)
        if line is None:
            self.stop()
            raise RunnerUnavailable(
                f"the runner for target {self.target.get('spec')!r} did not start within {STARTUP_TIMEOUT:.0f} s"
            )
        message = json.loads(line)
        if not message.get("ready"):
            self.stop()
            raise RunnerUnavailable(
                f"target {self.target.get('spec')!r} failed to import: {message.get('error')}; "
                "check that it is installed in the interpreter the run uses"
            )
        self.info = message
        logger.info("runner ready: target %s %s", message["target"]["name"], message["target"]["version"])
        return message

    def call(self, request: dict[str, Any], timeout: float, side: str = "harness") -> dict[str, Any]:
        """Run one job in a forked child and return its result; raise `InvocationFailed` on failure."""
        self.start()
        request = dict(request, id=next(self._ids), timeout=timeout)
        out_dir = Path(request["out_dir"])
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        line = self._read_line(timeout + 60.0)
        if line is None:
            self.stop()
            raise RunnerUnavailable(f"the runner stopped responding during a {request['job']} job; rerun, and raise --invocation-timeout if the machine is loaded")
        response = json.loads(line)
        log_tail = _tail(out_dir / "output.log")
        if response["status"] == "timeout":
            raise InvocationFailed(side, "timed out", f"killed after {timeout:.0f} s", log_tail)
        result_file = out_dir / "result.json"
        if not result_file.exists():
            raise InvocationFailed(side, "crashed", f"exit code {response['exit_code']} and no result", log_tail)
        result = json.loads(result_file.read_text())
        if not result.get("ok"):
            # Only an exception of the invocation itself is library behaviour; one raised by the
            # harness's own setup or capture code is a harness failure.
            kind = {"invocation": "raised", "skipped": "skipped"}.get(result.get("phase"), "failed in the harness")
            message = result["message"] if kind == "skipped" else f"{result['type']}: {result['message']}"
            raise InvocationFailed(side, kind, message, result.get("traceback", log_tail))
        return result

    def stop(self) -> None:
        if self._process is None:
            return
        if self._process.poll() is None:
            try:
                self._process.stdin.write(json.dumps({"job": "stop"}) + "\n")
                self._process.stdin.flush()
                self._process.wait(timeout=5)
            except (BrokenPipeError, OSError, subprocess.TimeoutExpired):
                self._process.kill()
                self._process.wait()
        self._process = None

    def _read_line(self, timeout: float) -> str | None:
        stream = self._process.stdout
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ready, _, _ = select.select([stream], [], [], 0.5)
            if ready:
                line = stream.readline()
                return line or None
            if self._process.poll() is not None:
                return None
        return None


def _tail(path: Path) -> str:
    if not path.exists():
        return ""
    text = path.read_text(errors="replace")
    return text[-_LOG_TAIL:]
