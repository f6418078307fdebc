"""Helpers of the device, precision and statistics tests: suite runs in a subprocess, scenario folders, forks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = PROJECT_ROOT / "scenarios"


@dataclass
class SuiteRun:
    exit_code: int
    output: str
    run_dir: Path | None

    @property
    def results(self) -> dict[str, Any]:
        return json.loads((self.run_dir / "results.json").read_text())

    def records(self) -> dict[str, dict[str, Any]]:
        return {record["id"]: record for record in self.results["records"]}


def run_suite(tmp_path: Path, scenarios: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 900) -> SuiteRun:
    """Run `pytest <scenarios>` with the plugin in a fresh process, on CPU and the tiny tier unless `args` override them."""
    report_dir = tmp_path / "reports"
    environment = dict(os.environ)
    environment.pop("CONFORMANCE_TARGET", None)
    environment.update(env or {})
    command = [
        sys.executable, "-m", "pytest", str(scenarios), "-p", "no:cacheprovider", "--report-dir", str(report_dir),
        "--device", "cpu", "--tier", "tiny", "-q", *args,
    ]
    completed = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=timeout)
    runs = sorted(report_dir.iterdir()) if report_dir.exists() else []
    return SuiteRun(completed.returncode, completed.stdout + completed.stderr, runs[-1] if runs else None)


@pytest.fixture
def suite(tmp_path: Path):
    def run(scenarios: Path, *args: str, **kwargs: Any) -> SuiteRun:
        return run_suite(tmp_path, scenarios, *args, **kwargs)

    return run


def write_scenarios(folder: Path, files: dict[str, str]) -> Path:
    """Write scenario files (dedented) into `folder/scenarios` and return that folder."""
    scenarios = folder / "scenarios"
    scenarios.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (scenarios / name).write_text(textwrap.dedent(text))
    return scenarios


def write_fork(folder: Path, body: str) -> Path:
    """A fork checkout: a folder holding a `sentence_transformers` package built on the reference."""
    package = folder / "fork" / "sentence_transformers"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(body))
    return folder / "fork"
