"""The 3.x CrossEncoder evaluators of the reference: warnings, scores, CSV files, and the v4 metric each equals."""

from __future__ import annotations

import csv

import numpy as np
import pytest
from ce_tiny_models import BINARY_LABELS, CLASS_LABELS, GOLD_SCORES, PAIRS, RERANKING_SAMPLES

from reference import InputExample
from reference.cross_encoder import CrossEncoder
from reference.cross_encoder.deprecations import EVALUATOR_MESSAGES
from reference.cross_encoder.evaluation import (
    CEBinaryAccuracyEvaluator,
    CEBinaryClassificationEvaluator,
    CECorrelationEvaluator,
    CEF1Evaluator,
    CERerankingEvaluator,
    CESoftmaxAccuracyEvaluator,
    CrossEncoderClassificationEvaluator,
    CrossEncoderCorrelationEvaluator,
    CrossEncoderRerankingEvaluator,
)

REPLACEMENTS = {
    CEBinaryAccuracyEvaluator: ("CrossEncoderClassificationEvaluator", (PAIRS, BINARY_LABELS)),
    CEBinaryClassificationEvaluator: ("CrossEncoderClassificationEvaluator", (PAIRS, BINARY_LABELS)),
    CECorrelationEvaluator: ("CrossEncoderCorrelationEvaluator", (PAIRS, GOLD_SCORES)),
    CEF1Evaluator: ("CrossEncoderClassificationEvaluator", (PAIRS, CLASS_LABELS)),
    CESoftmaxAccuracyEvaluator: ("CrossEncoderClassificationEvaluator", (PAIRS, CLASS_LABELS)),
    CERerankingEvaluator: ("CrossEncoderRerankingEvaluator", (RERANKING_SAMPLES,)),
}


def _quiet(evaluator_class, *args, **kwargs):
    with pytest.warns(DeprecationWarning):
        return evaluator_class(*args, **kwargs)


@pytest.mark.parametrize("evaluator_class", list(REPLACEMENTS), ids=lambda cls: cls.__name__)
def test_legacy_evaluator_warns_with_replacement(evaluator_class):
    replacement, args = REPLACEMENTS[evaluator_class]

    with pytest.warns(DeprecationWarning) as record:
        evaluator_class(*args)

    assert len(record) == 1
    assert str(record[0].message) == EVALUATOR_MESSAGES[evaluator_class.__name__]
    assert evaluator_class.__name__ in str(record[0].message)
    assert replacement in str(record[0].message)
    assert record[0].filename == __file__


def test_binary_accuracy_fixed_threshold(ce1):
    scores = ce1.predict(PAIRS)
    threshold = float(np.median(scores))

    accuracy = _quiet(CEBinaryAccuracyEvaluator, PAIRS, BINARY_LABELS, threshold=threshold, write_csv=False)(ce1)

    assert isinstance(accuracy, float)
    assert accuracy == pytest.approx(float(np.mean((scores > threshold) == np.array(BINARY_LABELS))))


def test_binary_accuracy_at_most_best_threshold(ce1):
    old = _quiet(CEBinaryAccuracyEvaluator, PAIRS, BINARY_LABELS, write_csv=False)(ce1)
    new = CrossEncoderClassificationEvaluator(PAIRS, BINARY_LABELS, write_csv=False)(ce1)

    assert old <= new["accuracy"]


def test_binary_accuracy_equals_new_when_threshold_is_best(ce1):
    # Labels that the fixed threshold separates perfectly make it one of the best thresholds.
    threshold = float(np.median(ce1.predict(PAIRS)))
    labels = (ce1.predict(PAIRS) > threshold).astype(int).tolist()
    assert 0 < sum(labels) < len(labels)

    old = _quiet(CEBinaryAccuracyEvaluator, PAIRS, labels, threshold=threshold, write_csv=False)(ce1)
    new = CrossEncoderClassificationEvaluator(PAIRS, labels, write_csv=False)(ce1)

    assert old == new["accuracy"] == 1.0


def test_binary_classification_equals_average_precision(ce1):
    old = _quiet(CEBinaryClassificationEvaluator, PAIRS, BINARY_LABELS, write_csv=False)(ce1)
    new = CrossEncoderClassificationEvaluator(PAIRS, BINARY_LABELS, write_csv=False)(ce1)

    assert isinstance(old, float)
    assert old == pytest.approx(new["average_precision"], abs=1e-12)


def test_binary_classification_rejects_labels(ce1):
    with pytest.raises(ValueError, match=r"labels 0 or 1, got \[2\]"):
        _quiet(CEBinaryClassificationEvaluator, PAIRS, [2] + BINARY_LABELS[1:])


def test_correlation_equals_spearman(ce1):
    old = _quiet(CECorrelationEvaluator, PAIRS, GOLD_SCORES, write_csv=False)(ce1)
    new = CrossEncoderCorrelationEvaluator(PAIRS, GOLD_SCORES, write_csv=False)(ce1)

    assert old == pytest.approx(new["spearman"], abs=1e-12)


def test_f1_multiclass_equals_macro(ce3):
    old = _quiet(CEF1Evaluator, PAIRS, CLASS_LABELS, write_csv=False)(ce3)
    new = CrossEncoderClassificationEvaluator(PAIRS, CLASS_LABELS, write_csv=False)(ce3)

    assert old == pytest.approx(new["f1_macro"], abs=1e-12)


