"""Correlation between embedding similarities and gold scores (the STS-style evaluator)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from enum import Enum
from typing import Any

from scipy.stats import pearsonr, spearmanr

from .evaluator import SentenceEvaluator, append_csv_row, describe_call, encode_texts, validate_same_length
from .similarity import PAIRWISE_FUNCTIONS, model_similarity_name, similarity_name

logger = logging.getLogger(__name__)


class EmbeddingSimilarityEvaluator(SentenceEvaluator):
    """Pearson and Spearman correlation between the similarity of sentence pairs and their gold scores.

    Each pair is encoded, scored with every requested similarity function, and correlated with
    ``scores``. The metrics are ``pearson_<fn>`` and ``spearman_<fn>`` per function, plus
    ``pearson_max`` and ``spearman_max`` when there is more than one, all prefixed with ``name``.
    The primary metric is ``spearman_<main_similarity>``, else ``spearman_max`` with several
    functions, else ``spearman_<fn>`` of the single one (``spearman_cosine`` for most models).

    Args:
        sentences1: First sentence of each pair.
        sentences2: Second sentence of each pair.
        scores: Gold similarity of each pair; any scale, since only correlations are reported.
        batch_size: Encoding batch size.
        main_similarity: Similarity function whose Spearman correlation is the primary metric.
        similarity_fn_names: Functions to report (``cosine``, ``dot``, ``euclidean``, ``manhattan``).
            Defaults to ``main_similarity``, else the model's own ``similarity_fn_name`` (cosine when
            the model declares none).
        name: Prefix of the metric keys and suffix of the CSV file name.
        show_progress_bar: Forwarded to ``model.encode``.
        write_csv: Append one row per call to ``similarity_evaluation_<name>_results.csv`` in
            ``output_path``.

    Example:
        >>> evaluator = EmbeddingSimilarityEvaluator(
        ...     ["A man eats.", "A dog runs."], ["Someone eats.", "A cat sleeps."], [0.9, 0.1], name="sts-dev"
        ... )
        >>> results = evaluator(model)  # doctest: +SKIP
        >>> evaluator.primary_metric  # doctest: +SKIP
        'sts-dev_spearman_cosine'
    """

    def __init__(
        self,
        sentences1: Sequence[str],
        sentences2: Sequence[str],
        scores: Sequence[float],
        batch_size: int = 16,
        main_similarity: str | Enum | None = None,
        similarity_fn_names: Sequence[str] | None = None,
        name: str = "",
        show_progress_bar: bool = False,
        write_csv: bool = True,
    ) -> None:
        super().__init__()
        validate_same_length(sentences1=sentences1, sentences2=sentences2, scores=scores)
        self.sentences1 = list(sentences1)
        self.sentences2 = list(sentences2)
        self.scores = [float(score) for score in scores]
        self.batch_size = batch_size
        self.main_similarity = similarity_name(main_similarity) if main_similarity else None
        self.similarity_fn_names = [similarity_name(fn) for fn in similarity_fn_names or []]
        if not self.similarity_fn_names and self.main_similarity:
            self.similarity_fn_names = [self.main_similarity]
        self.name = name
        self.show_progress_bar = show_progress_bar
        self.write_csv = write_csv
        self.csv_file = "similarity_evaluation" + (f"_{name}" if name else "") + "_results.csv"

    @classmethod
    def from_input_examples(cls, examples: Sequence[Any], **kwargs: Any) -> EmbeddingSimilarityEvaluator:
        """Build the evaluator from ``InputExample`` objects with two texts and a float label each."""
        sentences1 = [example.texts[0] for example in examples]
        sentences2 = [example.texts[1] for example in examples]
        scores = [example.label for example in examples]
        return cls(sentences1, sentences2, scores, **kwargs)

    @property
    def csv_headers(self) -> list[str]:
        """Columns of the CSV file: epoch, steps, then pearson and spearman per function."""
        columns = [f"{fn}_{metric}" for fn in self.similarity_fn_names for metric in ("pearson", "spearman")]
        return ["epoch", "steps", *columns]

    def __call__(
        self, model: Any, output_path: str | None = None, epoch: int = -1, steps: int = -1
    ) -> dict[str, float]:
        logger.info("EmbeddingSimilarityEvaluator: evaluating on the %r dataset%s", self.name, describe_call(epoch, steps))
        if not self.similarity_fn_names:
            self.similarity_fn_names = [model_similarity_name(model)]

        embeddings1 = encode_texts(model, self.sentences1, self.batch_size, self.show_progress_bar)
        embeddings2 = encode_texts(model, self.sentences2, self.batch_size, self.show_progress_bar)
        metrics = self._correlations(embeddings1, embeddings2)

        if output_path is not None and self.write_csv:
            values = [metrics[f"{metric}_{fn}"] for fn in self.similarity_fn_names for metric in ("pearson", "spearman")]
            append_csv_row(output_path, self.csv_file, self.csv_headers, [epoch, steps, *values])

        if len(self.similarity_fn_names) > 1:
            metrics["pearson_max"] = max(metrics[f"pearson_{fn}"] for fn in self.similarity_fn_names)
            metrics["spearman_max"] = max(metrics[f"spearman_{fn}"] for fn in self.similarity_fn_names)

        self.primary_metric = self._primary_metric_key()
        return self.prefix_name_to_metrics(metrics, self.name)

    def _correlations(self, embeddings1: Any, embeddings2: Any) -> dict[str, float]:
        metrics: dict[str, float] = {}
        for fn in self.similarity_fn_names:
            similarities = PAIRWISE_FUNCTIONS[fn](embeddings1, embeddings2).numpy()
            metrics[f"pearson_{fn}"] = float(pearsonr(self.scores, similarities)[0])
            metrics[f"spearman_{fn}"] = float(spearmanr(self.scores, similarities)[0])
            logger.info(
                "%s similarity: Pearson %.4f, Spearman %.4f", fn, metrics[f"pearson_{fn}"], metrics[f"spearman_{fn}"]
            )
        return metrics

    def _primary_metric_key(self) -> str:
        if self.main_similarity:
            return f"spearman_{self.main_similarity}"
        if len(self.similarity_fn_names) > 1:
            return "spearman_max"
        return f"spearman_{self.similarity_fn_names[0]}"

    @property
    def description(self) -> str:
        return "Semantic Similarity"
