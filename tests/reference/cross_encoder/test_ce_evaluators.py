"""The v4 CrossEncoder evaluators of the reference, checked against upstream sentence-transformers 6.x."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from ce_tiny_models import BINARY_LABELS, CLASS_LABELS, GOLD_SCORES, PAIRS, RERANKING_SAMPLES

from reference.cross_encoder.evaluation import (
    CrossEncoderClassificationEvaluator,
    CrossEncoderCorrelationEvaluator,
    CrossEncoderRerankingEvaluator,
)

ABS_TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def upstream():
    """The real upstream package, whose evaluators give the expected values."""
    pytest.importorskip("sentence_transformers.cross_encoder.evaluation")
    import sentence_transformers

    return sentence_transformers


def _assert_same_metrics(reference: dict[str, float], expected: dict[str, float]) -> None:
    assert reference.keys() == expected.keys()
    for key, value in expected.items():
        assert reference[key] == pytest.approx(float(value), abs=ABS_TOLERANCE), key


def test_classification_binary_metrics(ce1):
    evaluator = CrossEncoderClassificationEvaluator(PAIRS, BINARY_LABELS, name="dev", write_csv=False)

    metrics = evaluator(ce1)

    assert list(metrics) == [
        "dev_accuracy", "dev_accuracy_threshold", "dev_f1", "dev_f1_threshold",
        "dev_precision", "dev_recall", "dev_average_precision",
    ]
    assert evaluator.primary_metric == "dev_average_precision"
    assert 0.0 <= metrics["dev_average_precision"] <= 1.0


def test_classification_multiclass_metrics(ce3):
    evaluator = CrossEncoderClassificationEvaluator(PAIRS, CLASS_LABELS, write_csv=False)
    predicted = ce3.predict(PAIRS).argmax(axis=1)

    metrics = evaluator(ce3)

    assert list(metrics) == ["f1_macro", "f1_micro", "f1_weighted"]
    assert evaluator.primary_metric == "f1_macro"
    assert metrics["f1_micro"] == pytest.approx(float(np.mean(predicted == np.array(CLASS_LABELS))))


def test_classification_rejects_length_mismatch():
    with pytest.raises(ValueError, match="same length"):
        CrossEncoderClassificationEvaluator(PAIRS, BINARY_LABELS[:3])


def test_classification_writes_csv(ce1, tmp_path):
    evaluator = CrossEncoderClassificationEvaluator(PAIRS, BINARY_LABELS, name="dev")

    evaluator(ce1, output_path=str(tmp_path), epoch=1, steps=5)
    evaluator(ce1, output_path=str(tmp_path), epoch=1, steps=-1)

    rows = list(csv.reader((tmp_path / "CrossEncoderClassificationEvaluator_dev_results.csv").open()))
    assert rows[0][:3] == ["epoch", "steps", "Accuracy"]
    assert [row[:2] for row in rows[1:]] == [["1", "5"], ["1", "-1"]]


def test_correlation_metrics(ce1):
    from scipy.stats import spearmanr

    evaluator = CrossEncoderCorrelationEvaluator(PAIRS, GOLD_SCORES, name="sts", write_csv=False)

    metrics = evaluator(ce1)

    assert list(metrics) == ["sts_pearson", "sts_spearman"]
    assert evaluator.primary_metric == "sts_spearman"
    assert metrics["sts_spearman"] == pytest.approx(spearmanr(GOLD_SCORES, ce1.predict(PAIRS))[0])


def test_reranking_metric_keys(ce1):
    evaluator = CrossEncoderRerankingEvaluator(RERANKING_SAMPLES, at_k=3, name="dev", write_csv=False)

    metrics = evaluator(ce1)

    assert list(metrics) == ["dev_map", "dev_mrr@3", "dev_ndcg@3"]
    assert evaluator.primary_metric == "dev_ndcg@3"
    assert all(0.0 < value <= 1.0 for value in metrics.values())


def test_reranking_sample_without_positive_scores_zero(ce1):
    samples = RERANKING_SAMPLES[:1] + [{"query": "a", "positive": [], "negative": ["the train leaves at noon"]}]
    single = CrossEncoderRerankingEvaluator(RERANKING_SAMPLES[:1], write_csv=False)(ce1)

    metrics = CrossEncoderRerankingEvaluator(samples, write_csv=False)(ce1)

    assert metrics["mrr@10"] == pytest.approx(single["mrr@10"] / 2)


def test_reranking_documents_report_base_metrics(ce1):
    sample = {
        "query": "what are pandas",
        "positive": ["pandas are bears that eat bamboo", "a panda"],
        "documents": ["the train leaves at noon", "pandas are bears that eat bamboo", "a cat is sleeping"],
    }

    with_positives = CrossEncoderRerankingEvaluator([sample], write_csv=False)(ce1)
    as_given = CrossEncoderRerankingEvaluator([sample], always_rerank_positives=False, write_csv=False)(ce1)

    # The given order puts the one retrieved positive second, and the other positive is missing.
    assert with_positives["base_mrr@10"] == pytest.approx(0.5)
    assert with_positives["base_map"] == pytest.approx(0.5 * 1 / 2)
    assert with_positives["base_ndcg@10"] == pytest.approx((1 / np.log2(3)) / (1 + 1 / np.log2(3)))
    assert as_given["base_map"] == with_positives["base_map"]
    assert as_given["map"] <= 0.5
    assert as_given["mrr@10"] in (pytest.approx(1.0), pytest.approx(0.5), pytest.approx(1 / 3))


@pytest.mark.parametrize(
    "sample",
    [{"positive": ["x"], "negative": ["y"]}, {"query": "q", "positive": ["x"]},
     {"query": "q", "positive": ["x"], "negative": ["y"], "documents": ["y"]}],
    ids=["no-query", "no-candidates", "both-candidates"],
)
def test_reranking_rejects_bad_sample(ce1, sample):
    with pytest.raises(ValueError, match="CrossEncoderRerankingEvaluator needs"):
        CrossEncoderRerankingEvaluator([sample], write_csv=False)(ce1)


def test_classification_binary_matches_upstream(upstream, ce1, ce1_folder):
    reference = CrossEncoderClassificationEvaluator(PAIRS, BINARY_LABELS, name="dev", write_csv=False)(ce1)
    expected = upstream.cross_encoder.evaluation.CrossEncoderClassificationEvaluator(
        PAIRS, BINARY_LABELS, name="dev", write_csv=False
    )(upstream.CrossEncoder(str(ce1_folder), device="cpu"))

    _assert_same_metrics(reference, expected)


def test_classification_multiclass_matches_upstream(upstream, ce3, ce3_folder):
    reference = CrossEncoderClassificationEvaluator(PAIRS, CLASS_LABELS, write_csv=False)(ce3)
    expected = upstream.cross_encoder.evaluation.CrossEncoderClassificationEvaluator(
        PAIRS, CLASS_LABELS, write_csv=False
    )(upstream.CrossEncoder(str(ce3_folder), device="cpu"))

    _assert_same_metrics(reference, expected)


def test_correlation_matches_upstream(upstream, ce1, ce1_folder):
    reference = CrossEncoderCorrelationEvaluator(PAIRS, GOLD_SCORES, write_csv=False)(ce1)
    expected = upstream.cross_encoder.evaluation.CrossEncoderCorrelationEvaluator(
        PAIRS, GOLD_SCORES, write_csv=False
    )(upstream.CrossEncoder(str(ce1_folder), device="cpu"))

    _assert_same_metrics(reference, expected)


@pytest.mark.parametrize("always_rerank_positives", [True, False])
def test_reranking_matches_upstream(upstream, ce1, ce1_folder, always_rerank_positives):
    samples = RERANKING_SAMPLES + [
        {"query": "a man is riding a horse", "positive": ["a man is riding a horse", "men push carts"],
         "documents": ["the train leaves at noon", "a man is riding a horse", "a cat is sleeping", "a woman plays music"]},
    ]
    settings = {"at_k": 3, "always_rerank_positives": always_rerank_positives, "write_csv": False}

    reference = CrossEncoderRerankingEvaluator(samples, **settings)(ce1)
    expected = upstream.cross_encoder.evaluation.CrossEncoderRerankingEvaluator(samples, **settings)(
        upstream.CrossEncoder(str(ce1_folder), device="cpu")
    )

    _assert_same_metrics(reference, expected)
