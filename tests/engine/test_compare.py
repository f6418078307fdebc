"""Comparison primitives: curves, tensors, structures and warning promises."""

from __future__ import annotations

import numpy as np
import pytest

from conformance.compare.numeric import compare_arrays, compare_curve
from conformance.compare.structured import deep_mismatches, warning_mismatches
from conformance.compare.tolerance import Tolerance, flat_policy, load_policy, select
from conformance.scenario import WarningRule

TIGHT = Tolerance("test", rtol=1e-5, atol=1e-6)


def test_curve_equal_within_tolerance():
    assert compare_curve("loss", "loss", [1.0, 0.5], [1.0 + 5e-7, 0.5], TIGHT) == []


def test_curve_reports_first_divergent_step():
    found = compare_curve("loss", "loss", [1.0, 0.9, 0.8, 0.7], [1.0, 0.9, 0.81, 0.75], TIGHT)
    assert len(found) == 1
    assert found[0]["first_divergent_step"] == 3
    assert found[0]["count"] == 2
    assert found[0]["total"] == 4
    assert found[0]["max_abs_diff"] == pytest.approx(0.05)


def test_curve_length_mismatch():
    found = compare_curve("learning_rate", "lr", [1.0, 2.0], [1.0, 2.0, 3.0], TIGHT)
    assert found[0]["kind"] == "length"
    assert found[0]["expected"] == 2
    assert found[0]["got"] == 3


def test_arrays_count_and_worst_tensor():
    left = {"a": np.zeros((2, 2), dtype=np.float32), "b": np.ones(3, dtype=np.float32)}
    right = {"a": np.array([[0, 0], [0, 1e-3]], dtype=np.float32), "b": np.ones(3, dtype=np.float32)}
    found, summary = compare_arrays("weights", left, right, TIGHT)
    assert summary["worst_tensor"] == "a"
    assert summary["max_abs_diff"] == pytest.approx(1e-3)
    assert found[0]["count"] == 1
    assert found[0]["total"] == 7


def test_arrays_missing_and_shape():
    left = {"a": np.zeros(2), "b": np.zeros(2)}
    right = {"a": np.zeros(3)}
    kinds = sorted(item["kind"] for item in compare_arrays("weights", left, right, TIGHT)[0])
    assert kinds == ["missing", "structure"]


def test_deep_mismatch_ignores_small_float_noise():
    assert deep_mismatches("observations", {"x": [1.0, {"y": 2.0}]}, {"x": [1.0 + 1e-8, {"y": 2.0}]}, TIGHT) == []


def test_deep_mismatch_reports_path():
    found = deep_mismatches("observations", {"calls": [{"epoch": 0}]}, {"calls": [{"epoch": 1}]}, TIGHT)
    assert len(found) == 1
    assert "['calls'][0]['epoch']" in found[0]["where"]
    assert found[0]["expected"] == 0
    assert found[0]["got"] == 1


def test_deep_mismatch_numeric_difference():
    found = deep_mismatches("observations", {"score": 0.5}, {"score": 0.625}, TIGHT)
    assert found[0]["max_abs_diff"] == pytest.approx(0.125)
    assert found[0]["max_rel_diff"] == pytest.approx(0.25)


def _warning(raw: str, category: str = "FutureWarning") -> dict:
    return {"source": "warnings", "category": category, "logger": None, "message": raw, "raw": raw, "classification": "deprecation" if "deprecat" in raw else "other", "expected": None}


def test_new_side_deprecation_is_a_mismatch():
    found = warning_mismatches([], [_warning("x is deprecated")], (), ())
    assert len(found) == 1
    assert found[0]["where"] == "new"


def test_required_warning_missing():
    rule = WarningRule("legacy", r"model_name_or_path", must_emit=True, description="old name warns")
    found = warning_mismatches([_warning("something else", "UserWarning")], [], (rule,), ())
    assert found[0]["kind"] == "missing"


def test_required_warning_present():
    rule = WarningRule("legacy", r"model_name_or_path", must_emit=True, description="old name warns")
    legacy = [_warning("model_name is deprecated, use model_name_or_path")]
    assert warning_mismatches(legacy, [], (rule,), ()) == []
    assert legacy[0]["expected"] is True


def test_ignored_warning_is_ambient():
    new = [_warning("the tokenizers TOKENIZERS_PARALLELISM thing is deprecated")]
    assert warning_mismatches([], new, (), ()) == []
    assert new[0]["classification"] == "ambient"


def test_policy_has_cpu_and_override_reason():
    policy = load_policy()
    assert select("cpu").rtol == policy["policy"]["fp32-cpu"]["rtol"]
    override = select("cpu", override="real-cpu")
    assert override.override_reason
    assert "real-cpu" in flat_policy(policy)


def test_unknown_override_names_known_ones():
    with pytest.raises(Exception, match="real-cpu"):
        select("cpu", override="nope")
