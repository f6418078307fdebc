"""Correlation between CrossEncoder scores and gold similarity scores."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from ...evaluation.evaluator import SentenceEvaluator, append_csv_row, describe_call, validate_same_length

logger = logging.getLogger(__name__)

CSV_HEADERS = ["epoch", "steps", "Pearson_Correlation", "Spearman_Correlation"]


def pearson_and_spearman(gold: Sequence[float], predicted: Sequence[float]) -> tuple[float, float]:
    """Return the Pearson and the Spearman correlation of two score lists."""
    from scipy.stats import pearsonr, spearmanr  # scipy takes about a second to import

    return float(pearsonr(gold, predicted)[0]), float(spearmanr(gold, predicted)[0])


class CrossEncoderCorrelationEvaluator(SentenceEvaluator):
    """Score sentence pairs and correlate the scores with gold similarity scores.

    Reports ``pearson`` and ``spearman``, the primary metric.

    Args:
        sentence_pairs: Text pairs, e.g. ``[("A man eats.", "Someone eats food."), ...]``.
        scores: Gold similarity of each pair.
        name: Prefix of the metric keys and of the CSV file name.
        batch_size: Pairs per forward pass.
        show_progress_bar: Show a tqdm bar. None shows it when this logger is at INFO or DEBUG.
        write_csv: Append each result to ``CrossEncoderCorrelationEvaluator[_<name>]_results.csv``.

    Raises:
        ValueError: When ``sentence_pairs`` and ``scores`` differ in length.

    Example:
        >>> evaluator = CrossEncoderCorrelationEvaluator(pairs, gold_scores, name="sts-dev")  # doctest: +SKIP
        >>> evaluator(model)["sts-dev_spearman"]  # doctest: +SKIP
        0.84
    """

    def __init__(
        self,
        sentence_pairs: Sequence[Sequence[str]],
        scores: Sequence[float],
        name: str = "",
        batch_size: int = 32,
        show_progress_bar: bool | None = None,
        write_csv: bool = True,
    ) -> None:
        super().__init__()
        validate_same_length(sentence_pairs=sentence_pairs, scores=scores)
        self.sentence_pairs = [tuple(pair) for pair in sentence_pairs]
        self.scores = list(scores)
        self.name = name
        self.batch_size = batch_size
        if show_progress_bar is None:
            show_progress_bar = logger.getEffectiveLevel() <= logging.INFO
        self.show_progress_bar = show_progress_bar
        self.write_csv = write_csv
        self.csv_file = "CrossEncoderCorrelationEvaluator" + (f"_{name}" if name else "") + "_results.csv"
        self.primary_metric = "spearman"

    @classmethod
    def from_input_examples(cls, examples: Sequence[Any], **kwargs: Any) -> CrossEncoderCorrelationEvaluator:
        """Build the evaluator from ``InputExample`` objects: their texts and their labels as gold scores."""
        return cls([example.texts for example in examples], [example.label for example in examples], **kwargs)

    def __call__(
        self, model: Any, output_path: str | None = None, epoch: int = -1, steps: int = -1
    ) -> dict[str, float]:
        """Predict every pair with ``model`` and return ``pearson`` and ``spearman``, prefixed by ``name``."""
        logger.info(
            "CrossEncoderCorrelationEvaluator: evaluating on the %s dataset%s:", self.name, describe_call(epoch, steps)
        )
        predicted = model.predict(
            self.sentence_pairs,
            batch_size=self.batch_size,
            show_progress_bar=self.show_progress_bar,
            convert_to_numpy=True,
        )
        pearson, spearman = pearson_and_spearman(self.scores, predicted)
        logger.info("Correlation: Pearson %.4f, Spearman %.4f", pearson, spearman)

        if output_path is not None and self.write_csv:
            append_csv_row(output_path, self.csv_file, CSV_HEADERS, [epoch, steps, pearson, spearman])
        return self.prefix_name_to_metrics({"pearson": pearson, "spearman": spearman}, self.name)
