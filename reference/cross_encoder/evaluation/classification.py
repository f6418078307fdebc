"""Classification metrics of a CrossEncoder on labelled sentence pairs."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...evaluation.evaluator import SentenceEvaluator, append_csv_row, describe_call, validate_same_length
from .metrics import average_precision, best_accuracy_threshold, best_f1_threshold, f1

logger = logging.getLogger(__name__)

BINARY_CSV_HEADERS = [
    "epoch", "steps", "Accuracy", "Accuracy_Threshold", "F1", "F1_Threshold",
    "Precision", "Recall", "Average_Precision",
]
MULTICLASS_CSV_HEADERS = ["epoch", "steps", "Macro_F1", "Micro_F1", "Weighted_F1"]


class CrossEncoderClassificationEvaluator(SentenceEvaluator):
    """Score labelled sentence pairs and report binary or multi-class classification metrics.

    For a model with one label the scores are thresholded: ``accuracy`` and ``f1`` (with its
    ``precision`` and ``recall``) at the best threshold, each with that threshold, and
    ``average_precision``, the primary metric. For a model with several labels the arg-max class
    is compared with the gold label: ``f1_macro`` (primary), ``f1_micro`` (equal to the accuracy)
    and ``f1_weighted``. These are the metrics of sentence-transformers 6.3.0, which reports no
    separate accuracy for several labels.

    Args:
        sentence_pairs: Text pairs, e.g. ``[("premise", "hypothesis"), ...]``.
        labels: Gold labels: 0 or 1 for a one-label model, class indices otherwise.
        name: Prefix of the metric keys and of the CSV file name.
        batch_size: Pairs per forward pass.
        show_progress_bar: Show a tqdm bar. None shows it when this logger is at INFO or DEBUG.
        write_csv: Append each result to ``CrossEncoderClassificationEvaluator[_<name>]_results.csv``.

    Raises:
        ValueError: When ``sentence_pairs`` and ``labels`` differ in length.

    Example:
        >>> evaluator = CrossEncoderClassificationEvaluator(pairs, labels, name="dev")  # doctest: +SKIP
        >>> results = evaluator(model)  # doctest: +SKIP
        >>> evaluator.primary_metric, results[evaluator.primary_metric]  # doctest: +SKIP
        ('dev_average_precision', 0.83)
    """

    def __init__(
        self,
        sentence_pairs: Sequence[Sequence[str]],
        labels: Sequence[int],
        *,
        name: str = "",
        batch_size: int = 32,
        show_progress_bar: bool | None = None,
        write_csv: bool = True,
    ) -> None:
        super().__init__()
        validate_same_length(sentence_pairs=sentence_pairs, labels=labels)
        self.sentence_pairs = [tuple(pair) for pair in sentence_pairs]
        self.labels = np.asarray(labels)
        self.name = name
        self.batch_size = batch_size
        if show_progress_bar is None:
            show_progress_bar = logger.getEffectiveLevel() <= logging.INFO
        self.show_progress_bar = show_progress_bar
        self.write_csv = write_csv
        self.csv_file = "CrossEncoderClassificationEvaluator" + (f"_{name}" if name else "") + "_results.csv"

    def __call__(
        self, model: Any, output_path: str | None = None, epoch: int = -1, steps: int = -1
    ) -> dict[str, float]:
        """Predict every pair with ``model`` and return the metrics, keys prefixed by ``name``."""
        when = describe_call(epoch, steps)
        logger.info("CrossEncoderClassificationEvaluator: evaluating on the %s dataset%s:", self.name, when)
        scores = model.predict(
            self.sentence_pairs,
            batch_size=self.batch_size,
            show_progress_bar=self.show_progress_bar,
            convert_to_numpy=True,
        )

        if model.num_labels == 1:
            metrics, headers = self._binary_metrics(scores), BINARY_CSV_HEADERS
            self.primary_metric = "average_precision"
        else:
            metrics, headers = self._multiclass_metrics(scores), MULTICLASS_CSV_HEADERS
            self.primary_metric = "f1_macro"
        for key, value in metrics.items():
            logger.info("%-20s %.4f", key, value)

        if output_path is not None and self.write_csv:
            append_csv_row(output_path, self.csv_file, headers, [epoch, steps, *metrics.values()])
        return self.prefix_name_to_metrics(metrics, self.name)

    def _binary_metrics(self, scores: np.ndarray) -> dict[str, Any]:
        accuracy = best_accuracy_threshold(scores, self.labels)
        best_f1 = best_f1_threshold(scores, self.labels)
        return {
            "accuracy": accuracy.value,
            "accuracy_threshold": accuracy.threshold,
            "f1": best_f1.value,
            "f1_threshold": best_f1.threshold,
            "precision": best_f1.precision,
            "recall": best_f1.recall,
            "average_precision": average_precision(self.labels, scores),
        }

    def _multiclass_metrics(self, scores: np.ndarray) -> dict[str, float]:
        predicted = np.argmax(scores, axis=1)
        return {
            "f1_macro": f1(self.labels, predicted, average="macro"),
            "f1_micro": f1(self.labels, predicted, average="micro"),
            "f1_weighted": f1(self.labels, predicted, average="weighted"),
        }
