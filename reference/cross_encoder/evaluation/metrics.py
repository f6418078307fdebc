"""Classification and ranking metrics of the CrossEncoder evaluators, in numpy.

The definitions follow what sentence-transformers 6.3.0 reports, which computes them with
scikit-learn (``average_precision_score``, ``f1_score``, ``dcg_score``) and with its own threshold
search. The tests compare these functions with scikit-learn where it is installed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ThresholdResult:
    """The best value of a metric over all score thresholds, and the threshold that reaches it."""

    value: float
    threshold: Any
    precision: float = 0.0
    recall: float = 0.0


def _descending_groups(scores: np.ndarray, labels: np.ndarray) -> list[tuple[Any, Any, np.ndarray]]:
    """Return ``(score, next lower score or None, labels of the tied group)`` from the highest score down."""
    # A stable sort keeps the input order inside a tie, which matters for no metric here but keeps runs repeatable.
    order = np.argsort(-scores.astype(np.float64), kind="stable")
    sorted_scores = scores[order]
    sorted_labels = labels[order]

    groups = []
    start = 0
    for end in range(1, len(sorted_scores) + 1):
        if end < len(sorted_scores) and sorted_scores[end] == sorted_scores[start]:
            continue
        next_score = sorted_scores[end] if end < len(sorted_scores) else None
        groups.append((sorted_scores[start], next_score, sorted_labels[start:end]))
        start = end
    return groups


def _midpoint_threshold(score: Any, next_score: Any) -> Any:
    """Return the threshold between a score group and the next lower one, never equal to the lower one."""
    if next_score is None:
        return score
    midpoint = (score + next_score) / 2
    # In low precision the midpoint can round onto the lower score, which would put that group above it.
    return score if midpoint == next_score else midpoint


def best_accuracy_threshold(scores: Sequence[float], labels: Sequence[int]) -> ThresholdResult:
    """Return the best accuracy of ``score > threshold`` as the prediction of label 1, and its threshold.

    The search starts from a threshold just above the highest score (everything predicted 0) and
    tries one threshold between each pair of adjacent distinct scores.
    """
    scores = np.asarray(scores)
    labels = np.asarray(labels)
    if len(scores) == 0:
        return ThresholdResult(value=0.0, threshold=-1)

    score_dtype = np.result_type(scores.dtype, np.float16)
    remaining_negatives = int(np.sum(labels == 0))
    best = ThresholdResult(
        value=remaining_negatives / len(labels),
        threshold=np.nextafter(scores.max().astype(score_dtype), np.inf, dtype=score_dtype),
    )

    positives_above = 0
    for score, next_score, group_labels in _descending_groups(scores, labels):
        positives_above += int(np.sum(group_labels == 1))
        remaining_negatives -= int(np.sum(group_labels != 1))
        accuracy = (positives_above + remaining_negatives) / len(labels)
        if accuracy > best.value:
            best = ThresholdResult(value=accuracy, threshold=_midpoint_threshold(score, next_score))
    return best


def best_f1_threshold(scores: Sequence[float], labels: Sequence[int]) -> ThresholdResult:
    """Return the best F1 of ``score > threshold`` as the prediction of label 1, with its precision and recall."""
    scores = np.asarray(scores)
    labels = np.asarray(labels)
    total_positives = int(np.sum(labels))
    best = ThresholdResult(value=0.0, threshold=0)

    predicted_positive = 0
    true_positive = 0
    for score, next_score, group_labels in _descending_groups(scores, labels):
        predicted_positive += len(group_labels)
        true_positive += int(np.sum(group_labels == 1))
        if true_positive == 0:
            continue

        precision = true_positive / predicted_positive
        recall = true_positive / total_positives
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best.value:
            best = ThresholdResult(f1, _midpoint_threshold(score, next_score), precision, recall)
    return best


def average_precision(labels: Sequence[int], scores: Sequence[float]) -> float:
    """Return the average precision of ranking by ``scores``: the mean precision at each recall step.

    Tied scores form one step, as in scikit-learn's ``average_precision_score``. Returns 0.0 when
    there is no positive label.
    """
    labels = np.asarray(labels)
    total_positives = int(np.sum(labels == 1))
    if total_positives == 0:
        return 0.0

    value = 0.0
    predicted_positive = 0
    true_positive = 0
    for _, _, group_labels in _descending_groups(np.asarray(scores), labels):
        predicted_positive += len(group_labels)
        group_positives = int(np.sum(group_labels == 1))
        true_positive += group_positives
        value += (group_positives / total_positives) * (true_positive / predicted_positive)
    return value


def _per_class_counts(y_true: np.ndarray, y_pred: np.ndarray, classes: np.ndarray) -> tuple[np.ndarray, ...]:
    true_positive = np.array([np.sum((y_pred == c) & (y_true == c)) for c in classes], dtype=np.float64)
    false_positive = np.array([np.sum((y_pred == c) & (y_true != c)) for c in classes], dtype=np.float64)
    false_negative = np.array([np.sum((y_pred != c) & (y_true == c)) for c in classes], dtype=np.float64)
    return true_positive, false_positive, false_negative


def _f1_from_counts(true_positive: Any, false_positive: Any, false_negative: Any) -> Any:
    # 2TP / (2TP + FP + FN) equals 2PR / (P + R) and is 0 where scikit-learn reports a zero division.
    denominator = 2 * true_positive + false_positive + false_negative
    zeros = np.zeros_like(denominator, dtype=np.float64)
    return np.divide(2 * true_positive, denominator, out=zeros, where=denominator > 0)


def f1(y_true: Sequence[int], y_pred: Sequence[int], average: str) -> float:
    """Return the F1 score of class predictions, averaged like scikit-learn's ``f1_score``.

    Args:
        y_true: Gold class labels.
        y_pred: Predicted class labels.
        average: ``"binary"`` (F1 of label 1), ``"macro"`` (unweighted mean over classes),
            ``"micro"`` (from summed counts, equal to accuracy here) or ``"weighted"`` (mean
            weighted by the number of gold examples per class).

    Raises:
        ValueError: For another ``average``, or ``"binary"`` with labels other than 0 and 1.
    """
    y_true = np.asarray(y_true)
    y_pred = np.asarray(y_pred)
    classes = np.union1d(y_true, y_pred)

    if average == "binary":
        if not set(classes.tolist()) <= {0, 1}:
            raise ValueError(f"Binary F1 needs labels 0 and 1, got the classes {classes.tolist()}.")
        counts = _per_class_counts(y_true, y_pred, np.array([1]))
        return float(_f1_from_counts(*counts)[0])

    true_positive, false_positive, false_negative = _per_class_counts(y_true, y_pred, classes)
    if average == "micro":
        return float(_f1_from_counts(true_positive.sum(), false_positive.sum(), false_negative.sum()))

    per_class = _f1_from_counts(true_positive, false_positive, false_negative)
    if average == "macro":
        return float(per_class.mean()) if len(per_class) else 0.0
    if average == "weighted":
        support = true_positive + false_negative
        return float(np.sum(per_class * support) / support.sum()) if support.sum() > 0 else 0.0
    raise ValueError(f"Unknown F1 average {average!r}: use 'binary', 'macro', 'micro' or 'weighted'.")


def reciprocal_rank(is_relevant: Sequence[int], scores: Sequence[float], at_k: int) -> float:
    """Return 1 / rank of the first relevant document among the ``at_k`` best scores, or 0."""
    # NOTE: tied scores keep their input order here. Upstream 6.3.0 uses an unstable argsort, so a tie
    # between a relevant and an irrelevant document can rank differently there.
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")
    for rank, index in enumerate(order[:at_k], start=1):
        if is_relevant[index]:
            return 1.0 / rank
    return 0.0


def dcg_at_k(is_relevant: Sequence[int], scores: Sequence[float], at_k: int) -> float:
    """Return the discounted cumulative gain of the ``at_k`` best scores, averaging the gains of ties.

    Position ``i`` (from 0) is discounted by ``1 / log2(i + 2)``. A group of tied scores shares the
    mean gain of its members over the positions it spans, as scikit-learn's ``dcg_score`` does.
    """
    gains = np.asarray(is_relevant, dtype=np.float64)
    discounts = 1.0 / np.log2(np.arange(len(gains)) + 2.0)
    discounts[at_k:] = 0.0

    value = 0.0
    position = 0
    for _, _, group_gains in _descending_groups(np.asarray(scores), gains):
        span = discounts[position : position + len(group_gains)]
        value += float(np.mean(group_gains) * span.sum())
        position += len(group_gains)
    return value


def ideal_dcg(num_relevant: int, at_k: int) -> float:
    """Return the DCG of a ranking that puts all ``num_relevant`` binary-relevant documents first."""
    return float(np.sum(1.0 / np.log2(np.arange(min(num_relevant, at_k)) + 2.0)))
