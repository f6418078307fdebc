"""`python -m conformance compare OLD NEW`: output and exit status."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import main
from conformance.report import compare_results
from conformance.report.compare import key_figures
from results_factory import make_record, with_verdict, write_json

FLOW = "st.flow::default[tiny-cpu]"
WARMUP = "st.fit.warmup_steps::default[tiny-cpu]"


def _run_compare(tmp_path: Path, old: dict[str, Any], new: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    old_path = write_json(tmp_path / "old.json", old)
    new_path = write_json(tmp_path / "new.json", new)
    status = main(["compare", str(old_path), str(new_path)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _mentioned_ids(output: str, results: dict[str, Any]) -> list[str]:
    return [record["id"] for record in results["records"] if record["id"] in output]


def test_compare_new_failure_exits_1(tmp_path: Path, results: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    new = with_verdict(results, FLOW, "divergent")

    status, out, _ = _run_compare(tmp_path, results, new, capsys)

    assert status == 1
    assert _mentioned_ids(out, results) == [FLOW]
    assert f"New failures (1):\n  {FLOW}: equivalent -> divergent: changed to divergent" in out
    assert "Fixed" not in out


def test_compare_fix_exits_0(tmp_path: Path, results: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    new = with_verdict(results, WARMUP, "equivalent")

    status, out, _ = _run_compare(tmp_path, results, new, capsys)

    assert status == 0
    assert _mentioned_ids(out, results) == [WARMUP]
    assert f"Fixed (1):\n  {WARMUP}: divergent -> equivalent" in out
    assert "New failures" not in out


def test_compare_identical_files(tmp_path: Path, results: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run_compare(tmp_path, results, copy.deepcopy(results), capsys)
    assert status == 0
    assert _mentioned_ids(out, results) == []
    assert "60 records in both; 0 new failures, 0 fixed" in out


def test_compare_lists_new_failures_first(tmp_path: Path, results: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    new = with_verdict(with_verdict(results, WARMUP, "equivalent"), FLOW, "error")
    _, out, _ = _run_compare(tmp_path, results, new, capsys)
    assert out.index("New failures") < out.index("Fixed")


def test_compare_other_verdict_change(tmp_path: Path, results: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    new = with_verdict(results, FLOW, "skipped")
    status, out, _ = _run_compare(tmp_path, results, new, capsys)
    assert status == 0
    assert f"Other verdict changes (1):\n  {FLOW}: equivalent -> skipped" in out


def test_compare_added_and_removed(tmp_path: Path, results: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    new = copy.deepcopy(results)
    removed = new["records"].pop(1)
    new["records"].append(make_record("st.flow", case="second", verdict="equivalent"))

    status, out, _ = _run_compare(tmp_path, results, new, capsys)

    assert status == 0
    assert f"Removed (1):\n  {removed['id']}: equivalent in OLD, not in NEW" in out
    assert "Added (1):\n  st.flow::second[tiny-cpu]: not in OLD, equivalent in NEW" in out


def test_compare_added_failure_is_new(results: dict[str, Any]) -> None:
    new = copy.deepcopy(results)
    new["records"].append(make_record("st.flow", case="second", verdict="divergent"))
    comparison = compare_results(results, new)
    assert [change.id for change in comparison.new_failures] == ["st.flow::second[tiny-cpu]"]
    assert comparison.has_new_failure


def test_compare_moved_figure(tmp_path: Path, results: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    new = copy.deepcopy(results)
    new["records"][0]["figures"]["weights"]["max_abs_diff"] = 2e-3
    new["records"][1]["figures"]["weights"]["max_abs_diff"] += 1e-9

    status, out, _ = _run_compare(tmp_path, results, new, capsys)

    assert status == 0
    assert "Figures moved past tolerance (1):" in out
    assert f"{FLOW}: weights.max_abs_diff 3.1e-08 -> 0.002 (changed by 0.00199997, allowed 1e-06)" in out
    assert results["records"][1]["id"] not in out


def test_compare_heldout_and_last_loss(results: dict[str, Any]) -> None:
    new = copy.deepcopy(results)
    new["records"][0]["figures"]["heldout"]["new"]["spearman"] = 0.5
    new["records"][0]["figures"]["loss"]["new"][-1] += 0.1

    moved = {change.figure for change in compare_results(results, new).figures}

    assert moved == {"heldout.new.spearman", "loss.new[last]"}


def test_key_figures_names() -> None:
    figures = key_figures(make_record("st.flow", points=5))
    assert figures["weights.max_abs_diff"] == 3.1e-8
    assert "learning_rate.negative_control[last]" in figures
    assert figures["heldout.legacy.pearson"] == 0.3987


def test_compare_missing_file_exits_2(tmp_path: Path, results: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    old_path = write_json(tmp_path / "old.json", results)
    missing = tmp_path / "gone" / "results.json"

    status = main(["compare", str(old_path), str(missing)])

    err = capsys.readouterr().err
    assert status == 2
    assert f"error: {missing}: file not found" in err


def test_compare_invalid_json_exits_2(tmp_path: Path, results: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    old_path = write_json(tmp_path / "old.json", results)
    broken = tmp_path / "new.json"
    broken.write_text("{not json", encoding="utf-8")

    status = main(["compare", str(old_path), str(broken)])

    err = capsys.readouterr().err
    assert status == 2
    assert f"{broken}: invalid JSON at line 1, column 2" in err


def test_compare_schema_violation_exits_2(tmp_path: Path, results: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    bad = copy.deepcopy(results)
    bad["records"][4]["verdict"] = "passed"

    status, out, err = _run_compare(tmp_path, results, bad, capsys)

    assert status == 2
    assert out == ""
    assert str(tmp_path / "new.json") in err
    assert "$.records[4].verdict: 'passed' is not one of" in err


def test_compare_module_entry_point(tmp_path: Path, results: dict[str, Any]) -> None:
    old_path = write_json(tmp_path / "old.json", results)
    new_path = write_json(tmp_path / "new.json", with_verdict(results, FLOW, "insensitive"))
    repo_root = Path(__file__).resolve().parents[2]

    done = subprocess.run([sys.executable, "-m", "conformance", "compare", str(old_path), str(new_path)],
                          cwd=repo_root, capture_output=True, text=True, timeout=120, check=False)

    assert done.returncode == 1
    assert FLOW in done.stdout
