"""Sessions: `nox -s conformance` judges the migration guide's rows; `nox -s tests` runs the project's tests.

`nox -s conformance -- --target SPEC` installs a target spec other than reference/installed (a
requirement, a fork path, a git URL, a wheel) into an environment of its own under .nox/targets/,
reused while nothing changed, and so does `--legacy-target SPEC` for a cross-version run.
`nox -s conformance_matrix` judges every release listed in conformance/releases.toml and writes
one combined report.

Environment variables read here:
    CONFORMANCE_TORCH         torch requirement installed first (default torch==2.13.0, a CPU
                              build on the development machines; set e.g. "torch" for the newest)
    CONFORMANCE_CONSTRAINTS   pip requirements pinned beside it (default: the versions below)
    CONFORMANCE_WORKERS       pytest-xdist workers (default 2)
    CONFORMANCE_TARGET        target when --target is not given (default reference)
    CONFORMANCE_LEGACY_TARGET legacy target when --legacy-target is not given (default: none)
    CONFORMANCE_TARGET_PINS, CONFORMANCE_LEGACY_TARGET_PINS
                              companion pins that replace those of releases.toml by package name
    CONFORMANCE_RELEASES      conformance_matrix only: space-separated versions to run instead of
                              every release marked matrix = true in releases.toml
    CONFORMANCE_GPU_WORKERS   conformance_gpu only: pytest-xdist workers sharing the GPU (default 4)
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import nox

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

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
ROOT = Path(__file__).resolve().parent
RELEASES_FILE = ROOT / "conformance" / "releases.toml"

# Each target option: its role, the option that passes its interpreter, and its environment variable.
TARGET_OPTIONS = {
    "--target": ("target", "--target-python", "CONFORMANCE_TARGET"),
    "--legacy-target": ("legacy", "--legacy-target-python", "CONFORMANCE_LEGACY_TARGET"),
}


def install_suite(session: nox.Session) -> None:
    """Install torch first (so no other package pulls a different build), then the suite and its pins."""
    session.install(TORCH)
    session.install("-e", ".[real]", *PINNED)


@nox.session
def conformance(session: nox.Session) -> None:
    """Judge every migration-guide row on the target (default: the bundled reference)."""
    install_suite(session)
    arguments = prepare_targets(session, list(session.posargs))
    session.run("python", "-m", "pytest", "scenarios", "-n", WORKERS, "-v", "-p", "no:cacheprovider", *arguments)


def option_value(arguments: list[str], name: str) -> str | None:
    """Return the value of `name` in pytest arguments, written as `name VALUE` or `name=VALUE`."""
    for index, argument in enumerate(arguments):
        if argument == name and index + 1 < len(arguments):
            return arguments[index + 1]
        if argument.startswith(name + "="):
            return argument.split("=", 1)[1]
    return None


def prepare_targets(session: nox.Session, arguments: list[str]) -> list[str]:
    """Install every target spec in `arguments` that needs an environment; add its interpreter option."""
    added = []
    for option, (role, python_option, variable) in TARGET_OPTIONS.items():
        spec = option_value(arguments, option) or os.environ.get(variable)
        if not spec or spec.strip() in ("reference", "installed") or option_value(arguments, python_option):
            continue
        python_file = Path(session.create_tmp()) / f"{role}-python.txt"
        session.run("python", "-m", "conformance", "env", spec, "--role", role, "--python-file", str(python_file))
        added += [python_option, python_file.read_text().strip()]
    return [*arguments, *added]


def matrix_releases(session: nox.Session) -> list[str]:
    """Return the versions the matrix runs: CONFORMANCE_RELEASES, else those marked matrix = true."""
    listed = tomllib.loads(RELEASES_FILE.read_text())["release"]
    chosen = os.environ.get("CONFORMANCE_RELEASES", "").split()
    if not chosen:
        return [entry["version"] for entry in listed if entry.get("matrix", True)]
    unknown = sorted(set(chosen) - {entry["version"] for entry in listed})
    if unknown:
        session.error(f"CONFORMANCE_RELEASES names {unknown}, which {RELEASES_FILE.name} does not list; add them there first")
    return chosen


@nox.session
def conformance_matrix(session: nox.Session) -> None:
    """Judge each release of conformance/releases.toml, then write one combined report.

    Arguments after `--` go to every pytest run (e.g. `-k st.flow`). The runs land in
    reports/matrix/<timestamp>/<version>/ and the report in reports/matrix/<timestamp>/combined.html.
    The session fails when any release has an unexpected verdict, after the report is written.
    """
    if any(argument.startswith(tuple(TARGET_OPTIONS)) for argument in session.posargs):
        session.error("conformance_matrix takes its targets from conformance/releases.toml; drop --target and --legacy-target")
    install_suite(session)
    releases = matrix_releases(session)
    matrix_dir = ROOT / "reports" / "matrix" / time.strftime("%Y%m%dT%H%M%S")

    for version in releases:
        arguments = prepare_targets(session, ["--target", f"sentence-transformers=={version}"])
        session.run(
            "python", "-m", "pytest", "scenarios", "-n", WORKERS, "-p", "no:cacheprovider",
            "--report-dir", str(matrix_dir), "--run-id", version, *arguments, *session.posargs,
            # Exit status 1 means unexpected verdicts: the combined report still has to be written.
            success_codes=[0, 1],
        )

    results = [str(matrix_dir / version / "results.json") for version in releases]
    combined = matrix_dir / "combined.html"
    session.run("python", "-m", "conformance", "report", *results, "-o", str(combined), "--junit", str(matrix_dir / "combined.xml"))
    unexpected = {
        version: sum(record["unexpected"] for record in json.loads(Path(path).read_text())["records"])
        for version, path in zip(releases, results)
    }
    session.log("unexpected verdicts per release: " + ", ".join(f"{v}: {n}" for v, n in unexpected.items()))
    if any(unexpected.values()):
        session.error(f"some releases have unexpected verdicts; see {combined}")


@nox.session
def tests(session: nox.Session) -> None:
    """Run the project's own tests: engine, reference, report (with a real headless Chromium)."""
    install_suite(session)
    session.run("python", "-m", "pytest", "tests", "-n", WORKERS, "-p", "no:cacheprovider", *session.posargs)


