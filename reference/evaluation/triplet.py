"""Accuracy of (anchor, positive, negative) triplets: is the positive closer to the anchor?"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from enum import Enum
from typing import Any

from .evaluator import SentenceEvaluator, append_csv_row, describe_call, encode_texts, validate_same_length
from .similarity import PAIRWISE_FUNCTIONS, model_similarity_name, similarity_name

logger = logging.getLogger(__name__)


class TripletEvaluator(SentenceEvaluator):
    """Share of triplets whose anchor is more similar to the positive than to the negative.

    A triplet counts as correct when ``sim(anchor, positive) > sim(anchor, negative) + margin``
    (strictly greater, so a tie is wrong). The metrics are ``<fn>_accuracy`` per similarity function,
    plus ``max_accuracy`` when there is more than one, prefixed with ``name``. The primary metric is
    ``<main_similarity_function>_accuracy``, else ``max_accuracy`` with several functions, else the
    single function's accuracy (``cosine_accuracy`` for most models).

    Args:
        anchors: Anchor texts.
        positives: Texts that should be closer to their anchor.
        negatives: Texts that should be farther from their anchor.
        main_similarity_function: Function whose accuracy is the primary metric.
        margin: Margin the positive must win by, one float for every function or a dict by function
            name (missing names get 0).
        name: Prefix of the metric keys and suffix of the CSV file name.
        batch_size: Encoding batch size.
        show_progress_bar: Forwarded to ``model.encode``.
        write_csv: Append one row per call to ``triplet_evaluation_<name>_results.csv`` in ``output_path``.
        similarity_fn_names: Functions to report (``cosine``, ``dot``, ``euclidean``, ``manhattan``);
            defaults to ``main_similarity_function``, else the model's own similarity function.
        main_distance_function: Former name of ``main_similarity_function``; logs a warning.

    Example:
        >>> evaluator = TripletEvaluator(["A man eats."], ["Someone eats."], ["A cat sleeps."], name="nli-dev")
        >>> evaluator(model)["nli-dev_cosine_accuracy"]  # doctest: +SKIP
        1.0
    """

    def __init__(
        self,
        anchors: Sequence[str],
        positives: Sequence[str],
        negatives: Sequence[str],
        main_similarity_function: str | Enum | None = None,
        margin: float | dict[str, float] | None = None,
        name: str = "",
        batch_size: int = 16,
        show_progress_bar: bool = False,
        write_csv: bool = True,
        similarity_fn_names: Sequence[str] | None = None,
        main_distance_function: str | Enum | None = None,
    ) -> None:
        super().__init__()
        validate_same_length(anchors=anchors, positives=positives, negatives=negatives)
        if main_distance_function is not None and main_similarity_function is None:
            logger.warning("TripletEvaluator: 'main_distance_function' is deprecated, use 'main_similarity_function'.")
            main_similarity_function = main_distance_function

        self.anchors = list(anchors)
        self.positives = list(positives)
        self.negatives = list(negatives)
        self.main_similarity_function = similarity_name(main_similarity_function) if main_similarity_function else None
        self.similarity_fn_names = [similarity_name(fn) for fn in similarity_fn_names or []]
        if not self.similarity_fn_names and self.main_similarity_function:
            self.similarity_fn_names = [self.main_similarity_function]
        self.margin = _margins_by_function(margin)
        self.name = name
        self.batch_size = batch_size
        self.show_progress_bar = show_progress_bar
        self.write_csv = write_csv
        self.csv_file = "triplet_evaluation" + (f"_{name}" if name else "") + "_results.csv"

    @classmethod
    def from_input_examples(cls, examples: Sequence[Any], **kwargs: Any) -> TripletEvaluator:
        """Build the evaluator from ``InputExample`` objects with texts ``[anchor, positive, negative]``."""
        anchors = [example.texts[0] for example in examples]
        positives = [example.texts[1] for example in examples]
        negatives = [example.texts[2] for example in examples]
        return cls(anchors, positives, negatives, **kwargs)

    @property
    def csv_headers(self) -> list[str]:
        """Columns of the CSV file: epoch, steps, then one accuracy per function."""
        return ["epoch", "steps", *(f"accuracy_{fn}" for fn in self.similarity_fn_names)]

    def __call__(
        self, model: Any, output_path: str | None = None, epoch: int = -1, steps: int = -1
    ) -> dict[str, float]:
        logger.info("TripletEvaluator: evaluating on the %r dataset%s", self.name, describe_call(epoch, steps))
        if not self.similarity_fn_names:
            self.similarity_fn_names = [model_similarity_name(model)]

        anchors = encode_texts(model, self.anchors, self.batch_size, self.show_progress_bar)
        positives = encode_texts(model, self.positives, self.batch_size, self.show_progress_bar)
        negatives = encode_texts(model, self.negatives, self.batch_size, self.show_progress_bar)

        metrics: dict[str, float] = {}
        for fn in self.similarity_fn_names:
            positive_scores = PAIRWISE_FUNCTIONS[fn](anchors, positives)
            negative_scores = PAIRWISE_FUNCTIONS[fn](anchors, negatives)
            correct = positive_scores > negative_scores + self.margin[fn]
            metrics[f"{fn}_accuracy"] = correct.float().mean().item()
            logger.info("Accuracy with %s similarity: %.2f%%", fn, 100 * metrics[f"{fn}_accuracy"])

        if output_path is not None and self.write_csv:
            append_csv_row(output_path, self.csv_file, self.csv_headers, [epoch, steps, *metrics.values()])

        if len(self.similarity_fn_names) > 1:
            metrics["max_accuracy"] = max(metrics.values())

        self.primary_metric = self._primary_metric_key()
        return self.prefix_name_to_metrics(metrics, self.name)

    def _primary_metric_key(self) -> str:
        if self.main_similarity_function:
            return f"{self.main_similarity_function}_accuracy"
        if len(self.similarity_fn_names) > 1:
            return "max_accuracy"
        return f"{self.similarity_fn_names[0]}_accuracy"

    def get_config_dict(self) -> dict[str, Any]:
        if any(self.margin.values()):
            return {"margin": dict(self.margin)}
        return {}


def _margins_by_function(margin: float | dict[str, float] | None) -> dict[str, float]:
    names = list(PAIRWISE_FUNCTIONS)
    if margin is None:
        return dict.fromkeys(names, 0.0)
    if isinstance(margin, (int, float)):
        return dict.fromkeys(names, float(margin))
    if isinstance(margin, dict):
        unknown = sorted(set(margin) - set(names))
        if unknown:
            raise ValueError(f"TripletEvaluator margin has unknown keys {unknown}; use keys from {names}.")
        return {name: float(margin.get(name, 0.0)) for name in names}
    raise ValueError(f"TripletEvaluator margin must be a number or a dict by function name, got {margin!r}.")
