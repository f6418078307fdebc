"""Similarity functions the evaluators score embeddings with, by name."""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

import torch
from torch import Tensor

from ..util import cos_sim, dot_score, pairwise_cos_sim, pairwise_dot_score


class SimilarityFunction(str, Enum):
    """Names of the similarity functions; distances are negated so that greater always means closer.

    Example:
        >>> SimilarityFunction("dot") is SimilarityFunction.DOT_PRODUCT
        True
    """

    COSINE = "cosine"
    DOT_PRODUCT = "dot"
    EUCLIDEAN = "euclidean"
    MANHATTAN = "manhattan"


def pairwise_euclidean_sim(a: Tensor, b: Tensor) -> Tensor:
    """Return minus the euclidean distance between each row of ``a`` and the same row of ``b``."""
    return -torch.linalg.vector_norm(a - b, dim=-1)


def pairwise_manhattan_sim(a: Tensor, b: Tensor) -> Tensor:
    """Return minus the L1 distance between each row of ``a`` and the same row of ``b``."""
    return -torch.sum(torch.abs(a - b), dim=-1)


def euclidean_sim(a: Tensor, b: Tensor) -> Tensor:
    """Return minus the euclidean distance matrix ``[len(a), len(b)]``."""
    return -torch.cdist(a, b, p=2.0)


def manhattan_sim(a: Tensor, b: Tensor) -> Tensor:
    """Return minus the L1 distance matrix ``[len(a), len(b)]``."""
    return -torch.cdist(a, b, p=1.0)


PAIRWISE_FUNCTIONS: dict[str, Callable[[Tensor, Tensor], Tensor]] = {
    "cosine": pairwise_cos_sim,
    "dot": pairwise_dot_score,
    "euclidean": pairwise_euclidean_sim,
    "manhattan": pairwise_manhattan_sim,
}

MATRIX_FUNCTIONS: dict[str, Callable[[Tensor, Tensor], Tensor]] = {
    "cosine": cos_sim,
    "dot": dot_score,
    "euclidean": euclidean_sim,
    "manhattan": manhattan_sim,
}


def similarity_name(value: str | Enum) -> str:
    """Return the canonical name (``cosine``, ``dot``, ``euclidean``, ``manhattan``) of a similarity function.

    Accepts the names, ``dot_product``, and members of any enum whose values are those names.
    """
    raw = value.value if isinstance(value, Enum) else value
    name = "dot" if raw == "dot_product" else raw
    if name not in PAIRWISE_FUNCTIONS:
        raise ValueError(f"Unknown similarity function {value!r}; use one of {sorted(PAIRWISE_FUNCTIONS)}.")
    return name


def model_similarity_name(model: object) -> str:
    """Return the name of the model's own similarity function, or ``cosine`` when it declares none."""
    declared = getattr(model, "similarity_fn_name", None)
    return similarity_name(declared) if declared else "cosine"
