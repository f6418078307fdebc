"""Reranking metrics of a CrossEncoder: MAP, MRR@k and nDCG@k over queries with candidate documents."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ...evaluation.evaluator import SentenceEvaluator, append_csv_row, describe_call
from .metrics import average_precision, dcg_at_k, ideal_dcg, reciprocal_rank

logger = logging.getLogger(__name__)

MRR_AT_K_DEPRECATED = "The mrr_at_k argument is deprecated. Use at_k={at_k} instead."


@dataclass
class _Candidates:
    """The documents of one query to score, their relevance, and how many relevant documents exist."""

    query: str
    documents: list[str]
    is_relevant: list[int]
    num_positives: int


class CrossEncoderRerankingEvaluator(SentenceEvaluator):
    """Rerank each query's candidate documents by CrossEncoder score and report MAP, MRR@k and nDCG@k.

    Each sample is a dict with ``"query"``, ``"positive"`` (relevant documents) and either
    ``"negative"`` (irrelevant documents) or ``"documents"`` (a first-stage ranking that may contain
    the positives). With ``"documents"`` the evaluator also reports the metrics of the given order
    as ``base_map``, ``base_mrr@k`` and ``base_ndcg@k``. MAP and nDCG are normalized by all known
    positives, including those missing from ``"documents"``. A sample whose candidates hold no
    positive scores 0. The primary metric is ``ndcg@k``.

    Args:
        samples: The samples described above, as a list (or a dict whose values are used).
        at_k: Cutoff of MRR and nDCG.
        always_rerank_positives: With ``"documents"``, put every positive among the candidates
            even when the first stage missed it. Samples with ``"negative"`` always include them.
        name: Prefix of the metric keys and of the CSV file name.
        batch_size: Pairs per forward pass.
        show_progress_bar: Show a tqdm bar while predicting.
        write_csv: Append each result to ``CrossEncoderRerankingEvaluator[_<name>]_results_@<k>.csv``.
        mrr_at_k: Deprecated spelling of ``at_k``.

    Raises:
        ValueError: When a sample lacks ``"query"`` or ``"positive"``, or has both or neither of
            ``"negative"`` and ``"documents"``.

    Example:
        >>> samples = [{"query": "q", "positive": ["relevant doc"], "negative": ["other doc"]}]
        >>> evaluator = CrossEncoderRerankingEvaluator(samples, name="dev")  # doctest: +SKIP
        >>> evaluator(model)["dev_ndcg@10"]  # doctest: +SKIP
        1.0
    """

    def __init__(
        self,
        samples: Sequence[dict[str, Any]] | dict[Any, dict[str, Any]],
        at_k: int = 10,
        always_rerank_positives: bool = True,
        name: str = "",
        batch_size: int = 64,
        show_progress_bar: bool = False,
        write_csv: bool = True,
        mrr_at_k: int | None = None,
    ) -> None:
        super().__init__()
        if mrr_at_k is not None:
            logger.warning(MRR_AT_K_DEPRECATED.format(at_k=mrr_at_k))
            at_k = mrr_at_k
        self.samples = list(samples.values()) if isinstance(samples, dict) else list(samples)
        self.at_k = at_k
        self.always_rerank_positives = always_rerank_positives
        self.name = name
        self.batch_size = batch_size
        self.show_progress_bar = show_progress_bar
        self.write_csv = write_csv
        self.csv_file = "CrossEncoderRerankingEvaluator" + (f"_{name}" if name else "") + f"_results_@{at_k}.csv"
        self.csv_headers = ["epoch", "steps", "MAP", f"MRR@{at_k}", f"NDCG@{at_k}"]
        self.primary_metric = f"ndcg@{at_k}"

    def __call__(
        self, model: Any, output_path: str | None = None, epoch: int = -1, steps: int = -1
    ) -> dict[str, float]:
        """Score the candidates of every sample with ``model`` and return the mean metrics, prefixed by ``name``."""
        logger.info(
            "CrossEncoderRerankingEvaluator: evaluating on the %s dataset%s:", self.name, describe_call(epoch, steps)
        )

        # 1. Candidates per sample, and the metrics of the first-stage order where one is given.
        candidates = [self._candidates(sample) for sample in self.samples]
        base_metrics = [self._base_metrics(sample) for sample in self.samples if "documents" in sample]

        # 2. One predict call over all pairs, split back per sample.
        scored = [candidate for candidate in candidates if sum(candidate.is_relevant) > 0]
        pairs = [(candidate.query, document) for candidate in scored for document in candidate.documents]
        all_scores = self._predict(model, pairs)
        per_sample, offset = [], 0
        for candidate in candidates:
            if sum(candidate.is_relevant) == 0:
                per_sample.append((0.0, 0.0, 0.0))
                continue
            scores = all_scores[offset : offset + len(candidate.documents)]
            offset += len(candidate.documents)
            per_sample.append(self.compute_metrics(candidate.is_relevant, scores, candidate.num_positives))

        # 3. Means, logs and CSV.
        mean_map, mean_mrr, mean_ndcg = (float(np.mean(values)) for values in zip(*per_sample))
        metrics = {"map": mean_map, f"mrr@{self.at_k}": mean_mrr, f"ndcg@{self.at_k}": mean_ndcg}
        if base_metrics:
            base_map, base_mrr, base_ndcg = (float(np.mean(values)) for values in zip(*base_metrics))
            metrics["base_map"] = base_map
            metrics[f"base_mrr@{self.at_k}"] = base_mrr
            metrics[f"base_ndcg@{self.at_k}"] = base_ndcg
        summary = ", ".join(f"{key} {value:.4f}" for key, value in metrics.items())
        logger.info("Queries: %d, %s", len(candidates), summary)

        if output_path is not None and self.write_csv:
            append_csv_row(output_path, self.csv_file, self.csv_headers, [epoch, steps, mean_map, mean_mrr, mean_ndcg])
        return self.prefix_name_to_metrics(metrics, self.name)

    def compute_metrics(
        self, is_relevant: Sequence[int], scores: Sequence[float], num_positives: int | None = None
    ) -> tuple[float, float, float]:
        """Return ``(average precision, reciprocal rank @k, nDCG @k)`` of one ranked candidate list.

        ``num_positives`` counts all relevant documents, also those absent from the candidates. It
        scales the average precision and sets the ideal DCG.
        """
        retrieved_positives = int(sum(is_relevant))
        if retrieved_positives == 0:
            return 0.0, 0.0, 0.0
        num_positives = max(num_positives or 0, retrieved_positives)

        ap = average_precision(is_relevant, scores) * retrieved_positives / num_positives
        mrr = reciprocal_rank(is_relevant, scores, self.at_k)
        ndcg = dcg_at_k(is_relevant, scores, self.at_k) / ideal_dcg(num_positives, self.at_k)
        return ap, mrr, ndcg

    def _candidates(self, sample: dict[str, Any]) -> _Candidates:
        _validate_sample(sample)
        positives = _as_list(sample["positive"])

        if "negative" in sample:
            documents = positives + list(sample["negative"])
            is_relevant = [1] * len(positives) + [0] * len(sample["negative"])
        elif self.always_rerank_positives:
            others = [document for document in sample["documents"] if document not in positives]
            documents = positives + others
            is_relevant = [1] * len(positives) + [0] * len(others)
        else:
            documents = list(sample["documents"])
            is_relevant = [int(document in positives) for document in documents]
        return _Candidates(sample["query"], documents, is_relevant, len(positives))

    def _base_metrics(self, sample: dict[str, Any]) -> tuple[float, float, float]:
        positives = _as_list(sample["positive"])
        documents = list(sample["documents"])
        is_relevant = [int(document in positives) for document in documents]
        first_stage_scores = np.arange(len(documents), 0, -1)
        return self.compute_metrics(is_relevant, first_stage_scores, len(positives))

    def _predict(self, model: Any, pairs: list[tuple[str, str]]) -> np.ndarray:
        if not pairs:
            return np.array([])
        return model.predict(
            pairs, batch_size=self.batch_size, show_progress_bar=self.show_progress_bar, convert_to_numpy=True
        )

    def get_config_dict(self) -> dict[str, Any]:
        """Return the cutoff, and the positive handling when the samples carry a first-stage ranking."""
        config: dict[str, Any] = {"at_k": self.at_k}
        if self.samples and "documents" in self.samples[0]:
            config["always_rerank_positives"] = self.always_rerank_positives
        return config


def _as_list(documents: str | Sequence[str]) -> list[str]:
    return [documents] if isinstance(documents, str) else list(documents)


def _validate_sample(sample: dict[str, Any]) -> None:
    for key in ("query", "positive"):
        if key not in sample:
            raise ValueError(
                f"CrossEncoderRerankingEvaluator needs a {key!r} key in each sample, got the keys {sorted(sample)}."
            )
    if ("negative" in sample) == ("documents" in sample):
        raise ValueError(
            "CrossEncoderRerankingEvaluator needs exactly one of 'negative' and 'documents' in each sample, "
            f"got the keys {sorted(sample)}."
        )
