"""Run the conformance suite in a subprocess, as a user or CI would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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

    def record(self, row: str) -> dict[str, Any]:
        return next(record for record in self.results["records"] if record["row"] == row)


def run_suite(tmp_path: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 600) -> SuiteRun:
    """Run `pytest scenarios -k st.flow` on the tiny tier and CPU in a fresh process."""
    report_dir = tmp_path / "reports"
    environment = {key: value for key, value in os.environ.items() if not key.startswith("CONFORMANCE_")}
    environment.update(env or {})
    command = [
        sys.executable, "-m", "pytest", str(SCENARIOS), "-p", "no:cacheprovider", "-k", "st.flow",
        "--report-dir", str(report_dir), "--device", "cpu", "--tier", "tiny", *args,
    ]
    completed = subprocess.run(command, cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=timeout)
    runs = sorted(report_dir.iterdir()) if report_dir.exists() else []
    return SuiteRun(completed.returncode, completed.stdout + completed.stderr, runs[-1] if runs else None)
