"""Sessions: `nox -s conformance` judges the migration guide's rows; `nox -s tests` runs the project's tests.

Environment variables read here:
    CONFORMANCE_TORCH         torch requirement installed first (default torch==2.13.0, a CPU
                              build on the development machines; set e.g. "torch" for the newest)
    CONFORMANCE_CONSTRAINTS   pip requirements pinned beside it (default: the versions below)
    CONFORMANCE_WORKERS       pytest-xdist workers (default 2)
    CONFORMANCE_TARGET        target when --target is not given (default reference)
"""

from __future__ import annotations

import os

import nox

nox.options.sessions = ["conformance", "tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.default_venv_backend = "venv"

TORCH = os.environ.get("CONFORMANCE_TORCH", "torch==2.13.0")
# The versions the suite is developed and measured with; each can be overridden as a whole.
PINNED = os.environ.get(
    "CONFORMANCE_CONSTRAINTS",
    "transformers==5.25.0 datasets==5.2.0 accelerate==1.16.0 sentence-transformers==6.3.0",
).split()
WORKERS = os.environ.get("CONFORMANCE_WORKERS", "2")


def install_suite(session: nox.Session) -> None:
    """Install torch first (so no other package pulls a different build), then the suite and its pins."""
    session.install(TORCH)
    session.install("-e", ".[real]", *PINNED)


@nox.session
def conformance(session: nox.Session) -> None:
    """Judge every migration-guide row on the target (default: the bundled reference)."""
    install_suite(session)
    session.run("python", "-m", "pytest", "scenarios", "-n", WORKERS, "-v", "-p", "no:cacheprovider", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """Run the project's own tests: engine, reference, report (with a real headless Chromium)."""
    install_suite(session)
    session.run("python", "-m", "pytest", "tests", "-n", WORKERS, "-p", "no:cacheprovider", *session.posargs)
