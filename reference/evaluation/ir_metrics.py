"""Ranking and the retrieval metrics (accuracy, precision, recall, MRR, nDCG, MAP at k) of one run."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

ScoreFunction = Callable[[Tensor, Tensor], Tensor]


@dataclass(frozen=True)
class CutoffLists:
    """The k values each retrieval metric is reported at."""

    accuracy_at_k: Sequence[int]
    precision_recall_at_k: Sequence[int]
    mrr_at_k: Sequence[int]
    ndcg_at_k: Sequence[int]
    map_at_k: Sequence[int]

    @property
    def max_k(self) -> int:
        """Largest k of any metric: how many hits per query must be kept."""
        return max(
            *self.accuracy_at_k, *self.precision_recall_at_k, *self.mrr_at_k, *self.ndcg_at_k, *self.map_at_k
        )


def top_hits(
    query_embeddings: Tensor,
    corpus_chunks: Sequence[tuple[Tensor, Sequence[str]]],
    score_function: ScoreFunction,
    max_k: int,
) -> list[list[tuple[float, str]]]:
    """Return, per query, the ``max_k`` best ``(score, corpus_id)`` pairs over all corpus chunks.

    Hits are ordered by descending score, ties by ascending corpus id, so the result does not
    depend on how the corpus was chunked or on how ``torch.topk`` breaks ties.
    """
    hits: list[list[tuple[float, str]]] = [[] for _ in range(len(query_embeddings))]
    for chunk_embeddings, chunk_ids in corpus_chunks:
        scores = score_function(query_embeddings, chunk_embeddings).float().cpu()
        for query_index, row in enumerate(scores):
            hits[query_index] = _merge_best(hits[query_index], row, chunk_ids, max_k)
    return hits


def _merge_best(
    current: list[tuple[float, str]], row: Tensor, chunk_ids: Sequence[str], max_k: int
) -> list[tuple[float, str]]:
    # Every entry that ties with the k-th best score is a candidate, so the id tie-break compares all of them.
    k = min(max_k, row.numel())
    threshold = torch.topk(row, k, largest=True, sorted=True).values[-1]
    candidates = torch.nonzero(row >= threshold).flatten().tolist()

    merged = current + [(float(row[index]), chunk_ids[index]) for index in candidates]
    merged.sort(key=lambda hit: (-hit[0], hit[1]))
    return merged[:max_k]


def compute_metrics(
    ranked_ids: Sequence[Sequence[str]], relevant: Sequence[set[str]], cutoffs: CutoffLists
) -> dict[str, dict[int, float]]:
    """Return the mean of each metric over the queries, keyed ``metric@k`` -> {k: value}.

    ``ranked_ids[i]`` is query i's ranking (best first) and ``relevant[i]`` its relevant ids. Relevance
    is binary; nDCG divides by the ideal DCG of ``min(k, len(relevant))`` hits, MAP@k divides the sum
    of precisions at the hits by ``min(k, len(relevant))``.
    """
    per_query: dict[str, dict[int, list[float]]] = {
        "accuracy@k": {k: [] for k in cutoffs.accuracy_at_k},
        "precision@k": {k: [] for k in cutoffs.precision_recall_at_k},
        "recall@k": {k: [] for k in cutoffs.precision_recall_at_k},
        "ndcg@k": {k: [] for k in cutoffs.ndcg_at_k},
        "mrr@k": {k: [] for k in cutoffs.mrr_at_k},
        "map@k": {k: [] for k in cutoffs.map_at_k},
    }
    for ranking, relevant_ids in zip(ranked_ids, relevant):
        is_hit = [doc_id in relevant_ids for doc_id in ranking]
        _add_query_metrics(per_query, is_hit, len(relevant_ids))

    return {
        metric: {k: float(np.mean(values)) for k, values in by_k.items()} for metric, by_k in per_query.items()
    }


def _add_query_metrics(per_query: dict[str, dict[int, list[float]]], is_hit: list[bool], num_relevant: int) -> None:
    for k in per_query["accuracy@k"]:
        per_query["accuracy@k"][k].append(float(any(is_hit[:k])))

    for k in per_query["precision@k"]:
        per_query["precision@k"][k].append(sum(is_hit[:k]) / k)
        per_query["recall@k"][k].append(sum(is_hit[:k]) / num_relevant)

    for k in per_query["ndcg@k"]:
        ideal = _dcg([True] * num_relevant, k)
        per_query["ndcg@k"][k].append(_dcg(is_hit, k) / ideal)

    for k in per_query["mrr@k"]:
        first_rank = next((rank for rank, hit in enumerate(is_hit[:k], start=1) if hit), None)
        per_query["mrr@k"][k].append(1.0 / first_rank if first_rank else 0.0)

    for k in per_query["map@k"]:
        per_query["map@k"][k].append(_average_precision(is_hit[:k], min(k, num_relevant)))


def _dcg(is_hit: Sequence[bool], k: int) -> float:
    return sum(1.0 / np.log2(rank + 2) for rank, hit in enumerate(is_hit[:k]) if hit)


def _average_precision(is_hit: Sequence[bool], denominator: int) -> float:
    found = 0
    total = 0.0
    for rank, hit in enumerate(is_hit, start=1):
        if hit:
            found += 1
            total += found / rank
    return total / denominator
