"""TOST equivalence tests, metric extraction and the Statistical declaration."""

from __future__ import annotations

import json
import math

import pytest
from scipy import stats

from conformance.errors import ScenarioDefinitionError
from conformance.statistics import (
    EQUIVALENT,
    INCONCLUSIVE,
    OUTSIDE,
    Statistical,
    compare_runs,
    exact_observation_differences,
    metric_value,
    tost,
)

LEGACY = [2.71, 2.80, 2.66, 2.75, 2.78]
NEW_CLOSE = [2.74, 2.69, 2.77, 2.72, 2.70]


def test_tost_estimate_is_difference_of_means():
    result = tost("final_loss", LEGACY, NEW_CLOSE, margin=0.15)
    assert result.estimate == pytest.approx(sum(NEW_CLOSE) / 5 - sum(LEGACY) / 5)
    assert result.legacy_mean == pytest.approx(sum(LEGACY) / 5)
    assert result.n_legacy == 5
    assert result.n_new == 5


def test_tost_p_value_matches_two_welch_tests():
    margin = 0.15
    result = tost("final_loss", LEGACY, NEW_CLOSE, margin=margin)
    lower = stats.ttest_ind([value + margin for value in NEW_CLOSE], LEGACY, equal_var=False, alternative="greater").pvalue
    upper = stats.ttest_ind([value - margin for value in NEW_CLOSE], LEGACY, equal_var=False, alternative="less").pvalue
    assert result.p_value == pytest.approx(max(lower, upper), rel=1e-9)


def test_tost_interval_is_welch_interval():
    result = tost("final_loss", LEGACY, NEW_CLOSE, margin=0.15, alpha=0.05)
    welch = stats.ttest_ind(NEW_CLOSE, LEGACY, equal_var=False)
    low, high = welch.confidence_interval(confidence_level=0.90)
    assert result.low == pytest.approx(low, rel=1e-9)
    assert result.high == pytest.approx(high, rel=1e-9)


def test_tost_close_means_are_equivalent():
    result = tost("final_loss", LEGACY, NEW_CLOSE, margin=0.15)
    assert result.outcome == EQUIVALENT
    assert result.p_value < 0.05


def test_tost_shift_past_margin_is_outside():
    shifted = [value + 0.5 for value in LEGACY]
    result = tost("final_loss", LEGACY, shifted, margin=0.15)
    assert result.outcome == OUTSIDE
    assert result.estimate == pytest.approx(0.5)
    assert result.p_value > 0.05


def test_tost_noisy_small_shift_is_inconclusive():
    noisy = [2.2, 3.3, 2.5, 3.1, 2.6]
    result = tost("final_loss", LEGACY, noisy, margin=0.15)
    assert abs(result.estimate) < 0.15
    assert result.outcome == INCONCLUSIVE


def test_tost_constant_sides():
    assert tost("steps", [3, 3, 3], [3, 3, 3], margin=0.5).outcome == EQUIVALENT
    assert tost("steps", [3, 3, 3], [4, 4, 4], margin=0.5).outcome == OUTSIDE


def test_tost_drops_nan_runs():
    result = tost("final_loss", [*LEGACY, math.nan], NEW_CLOSE, margin=0.15)
    assert result.n_legacy == 5


def test_tost_needs_two_values_per_side():
    result = tost("final_loss", [2.7], NEW_CLOSE, margin=0.15)
    assert result.outcome == INCONCLUSIVE
    assert result.low == -math.inf


def test_tost_figure_is_strict_json():
    figure = tost("final_loss", [2.7], NEW_CLOSE, margin=0.15).as_dict()
    text = json.dumps(figure, allow_nan=False)
    assert '"low": null' in text
    assert figure["outcome"] == INCONCLUSIVE
    assert figure["confidence"] == pytest.approx(0.9)


def test_tost_sentence_has_the_numbers():
    sentence = tost("final_loss", LEGACY, NEW_CLOSE, margin=0.15).sentence()
    assert "margin +/-0.15" in sentence
    assert "90% interval" in sentence
    assert "5 and 5 seeds" in sentence


def test_metric_value_reads_each_kind():
    artifacts = {"loss": {"loss": [3.0, 2.5, 2.25]}, "heldout": {"spearman": 0.4}, "observations": {"loss_fp32": 2.0, "flag": True}}
    assert metric_value(artifacts, "final_loss") == 2.25
    assert metric_value(artifacts, "heldout.spearman") == 0.4
    assert metric_value(artifacts, "observations.loss_fp32") == 2.0
    assert math.isnan(metric_value(artifacts, "observations.flag"))
    assert math.isnan(metric_value(artifacts, "heldout.pearson"))
    assert math.isnan(metric_value({}, "final_loss"))


def test_compare_runs_tests_every_margin():
    declaration = Statistical(margins={"final_loss": 0.15, "heldout.spearman": 0.1})
    legacy = [{"loss": {"loss": [value]}, "heldout": {"spearman": 0.3}} for value in LEGACY]
    new = [{"loss": {"loss": [value]}, "heldout": {"spearman": 0.6}} for value in NEW_CLOSE]
    results = {result.metric: result.outcome for result in compare_runs(legacy, new, declaration)}
    assert results == {"final_loss": EQUIVALENT, "heldout.spearman": OUTSIDE}


def test_exact_observations_must_agree():
    legacy = [{"observations": {"autocast_active": True}}] * 2
    new = [{"observations": {"autocast_active": True}}, {"observations": {"autocast_active": False}}]
    differences = exact_observation_differences(legacy, new, ["autocast_active"])
    assert len(differences) == 1
    assert "autocast_active" in differences[0]
    assert exact_observation_differences(legacy, legacy, ["autocast_active"]) == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"margins": {}}, "at least one metric"),
        ({"margins": {"accuracy": 0.1}}, "unknown statistical metric 'accuracy'"),
        ({"margins": {"final_loss": 0}}, "must be a number > 0, got 0"),
        ({"seeds": 1}, "at least 2 seeds"),
        ({"alpha": 0.5}, "alpha must lie between 0 and 0.5"),
    ],
)
def test_statistical_rejects_bad_declarations(arguments, message):
    with pytest.raises(ScenarioDefinitionError, match=message):
        Statistical(**arguments)