def test_f1_two_labels_is_binary(ce1_folder):
    model = CrossEncoder(str(ce1_folder), num_labels=2, device="cpu", model_kwargs={"ignore_mismatched_sizes": True})
    predicted = model.predict(PAIRS).argmax(axis=1)
    labels = np.array(BINARY_LABELS)
    true_positive = int(np.sum((predicted == 1) & (labels == 1)))
    expected = 2 * true_positive / (np.sum(predicted == 1) + np.sum(labels == 1))

    score = _quiet(CEF1Evaluator, PAIRS, BINARY_LABELS, write_csv=False)(model)

    assert score == pytest.approx(expected)


def test_f1_rejects_single_label_value():
    with pytest.raises(ValueError, match="at least two distinct labels"):
        _quiet(CEF1Evaluator, PAIRS, [1] * len(PAIRS))


def test_softmax_accuracy_equals_micro_f1(ce3):
    old = _quiet(CESoftmaxAccuracyEvaluator, PAIRS, CLASS_LABELS, write_csv=False)(ce3)
    new = CrossEncoderClassificationEvaluator(PAIRS, CLASS_LABELS, write_csv=False)(ce3)
    predicted = ce3.predict(PAIRS).argmax(axis=1)

    assert old == pytest.approx(float(np.mean(predicted == np.array(CLASS_LABELS))))
    assert old == pytest.approx(new["f1_micro"], abs=1e-12)


def test_reranking_equals_new_mrr(ce1):
    old = _quiet(CERerankingEvaluator, RERANKING_SAMPLES, at_k=2, write_csv=False)(ce1)
    new = CrossEncoderRerankingEvaluator(RERANKING_SAMPLES, at_k=2, write_csv=False)(ce1)

    assert isinstance(old, float)
    assert old == pytest.approx(new["mrr@2"], abs=1e-12)


def test_reranking_skips_samples_without_negatives(ce1):
    samples = RERANKING_SAMPLES + [{"query": "a", "positive": ["the train leaves at noon"], "negative": []}]

    old = _quiet(CERerankingEvaluator, samples, write_csv=False)(ce1)

    assert old == _quiet(CERerankingEvaluator, RERANKING_SAMPLES, write_csv=False)(ce1)


def test_from_input_examples(ce1):
    examples = [InputExample(texts=list(pair), label=label) for pair, label in zip(PAIRS, BINARY_LABELS)]

    evaluator = _quiet(CEBinaryClassificationEvaluator.from_input_examples, examples, name="dev", write_csv=False)

    assert evaluator.sentence_pairs == PAIRS
    assert evaluator.labels.tolist() == BINARY_LABELS
    assert evaluator.name == "dev"


@pytest.mark.parametrize(
    ("evaluator_class", "args", "model_name", "file_name", "headers", "score_column"),
    [
        (CEBinaryAccuracyEvaluator, (PAIRS, BINARY_LABELS), "ce1", "CEBinaryAccuracyEvaluator_dev_results.csv",
         ["epoch", "steps", "Accuracy"], "Accuracy"),
        (CEBinaryClassificationEvaluator, (PAIRS, BINARY_LABELS), "ce1", "CEBinaryClassificationEvaluator_dev_results.csv",
         ["epoch", "steps", "Accuracy", "Accuracy_Threshold", "F1", "F1_Threshold", "Precision", "Recall", "Average_Precision"],
         "Average_Precision"),
        (CECorrelationEvaluator, (PAIRS, GOLD_SCORES), "ce1", "CECorrelationEvaluator_dev_results.csv",
         ["epoch", "steps", "Pearson_Correlation", "Spearman_Correlation"], "Spearman_Correlation"),
        (CEF1Evaluator, (PAIRS, CLASS_LABELS), "ce3", "CEF1Evaluator_dev_results.csv",
         ["epoch", "steps", "Macro F1 score", "Micro F1 score", "Weighted F1 score"], "Macro F1 score"),
        (CESoftmaxAccuracyEvaluator, (PAIRS, CLASS_LABELS), "ce3", "CESoftmaxAccuracyEvaluator_dev_results.csv",
         ["epoch", "steps", "Accuracy"], "Accuracy"),
        (CERerankingEvaluator, (RERANKING_SAMPLES,), "ce1", "CERerankingEvaluator_dev_results_@10.csv",
         ["epoch", "steps", "MRR@10", "NDCG@10"], "MRR@10"),
    ],
    ids=lambda value: value.__name__ if isinstance(value, type) else "",
)
def test_legacy_csv_layout(request, tmp_path, evaluator_class, args, model_name, file_name, headers, score_column):
    model = request.getfixturevalue(model_name)
    evaluator = _quiet(evaluator_class, *args, name="dev")

    score = evaluator(model, output_path=str(tmp_path), epoch=2, steps=7)

    rows = list(csv.reader((tmp_path / file_name).open()))
    assert rows[0] == headers
    assert rows[1][:2] == ["2", "7"]
    assert float(rows[1][headers.index(score_column)]) == pytest.approx(score)

