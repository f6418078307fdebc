"""The CrossEncoder evaluators of sentence-transformers 3.x, each returning one float.

They keep their 3.x meaning (constructor arguments, score, CSV file and columns), which upstream
6.3.0 does not: there they are aliases of the 4.x evaluators and return metric dicts. Each warns
on construction and names its replacement.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from ...evaluation.evaluator import SentenceEvaluator, append_csv_row, describe_call, validate_same_length
from ..deprecations import EVALUATOR_MESSAGES, warn_deprecated
from .correlation import pearson_and_spearman
from .metrics import (
    average_precision,
    best_accuracy_threshold,
    best_f1_threshold,
    dcg_at_k,
    f1,
    ideal_dcg,
    reciprocal_rank,
)

logger = logging.getLogger(__name__)


class _LegacyPairEvaluator(SentenceEvaluator):
    """Shared parts of the 3.x pair evaluators: the warning, the inputs, the CSV and the logging."""

    csv_headers: list[str] = []

    def __init__(
        self, sentence_pairs: Sequence[Sequence[str]], labels: Sequence[Any], name: str, write_csv: bool
    ) -> None:
        # Attributed to the caller of the subclass constructor: this frame, the subclass, then the caller.
        warn_deprecated(EVALUATOR_MESSAGES[type(self).__name__], stacklevel=3)
        super().__init__()
        validate_same_length(sentence_pairs=sentence_pairs, labels=labels)
        self.sentence_pairs = [tuple(pair) for pair in sentence_pairs]
        self.labels = np.asarray(labels)
        self.name = name
        self.write_csv = write_csv
        self.csv_file = type(self).__name__ + (f"_{name}" if name else "") + "_results.csv"

    @classmethod
    def from_input_examples(cls, examples: Sequence[Any], **kwargs: Any) -> Any:
        """Build the evaluator from ``InputExample`` objects: their texts and their labels."""
        return cls([example.texts for example in examples], [example.label for example in examples], **kwargs)

    def _predict(self, model: Any, epoch: int, steps: int, **predict_kwargs: Any) -> np.ndarray:
        logger.info("%s: evaluating on the %s dataset%s:", type(self).__name__, self.name, describe_call(epoch, steps))
        predict_kwargs.setdefault("show_progress_bar", False)
        return model.predict(self.sentence_pairs, convert_to_numpy=True, **predict_kwargs)

    def _finish(self, output_path: str | None, epoch: int, steps: int, csv_values: list[Any], score: float) -> float:
        logger.info("%s: %.4f", type(self).__name__, score)
        if output_path is not None and self.write_csv:
            append_csv_row(output_path, self.csv_file, self.csv_headers, [epoch, steps, *csv_values])
        return float(score)


class CEBinaryAccuracyEvaluator(_LegacyPairEvaluator):
    """Accuracy of ``score > threshold`` as the prediction of label 1, for a one-label CrossEncoder.

    Deprecated: use :class:`CrossEncoderClassificationEvaluator`, whose ``accuracy`` uses the best
    threshold instead of a fixed one.

    Args:
        sentence_pairs: Text pairs.
        labels: 0 or 1 per pair.
        name: Suffix of the CSV file name.
        threshold: Fixed decision threshold on the predicted (activated) score.
        write_csv: Append each result to ``CEBinaryAccuracyEvaluator[_<name>]_results.csv``.

    Example:
        >>> evaluator = CEBinaryAccuracyEvaluator(pairs, labels, threshold=0.5)  # doctest: +SKIP
        >>> evaluator(model)  # doctest: +SKIP
        0.75
    """

    csv_headers = ["epoch", "steps", "Accuracy"]

    def __init__(
        self,
        sentence_pairs: Sequence[Sequence[str]],
        labels: Sequence[int],
        name: str = "",
        threshold: float = 0.5,
        write_csv: bool = True,
    ) -> None:
        super().__init__(sentence_pairs, labels, name, write_csv)
        self.threshold = threshold

    def __call__(self, model: Any, output_path: str | None = None, epoch: int = -1, steps: int = -1) -> float:
        """Return the accuracy at the fixed threshold."""
        predicted = self._predict(model, epoch, steps) > self.threshold
        accuracy = float(np.mean(predicted == self.labels))
        return self._finish(output_path, epoch, steps, [accuracy], accuracy)


class CEBinaryClassificationEvaluator(_LegacyPairEvaluator):
    """Average precision of a one-label CrossEncoder on pairs labelled 0 or 1.

    Deprecated: use :class:`CrossEncoderClassificationEvaluator`, whose ``average_precision`` is
    the same number. The CSV also records the best accuracy and F1 with their thresholds.

    Args:
        sentence_pairs: Text pairs.
        labels: 0 or 1 per pair.
        name: Suffix of the CSV file name.
        show_progress_bar: Show a tqdm bar while predicting.
        write_csv: Append each result to ``CEBinaryClassificationEvaluator[_<name>]_results.csv``.

    Raises:
        ValueError: When a label is neither 0 nor 1.

    Example:
        >>> CEBinaryClassificationEvaluator(pairs, labels)(model)  # doctest: +SKIP
        0.81
    """

    csv_headers = [
        "epoch", "steps", "Accuracy", "Accuracy_Threshold", "F1", "F1_Threshold",
        "Precision", "Recall", "Average_Precision",
    ]

    def __init__(
        self,
        sentence_pairs: Sequence[Sequence[str]],
        labels: Sequence[int],
        name: str = "",
        show_progress_bar: bool = False,
        write_csv: bool = True,
    ) -> None:
        super().__init__(sentence_pairs, labels, name, write_csv)
        invalid = sorted({label for label in self.labels.tolist() if label not in (0, 1)})
        if invalid:
            raise ValueError(f"CEBinaryClassificationEvaluator needs labels 0 or 1, got {invalid!r}.")
        self.show_progress_bar = show_progress_bar

    def __call__(self, model: Any, output_path: str | None = None, epoch: int = -1, steps: int = -1) -> float:
        """Return the average precision of the predicted scores."""
        scores = self._predict(model, epoch, steps, show_progress_bar=self.show_progress_bar)
        accuracy = best_accuracy_threshold(scores, self.labels)
        best_f1 = best_f1_threshold(scores, self.labels)
        ap = average_precision(self.labels, scores)
        csv_values = [
            accuracy.value, accuracy.threshold, best_f1.value, best_f1.threshold, best_f1.precision, best_f1.recall, ap,
        ]
        return self._finish(output_path, epoch, steps, csv_values, ap)


class CECorrelationEvaluator(_LegacyPairEvaluator):
    """Spearman correlation between CrossEncoder scores and gold similarity scores.

    Deprecated: use :class:`CrossEncoderCorrelationEvaluator`, whose ``spearman`` is the same number.

    Args:
        sentence_pairs: Text pairs.
        scores: Gold similarity of each pair.
        name: Suffix of the CSV file name.
        write_csv: Append each result to ``CECorrelationEvaluator[_<name>]_results.csv``.

    Example:
        >>> CECorrelationEvaluator(pairs, gold_scores)(model)  # doctest: +SKIP
        0.84
    """

    csv_headers = ["epoch", "steps", "Pearson_Correlation", "Spearman_Correlation"]

    def __init__(
        self, sentence_pairs: Sequence[Sequence[str]], scores: Sequence[float], name: str = "", write_csv: bool = True
    ) -> None:
        super().__init__(sentence_pairs, scores, name, write_csv)
        self.scores = list(scores)

    def __call__(self, model: Any, output_path: str | None = None, epoch: int = -1, steps: int = -1) -> float:
        """Return the Spearman correlation. The CSV records Pearson too."""
        pearson, spearman = pearson_and_spearman(self.scores, self._predict(model, epoch, steps))
        return self._finish(output_path, epoch, steps, [pearson, spearman], spearman)


class CEF1Evaluator(_LegacyPairEvaluator):
    """F1 of the arg-max class: binary F1 for two distinct labels, macro F1 for more.

    Deprecated: use :class:`CrossEncoderClassificationEvaluator`. Its ``f1_macro`` equals this
    score for three or more labels, and its binary ``f1`` (for a one-label model) uses the best
    threshold instead of the arg-max over two logits.

    Args:
        sentence_pairs: Text pairs.
        labels: Class index per pair, with at least two distinct values.
        batch_size: Pairs per forward pass.
        show_progress_bar: Show a tqdm bar while predicting.
        name: Suffix of the CSV file name.
        write_csv: Append each result to ``CEF1Evaluator[_<name>]_results.csv``.

    Raises:
        ValueError: When ``labels`` contains fewer than two distinct values.

    Example:
        >>> CEF1Evaluator(pairs, labels)(model)  # doctest: +SKIP
        0.66
    """

    def __init__(
        self,
        sentence_pairs: Sequence[Sequence[str]],
        labels: Sequence[int],
        *,
        batch_size: int = 32,
        show_progress_bar: bool = False,
        name: str = "",
        write_csv: bool = True,
    ) -> None:
        super().__init__(sentence_pairs, labels, name, write_csv)
        num_classes = np.unique(self.labels).size
        if num_classes < 2:
            distinct = np.unique(self.labels).tolist()
            raise ValueError(f"CEF1Evaluator needs at least two distinct labels, got {distinct!r}.")
        self.averages = ["binary"] if num_classes == 2 else ["macro", "micro", "weighted"]
        self.csv_headers = ["epoch", "steps"] + [f"{average.capitalize()} F1 score" for average in self.averages]
        self.batch_size = batch_size
        self.show_progress_bar = show_progress_bar

    def __call__(self, model: Any, output_path: str | None = None, epoch: int = -1, steps: int = -1) -> float:
        """Return the binary or macro F1; the CSV also records micro and weighted F1 for several labels."""
        scores = self._predict(
            model, epoch, steps, batch_size=self.batch_size, show_progress_bar=self.show_progress_bar
        )
        predicted = np.argmax(scores, axis=1)
        # 3.x passed the predictions as y_true. Binary and macro F1 are symmetric in that swap, the weighted one is not.
        values = [f1(predicted, self.labels, average=average) for average in self.averages]
        return self._finish(output_path, epoch, steps, values, values[0])


class CESoftmaxAccuracyEvaluator(_LegacyPairEvaluator):
    """Accuracy of the arg-max class of a CrossEncoder with two or more labels.

    Deprecated: use :class:`CrossEncoderClassificationEvaluator`, whose ``f1_micro`` equals this
    accuracy.

    Args:
        sentence_pairs: Text pairs.
        labels: Class index per pair.
        name: Suffix of the CSV file name.
        write_csv: Append each result to ``CESoftmaxAccuracyEvaluator[_<name>]_results.csv``.

    Example:
        >>> CESoftmaxAccuracyEvaluator(pairs, labels)(model)  # doctest: +SKIP
        0.7
    """

    csv_headers = ["epoch", "steps", "Accuracy"]

    def __init__(
        self, sentence_pairs: Sequence[Sequence[str]], labels: Sequence[int], name: str = "", write_csv: bool = True
    ) -> None:
        super().__init__(sentence_pairs, labels, name, write_csv)

    def __call__(self, model: Any, output_path: str | None = None, epoch: int = -1, steps: int = -1) -> float:
        """Return the share of pairs whose highest-scoring class is the gold label."""
        predicted = np.argmax(self._predict(model, epoch, steps), axis=1)
        accuracy = float(np.mean(predicted == self.labels))
        return self._finish(output_path, epoch, steps, [accuracy], accuracy)


class CERerankingEvaluator(SentenceEvaluator):
    """Mean reciprocal rank @k of reranking each query's positives and negatives by CrossEncoder score.

    Deprecated: use :class:`CrossEncoderRerankingEvaluator`, whose ``mrr@k`` equals this score when
    every sample has at least one positive and one negative. Samples without either are skipped
    here, while the new evaluator counts them (as 0 when there is no positive).

    Args:
        samples: Dicts with ``"query"``, ``"positive"`` (list) and ``"negative"`` (list), as a list
            or as the values of a dict.
        at_k: Cutoff of MRR and nDCG.
        name: Suffix of the CSV file name.
        write_csv: Append each result to ``CERerankingEvaluator[_<name>]_results_@<k>.csv``.
        mrr_at_k: Deprecated spelling of ``at_k``.

    Example:
        >>> samples = [{"query": "q", "positive": ["relevant doc"], "negative": ["other doc"]}]
        >>> CERerankingEvaluator(samples)(model)  # doctest: +SKIP
        1.0
    """

    def __init__(
        self,
        samples: Sequence[dict[str, Any]] | dict[Any, dict[str, Any]],
        at_k: int = 10,
        name: str = "",
        write_csv: bool = True,
        mrr_at_k: int | None = None,
    ) -> None:
        warn_deprecated(EVALUATOR_MESSAGES["CERerankingEvaluator"], stacklevel=2)
        super().__init__()
        if mrr_at_k is not None:
            logger.warning("The mrr_at_k argument is deprecated. Use at_k=%d instead.", mrr_at_k)
            at_k = mrr_at_k
        self.samples = list(samples.values()) if isinstance(samples, dict) else list(samples)
        self.at_k = at_k
        self.name = name
        self.write_csv = write_csv
        self.csv_file = "CERerankingEvaluator" + (f"_{name}" if name else "") + f"_results_@{at_k}.csv"
        self.csv_headers = ["epoch", "steps", f"MRR@{at_k}", f"NDCG@{at_k}"]

    def __call__(self, model: Any, output_path: str | None = None, epoch: int = -1, steps: int = -1) -> float:
        """Return the mean reciprocal rank @k over the samples with positives and negatives."""
        logger.info("CERerankingEvaluator: evaluating on the %s dataset%s:", self.name, describe_call(epoch, steps))
        reciprocal_ranks, ndcgs = [], []
        for sample in self.samples:
            positives, negatives = list(sample["positive"]), list(sample["negative"])
            if not positives or not negatives:
                continue
            is_relevant = [1] * len(positives) + [0] * len(negatives)
            pairs = [(sample["query"], document) for document in positives + negatives]
            scores = model.predict(pairs, convert_to_numpy=True, show_progress_bar=False)
            reciprocal_ranks.append(reciprocal_rank(is_relevant, scores, self.at_k))
            ndcgs.append(dcg_at_k(is_relevant, scores, self.at_k) / ideal_dcg(len(positives), self.at_k))

        mean_mrr, mean_ndcg = float(np.mean(reciprocal_ranks)), float(np.mean(ndcgs))
        logger.info("MRR@%d: %.4f, NDCG@%d: %.4f", self.at_k, mean_mrr, self.at_k, mean_ndcg)
        if output_path is not None and self.write_csv:
            append_csv_row(output_path, self.csv_file, self.csv_headers, [epoch, steps, mean_mrr, mean_ndcg])
        return mean_mrr
