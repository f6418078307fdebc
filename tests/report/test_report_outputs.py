"""write_run_outputs, the engine's entry point, and the package's import surface."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

import conformance.report as report
from conformance.report import ResultsError, read_results, write_run_outputs


def test_outputs_written(tmp_path: Path, results: dict[str, Any]) -> None:
    paths = write_run_outputs(results, tmp_path / "reports" / "run")

    assert sorted(paths) == ["html", "junit", "results"]
    assert paths["results"] == tmp_path / "reports" / "run" / "results.json"
    assert read_results(paths["results"]) == results
    assert paths["html"].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert ET.parse(paths["junit"]).getroot().get("tests") == "60"


def test_outputs_replace_non_finite(tmp_path: Path, results: dict[str, Any]) -> None:
    results["records"][0]["figures"]["loss"]["new"][3] = float("nan")
    results["records"][0]["figures"]["weights"]["max_abs_diff"] = float("inf")

    paths = write_run_outputs(results, tmp_path)

    text = paths["results"].read_text(encoding="utf-8")
    written = json.loads(text)
    assert "NaN" not in text
    assert "Infinity" not in text
    assert written["records"][0]["figures"]["loss"]["new"][3] is None
    assert written["records"][0]["figures"]["weights"]["max_abs_diff"] is None


def test_outputs_keep_invalid_data(tmp_path: Path, results: dict[str, Any]) -> None:
    results["records"][2]["verdict"] = None

    with pytest.raises(ResultsError, match=r"\$\.records\[2\]\.verdict") as caught:
        write_run_outputs(results, tmp_path)

    assert "results.invalid.json" in str(caught.value)
    assert json.loads((tmp_path / "results.invalid.json").read_text(encoding="utf-8"))["records"][2]["verdict"] is None
    assert not (tmp_path / "results.json").exists()
    assert not (tmp_path / "index.html").exists()


def test_outputs_non_finite_in_required_number(tmp_path: Path, results: dict[str, Any]) -> None:
    results["records"][0]["tolerance"]["rtol"] = float("nan")
    with pytest.raises(ResultsError, match=r"\$\.records\[0\]\.tolerance\.rtol: None is not of type 'number'"):
        write_run_outputs(results, tmp_path)


def test_exports_match_all() -> None:
    public = {name for name in dir(report) if not name.startswith("_") and callable(getattr(report, name))}
    assert set(report.__all__) == public


def test_report_runs_without_torch(tmp_path: Path, results: dict[str, Any]) -> None:
    path = tmp_path / "results.json"
    path.write_text(json.dumps(results), encoding="utf-8")

    # A None entry in sys.modules makes any `import torch` raise ImportError.
    script = (
        "import sys; sys.modules['torch'] = None\n"
        "from conformance.cli import main\n"
        f"assert main(['report', {str(path)!r}, '-o', {str(tmp_path / 'out.html')!r}]) == 0\n"
        f"assert main(['compare', {str(path)!r}, {str(path)!r}]) == 0\n"
    )
    repo_root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", script], cwd=repo_root, capture_output=True, text=True, timeout=120, check=False)

    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.html").exists()
