"""The numpy metrics of the CrossEncoder evaluators against scikit-learn and hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest

from reference.cross_encoder.evaluation.metrics import (
    average_precision,
    best_accuracy_threshold,
    best_f1_threshold,
    dcg_at_k,
    f1,
    ideal_dcg,
    reciprocal_rank,
)

RNG = np.random.default_rng(0)
# Rounded scores force ties, which is where the definitions differ most.
CASES = [(RNG.integers(0, 2, size=30), np.round(RNG.random(30), 1).astype(np.float32)) for _ in range(5)]


@pytest.fixture(scope="module")
def sklearn_metrics():
    return pytest.importorskip("sklearn.metrics")


@pytest.mark.parametrize("case", range(len(CASES)))
def test_average_precision_matches_sklearn(sklearn_metrics, case):
    labels, scores = CASES[case]

    assert average_precision(labels, scores) == pytest.approx(sklearn_metrics.average_precision_score(labels, scores), abs=1e-12)


@pytest.mark.parametrize("average", ["binary", "macro", "micro", "weighted"])
def test_f1_matches_sklearn(sklearn_metrics, average):
    y_true = RNG.integers(0, 2 if average == "binary" else 4, size=40)
    y_pred = RNG.integers(0, 2 if average == "binary" else 4, size=40)

    assert f1(y_true, y_pred, average) == pytest.approx(sklearn_metrics.f1_score(y_true, y_pred, average=average), abs=1e-12)


def test_f1_micro_is_accuracy():
    y_true = [0, 1, 2, 2, 1, 0]
    y_pred = [0, 2, 2, 1, 1, 0]

    assert f1(y_true, y_pred, "micro") == pytest.approx(4 / 6)


def test_f1_rejects_unknown_average():
    with pytest.raises(ValueError, match="'samples'"):
        f1([0, 1], [1, 0], "samples")


def test_f1_binary_rejects_other_labels():
    with pytest.raises(ValueError, match=r"\[0, 2\]"):
        f1([0, 2], [2, 0], "binary")


@pytest.mark.parametrize("case", range(len(CASES)))
def test_dcg_matches_sklearn(sklearn_metrics, case):
    labels, scores = CASES[case]

    assert dcg_at_k(labels, scores, at_k=10) == pytest.approx(sklearn_metrics.dcg_score([labels], [scores], k=10), abs=1e-12)


def test_ideal_dcg_values():
    assert ideal_dcg(1, 10) == pytest.approx(1.0)
    assert ideal_dcg(3, 2) == pytest.approx(1 + 1 / np.log2(3))


def test_reciprocal_rank_values():
    assert reciprocal_rank([0, 0, 1], [0.9, 0.8, 0.7], at_k=10) == pytest.approx(1 / 3)
    assert reciprocal_rank([0, 0, 1], [0.9, 0.8, 0.7], at_k=2) == 0.0


def test_best_accuracy_threshold_values():
    result = best_accuracy_threshold(np.array([0.9, 0.8, 0.3, 0.1], dtype=np.float32), [1, 1, 0, 0])

    assert result.value == 1.0
    assert result.threshold == pytest.approx(0.55)


def test_best_accuracy_threshold_all_negative():
    result = best_accuracy_threshold(np.array([0.9, 0.2], dtype=np.float32), [0, 0])

    assert result.value == 1.0
    assert result.threshold > 0.9


def test_best_f1_threshold_values():
    result = best_f1_threshold(np.array([0.9, 0.8, 0.7, 0.1]), [1, 0, 1, 0])

    assert result.value == pytest.approx(0.8)
    assert result.precision == pytest.approx(2 / 3)
    assert result.recall == 1.0
    assert result.threshold == pytest.approx(0.4)
