"""Fixtures of the report tests: synthetic results files and a headless Chromium."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from results_factory import make_results

logger = logging.getLogger(__name__)

# Set to 1 to let the browser test install Chromium with apt-get outside CI (root only).
INSTALL_ENV = "CONFORMANCE_INSTALL_CHROMIUM"
# Set to a binary to use instead of the chromium found on PATH.
CHROMIUM_ENV = "CONFORMANCE_CHROMIUM"
APT_TIMEOUT_S = 900


@pytest.fixture()
def results() -> dict[str, Any]:
    """A valid 60-record results dict with short curves."""
    return make_results(records=60, points=40)


def _find_chromium() -> str | None:
    configured = os.environ.get(CHROMIUM_ENV)
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def _install_chromium() -> str:
    """Install the Debian packages chromium and chromium-driver; return "" or why it failed."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "chromium", "chromium-driver"]):
        logger.info("running %s", " ".join(command))
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=APT_TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"{' '.join(command)} failed: {error}"
        if done.returncode != 0:
            return f"{' '.join(command)} exited with {done.returncode}: {done.stderr[-500:]}"
    return ""


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of a Chromium binary, installed with apt-get when allowed; skips when there is none."""
    found = _find_chromium()
    if found:
        return found

    allowed = os.environ.get("CI") or os.environ.get(INSTALL_ENV) == "1"
    if not allowed:
        pytest.skip(f"Chromium not found; install the Debian packages chromium and chromium-driver, "
                    f"or set {INSTALL_ENV}=1 (as root) to let this test install them")
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("apt-get") is None:
        pytest.skip("Chromium not found and it cannot be installed here: apt-get as root is needed")

    problem = _install_chromium()
    found = _find_chromium()
    if not found:
        pytest.skip(f"Chromium could not be installed: {problem or 'no chromium binary after apt-get install'}")
    return found
