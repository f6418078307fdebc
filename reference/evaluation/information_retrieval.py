"""Retrieval evaluation: rank a corpus for each query and score the ranking against relevance judgements."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from enum import Enum
from typing import Any

from torch import Tensor

from .evaluator import SentenceEvaluator, append_csv_row, describe_call, encode_texts
from .ir_metrics import CutoffLists, ScoreFunction, compute_metrics, top_hits
from .similarity import MATRIX_FUNCTIONS, model_similarity_name, similarity_name

logger = logging.getLogger(__name__)

# Order and CSV spelling of the metrics, as ``metric@k`` key -> CSV column stem.
_CSV_COLUMNS = {"accuracy@k": "Accuracy", "precision@k": "Precision", "recall@k": "Recall", "mrr@k": "MRR",
                "ndcg@k": "NDCG", "map@k": "MAP"}  # fmt: skip


class InformationRetrievalEvaluator(SentenceEvaluator):
    """Retrieval metrics of a model that ranks ``corpus`` for each query by embedding similarity.

    Queries without any relevant document are skipped. For each score function the metrics are
    ``<fn>_accuracy@k``, ``<fn>_precision@k``, ``<fn>_recall@k``, ``<fn>_ndcg@k``, ``<fn>_mrr@k``
    and ``<fn>_map@k``, prefixed with ``name``. The primary metric is
    ``<main_score_function>_ndcg@<max ndcg k>``, else that nDCG of the best-scoring function
    (``cosine_ndcg@10`` for most models). Ties in score are ranked by ascending corpus id.

    Args:
        queries: Query id -> query text.
        corpus: Document id -> document text.
        relevant_docs: Query id -> ids of its relevant documents.
        corpus_chunk_size: Documents encoded and scored at a time.
        mrr_at_k: Cutoffs for MRR.
        ndcg_at_k: Cutoffs for nDCG.
        accuracy_at_k: Cutoffs for accuracy (at least one relevant hit in the top k).
        precision_recall_at_k: Cutoffs for precision and recall.
        map_at_k: Cutoffs for MAP.
        show_progress_bar: Forwarded to ``model.encode``.
        batch_size: Encoding batch size.
        name: Prefix of the metric keys and suffix of the CSV file name.
        write_csv: Append one row per call to ``Information-Retrieval_evaluation_<name>_results.csv``.
        score_functions: Name -> function returning the ``[queries, documents]`` score matrix.
            Defaults to the model's own similarity function (cosine when it declares none).
        main_score_function: Score function whose nDCG is the primary metric.

    Example:
        >>> evaluator = InformationRetrievalEvaluator(
        ...     queries={"q1": "Who won?"}, corpus={"d1": "The Broncos won.", "d2": "It rained."},
        ...     relevant_docs={"q1": {"d1"}}, name="toy",
        ... )
        >>> evaluator(model)["toy_cosine_ndcg@10"]  # doctest: +SKIP
        1.0
    """

    def __init__(
        self,
        queries: dict[str, str],
        corpus: dict[str, str],
        relevant_docs: dict[str, Iterable[str]],
        corpus_chunk_size: int = 50000,
        mrr_at_k: Sequence[int] = (10,),
        ndcg_at_k: Sequence[int] = (10,),
        accuracy_at_k: Sequence[int] = (1, 3, 5, 10),
        precision_recall_at_k: Sequence[int] = (1, 3, 5, 10),
        map_at_k: Sequence[int] = (100,),
        show_progress_bar: bool = False,
        batch_size: int = 32,
        name: str = "",
        write_csv: bool = True,
        score_functions: dict[str, ScoreFunction] | None = None,
        main_score_function: str | Enum | None = None,
    ) -> None:
        super().__init__()
        if corpus_chunk_size < 1:
            raise ValueError(f"corpus_chunk_size must be a positive integer, got {corpus_chunk_size!r}.")

        self.relevant_docs = {qid: set(doc_ids) for qid, doc_ids in relevant_docs.items()}
        self.queries_ids = [qid for qid in queries if self.relevant_docs.get(qid)]
        self.queries = [queries[qid] for qid in self.queries_ids]
        self.corpus_ids = list(corpus)
        self.corpus = [corpus[cid] for cid in self.corpus_ids]
        if not self.queries_ids:
            raise ValueError("InformationRetrievalEvaluator has no query with a relevant document; check relevant_docs.")

        self.corpus_chunk_size = corpus_chunk_size
        self.cutoffs = CutoffLists(accuracy_at_k, precision_recall_at_k, mrr_at_k, ndcg_at_k, map_at_k)
        self.show_progress_bar = show_progress_bar
        self.batch_size = batch_size
        self.name = name
        self.write_csv = write_csv
        self.score_functions = dict(score_functions) if score_functions else None
        self.main_score_function = similarity_name(main_score_function) if main_score_function else None
        self.csv_file = "Information-Retrieval_evaluation" + (f"_{name}" if name else "") + "_results.csv"
        # Names of the score functions of the latest call, which depend on the model when not given.
        self.score_function_names = sorted(self.score_functions or [])

    def __call__(
        self, model: Any, output_path: str | None = None, epoch: int = -1, steps: int = -1
    ) -> dict[str, float]:
        logger.info("Information retrieval evaluation on the %r dataset%s", self.name, describe_call(epoch, steps))
        score_functions = self._resolve_score_functions(model)
        scores = self.compute_scores(model, score_functions)
        self.score_function_names = sorted(score_functions)

        if output_path is not None and self.write_csv:
            headers, row = self._csv_row(scores, epoch, steps)
            append_csv_row(output_path, self.csv_file, headers, row)

        self.primary_metric = self._primary_metric_key(scores)
        metrics = {
            f"{fn}_{metric.replace('@k', f'@{k}')}": value
            for fn, by_metric in scores.items()
            for metric, by_k in by_metric.items()
            for k, value in by_k.items()
        }
        return self.prefix_name_to_metrics(metrics, self.name)

    def compute_scores(self, model: Any, score_functions: dict[str, ScoreFunction]) -> dict[str, dict[str, dict[int, float]]]:
        """Encode queries and corpus, rank, and return ``{function: {metric@k: {k: value}}}``."""
        query_embeddings = encode_texts(model, self.queries, self.batch_size, self.show_progress_bar)
        chunks = list(self._encode_corpus_chunks(model))
        relevant = [self.relevant_docs[qid] for qid in self.queries_ids]
        logger.info("Queries: %d, corpus: %d", len(self.queries), len(self.corpus))

        scores = {}
        for fn_name in sorted(score_functions):
            hits = top_hits(query_embeddings, chunks, score_functions[fn_name], self.cutoffs.max_k)
            ranked_ids = [[doc_id for _, doc_id in query_hits] for query_hits in hits]
            scores[fn_name] = compute_metrics(ranked_ids, relevant, self.cutoffs)
            self._log_scores(fn_name, scores[fn_name])
        return scores

    def _encode_corpus_chunks(self, model: Any) -> Iterable[tuple[Tensor, list[str]]]:
        for start in range(0, len(self.corpus), self.corpus_chunk_size):
            end = start + self.corpus_chunk_size
            embeddings = encode_texts(model, self.corpus[start:end], self.batch_size, self.show_progress_bar)
            yield embeddings, self.corpus_ids[start:end]

    def _resolve_score_functions(self, model: Any) -> dict[str, ScoreFunction]:
        if self.score_functions:
            return self.score_functions
        fn_name = model_similarity_name(model)
        return {fn_name: MATRIX_FUNCTIONS[fn_name]}

    def _primary_metric_key(self, scores: dict[str, dict[str, dict[int, float]]]) -> str:
        ndcg_k = max(self.cutoffs.ndcg_at_k)
        if self.main_score_function:
            return f"{self.main_score_function}_ndcg@{ndcg_k}"
        best = max(scores, key=lambda fn_name: scores[fn_name]["ndcg@k"][ndcg_k])
        return f"{best}_ndcg@{ndcg_k}"

    def _csv_row(self, scores: dict[str, dict[str, dict[int, float]]], epoch: int, steps: int) -> tuple[list[str], list[Any]]:
        headers: list[str] = ["epoch", "steps"]
        row: list[Any] = [epoch, steps]
        for fn_name, by_metric in scores.items():
            for metric, k in csv_columns(self.cutoffs):
                headers.append(csv_header(fn_name, metric, k))
                row.append(by_metric[metric][k])
        return headers, row

    def _log_scores(self, fn_name: str, scores: dict[str, dict[int, float]]) -> None:
        logger.info("Score function: %s", fn_name)
        for metric, by_k in scores.items():
            for k, value in by_k.items():
                logger.info("%s@%d: %.4f", _CSV_COLUMNS[metric], k, value)

    @property
    def description(self) -> str:
        return "Information Retrieval"


def csv_columns(cutoffs: CutoffLists) -> list[tuple[str, int]]:
    """Return the (metric, k) columns of the retrieval CSV in the upstream order.

    The order is accuracy, then precision and recall interleaved per k, then MRR, nDCG and MAP.
    """
    columns = [("accuracy@k", k) for k in cutoffs.accuracy_at_k]
    for k in cutoffs.precision_recall_at_k:
        columns += [("precision@k", k), ("recall@k", k)]
    columns += [("mrr@k", k) for k in cutoffs.mrr_at_k]
    columns += [("ndcg@k", k) for k in cutoffs.ndcg_at_k]
    columns += [("map@k", k) for k in cutoffs.map_at_k]
    return columns


def csv_header(fn_name: str, metric: str, k: int) -> str:
    """Return the CSV column name of one metric, e.g. ``cosine-NDCG@10``."""
    return f"{fn_name}-{_CSV_COLUMNS[metric]}@{k}"
