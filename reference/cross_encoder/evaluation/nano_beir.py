"""NanoBEIR reranking evaluation of a CrossEncoder over local BEIR folders."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ...evaluation.beir_data import BEIR_LAYOUT, RetrievalData, load_beir_folder
from ...evaluation.evaluator import SentenceEvaluator, append_csv_row, describe_call
from ...evaluation.nano_beir import DATA_DIR_ENV, DATASET_NAME_TO_HUMAN_READABLE, _find_dataset_folders
from .bm25 import BM25Index
from .reranking import CrossEncoderRerankingEvaluator

logger = logging.getLogger(__name__)


class CrossEncoderNanoBEIREvaluator(SentenceEvaluator):
    """Rerank the BM25 top documents of several BEIR-layout data sets and report MAP, MRR@k and nDCG@k.

    The upstream evaluator downloads NanoBEIR, with its precomputed BM25 rankings, from the
    Hugging Face Hub, which the conformance suite never contacts. This one reads local folders in
    the BEIR layout (corpus.jsonl, queries.jsonl, qrels/test.tsv) and ranks the corpus with its
    own BM25. ``data_dir`` is one such folder or a folder of them. A data set is found under its
    short name (``msmarco``) or its NanoBEIR name (``NanoMSMARCO``).

    Each data set runs a :class:`CrossEncoderRerankingEvaluator` named ``Nano<Name>_R<rerank_k>``
    (``<folder>_R<rerank_k>`` outside NanoBEIR) on the ``rerank_k`` BM25 candidates of each query.
    The result contains each data set's metrics, including the BM25 order's ``base_`` metrics, and
    their aggregate under ``NanoBEIR_R<rerank_k>_<aggregate_key>_``. The primary metric is
    ``NanoBEIR_R<rerank_k>_<aggregate_key>_ndcg@<at_k>``.

    Args:
        dataset_names: Data sets to run. Defaults to every BEIR folder in ``data_dir``, or to
            ``data_dir`` itself when it is one.
        data_dir: Local data folder. Defaults to the ``NANOBEIR_DATA_DIR`` environment variable.
        rerank_k: Number of BM25 candidates reranked per query.
        at_k: Cutoff of MRR and nDCG.
        always_rerank_positives: Add the relevant documents BM25 missed to the candidates.
        batch_size: Pairs per forward pass.
        show_progress_bar: Show a tqdm bar while predicting.
        write_csv: Write the per-data-set CSVs and ``NanoBEIR_evaluation_<aggregate_key>_results.csv``.
        aggregate_fn: Combines one metric's values across data sets.
        aggregate_key: Name of the aggregate in the metric keys.

    Raises:
        ValueError: When neither ``data_dir`` nor ``NANOBEIR_DATA_DIR`` is set.
        FileNotFoundError: When a requested data set has no BEIR folder.

    Example:
        >>> evaluator = CrossEncoderNanoBEIREvaluator(["retrieval"], data_dir="/data")  # doctest: +SKIP
        >>> evaluator(model)[evaluator.primary_metric]  # doctest: +SKIP
        0.91
    """

    def __init__(
        self,
        dataset_names: Sequence[str] | None = None,
        data_dir: str | os.PathLike[str] | None = None,
        rerank_k: int = 100,
        at_k: int = 10,
        always_rerank_positives: bool = True,
        batch_size: int = 32,
        show_progress_bar: bool = False,
        write_csv: bool = True,
        aggregate_fn: Callable[[list[float]], float] = np.mean,
        aggregate_key: str = "mean",
    ) -> None:
        super().__init__()
        self.data_dir = _resolve_data_dir(data_dir)
        self.rerank_k = rerank_k
        self.at_k = at_k
        self.aggregate_fn = aggregate_fn
        self.aggregate_key = aggregate_key
        self.write_csv = write_csv
        self.name = f"NanoBEIR_R{rerank_k:d}_{aggregate_key}"
        self.csv_file = f"NanoBEIR_evaluation_{aggregate_key}_results.csv"
        self.csv_headers = ["epoch", "steps", "MAP", f"MRR@{at_k}", f"NDCG@{at_k}"]
        self.primary_metric = f"ndcg@{at_k}"

        folders = _find_dataset_folders(self.data_dir, dataset_names)
        self.dataset_names = list(folders)
        reranking_kwargs = {
            "at_k": at_k,
            "always_rerank_positives": always_rerank_positives,
            "batch_size": batch_size,
            "show_progress_bar": show_progress_bar,
            "write_csv": write_csv,
        }
        self.evaluators = [self._load_evaluator(name, folder, reranking_kwargs) for name, folder in folders.items()]

    def _load_evaluator(
        self, name: str, folder: str, reranking_kwargs: dict[str, Any]
    ) -> CrossEncoderRerankingEvaluator:
        readable = DATASET_NAME_TO_HUMAN_READABLE.get(name.lower())
        evaluator_name = f"Nano{readable}_R{self.rerank_k}" if readable else f"{name}_R{self.rerank_k}"
        samples = bm25_samples(load_beir_folder(folder), self.rerank_k)
        return CrossEncoderRerankingEvaluator(samples, name=evaluator_name, **reranking_kwargs)

    def __call__(
        self, model: Any, output_path: str | None = None, epoch: int = -1, steps: int = -1
    ) -> dict[str, float]:
        """Run every data set's reranking evaluator and return their metrics plus the aggregates."""
        logger.info(
            "CrossEncoderNanoBEIREvaluator: evaluating on %s%s:", self.dataset_names, describe_call(epoch, steps)
        )
        results: dict[str, float] = {}
        per_metric: dict[str, list[float]] = {}
        for evaluator in self.evaluators:
            for key, value in evaluator(model, output_path, epoch, steps).items():
                results[key] = value
                per_metric.setdefault(key.removeprefix(f"{evaluator.name}_"), []).append(value)

        aggregated = {metric: float(self.aggregate_fn(values)) for metric, values in per_metric.items()}
        if output_path is not None and self.write_csv:
            row = [epoch, steps, aggregated["map"], aggregated[f"mrr@{self.at_k}"], aggregated[f"ndcg@{self.at_k}"]]
            append_csv_row(output_path, self.csv_file, self.csv_headers, row)

        results.update(self.prefix_name_to_metrics(aggregated, self.name))
        return results

    def get_config_dict(self) -> dict[str, Any]:
        """Return the data sets and the cutoffs."""
        return {"dataset_names": self.dataset_names, "rerank_k": self.rerank_k, "at_k": self.at_k}


def bm25_samples(data: RetrievalData, rerank_k: int) -> list[dict[str, Any]]:
    """Return one reranking sample per judged query: its positives and its ``rerank_k`` BM25 documents."""
    index = BM25Index(data.corpus)
    samples = []
    for query_id, query in data.queries.items():
        relevant_ids = data.relevant_docs.get(query_id)
        if not relevant_ids:
            continue
        samples.append(
            {
                "query": query,
                "positive": [data.corpus[doc_id] for doc_id in sorted(relevant_ids) if doc_id in data.corpus],
                "documents": [data.corpus[doc_id] for doc_id in index.top_k(query, rerank_k)],
            }
        )
    return samples


def _resolve_data_dir(data_dir: str | os.PathLike[str] | None) -> str:
    if data_dir is None:
        data_dir = os.environ.get(DATA_DIR_ENV) or None
    if data_dir is None:
        raise ValueError(
            "CrossEncoderNanoBEIREvaluator cannot download NanoBEIR: the Hugging Face Hub is not reachable from "
            f"the conformance suite. Pass data_dir=<folder> or set {DATA_DIR_ENV}, where the folder is a BEIR data "
            f"set ({BEIR_LAYOUT}) or contains one such folder per data set."
        )
    return os.fspath(data_dir)