GPU_WORKERS = os.environ.get("CONFORMANCE_GPU_WORKERS", "4")
GPU_TIERS = "tiny,statistical"
# Run before the suite, so a machine without a usable GPU fails at once instead of skipping every record.
GPU_PROBE = (
    "import sys, torch; "
    "sys.exit(0) if torch.cuda.is_available() else sys.exit("
    "f'no GPU visible: torch {torch.__version__} (CUDA {torch.version.cuda}) reports torch.cuda.is_available() False; "
    "install a CUDA build of torch through CONFORMANCE_TORCH and check the driver with nvidia-smi')"
)


@nox.session
def conformance_gpu(session: nox.Session) -> None:
    """Judge every row on cuda in one command: `nox -s conformance_gpu -- OUTPUT_DIR [pytest arguments]`.

    Runs the tiny tier (deterministic, under the CUDA and mixed-precision tolerances) and the
    statistical tier (several seeds per side) on the GPU, with CONFORMANCE_GPU_WORKERS workers
    sharing it. The run folder, with results.json, index.html and junit.xml, is created under
    OUTPUT_DIR. Later arguments go to pytest, e.g. `--tier tiny,real,statistical` to add the
    real tier or `--target installed`.
    """
    if not session.posargs or session.posargs[0].startswith("-"):
        session.error("give the output folder first: nox -s conformance_gpu -- OUTPUT_DIR [pytest arguments]")
    output, *extra = session.posargs
    install_suite(session)
    session.run("python", "-c", GPU_PROBE)
    arguments = prepare_targets(session, extra)
    session.run(
        "python", "-m", "pytest", "scenarios", "--device", "cuda", "--tier", GPU_TIERS, "-n", GPU_WORKERS,
        "-v", "-p", "no:cacheprovider", "--report-dir", str(Path(output).resolve()), *arguments,
    )
