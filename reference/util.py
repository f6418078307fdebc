"""Similarity functions and small tensor helpers shared by models, losses and evaluators."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor


def _as_tensor(values: Any) -> Tensor:
    # Evaluators pass lists of arrays or numpy arrays as often as tensors.
    if isinstance(values, Tensor):
        tensor = values
    elif isinstance(values, np.ndarray):
        tensor = torch.from_numpy(values)
    else:
        tensor = torch.tensor(np.asarray(values))

    if tensor.dim() == 1:
        tensor = tensor.unsqueeze(0)
    return tensor


def normalize_embeddings(embeddings: Tensor) -> Tensor:
    """Scale each row of ``embeddings`` to unit L2 norm (zero rows stay zero)."""
    return torch.nn.functional.normalize(embeddings, p=2, dim=1)


def cos_sim(a: Any, b: Any) -> Tensor:
    """Return the cosine similarity matrix ``[len(a), len(b)]`` of two batches of vectors.

    One-dimensional inputs count as a batch of one vector.
    """
    a_norm = normalize_embeddings(_as_tensor(a))
    b_norm = normalize_embeddings(_as_tensor(b))
    return a_norm @ b_norm.transpose(0, 1)


def dot_score(a: Any, b: Any) -> Tensor:
    """Return the dot-product matrix ``[len(a), len(b)]`` of two batches of vectors."""
    return _as_tensor(a) @ _as_tensor(b).transpose(0, 1)


def pairwise_cos_sim(a: Any, b: Any) -> Tensor:
    """Return the cosine similarity of each row of ``a`` with the same row of ``b``, shape ``[n]``."""
    a_norm = normalize_embeddings(_as_tensor(a))
    b_norm = normalize_embeddings(_as_tensor(b))
    return (a_norm * b_norm).sum(dim=-1)


def pairwise_dot_score(a: Any, b: Any) -> Tensor:
    """Return the dot product of each row of ``a`` with the same row of ``b``, shape ``[n]``."""
    return (_as_tensor(a) * _as_tensor(b)).sum(dim=-1)


def batch_to_device(batch: dict[str, Any], device: torch.device | str) -> dict[str, Any]:
    """Move every tensor value of a tokenized batch to ``device``; other values are kept as they are."""
    return {key: value.to(device) if isinstance(value, Tensor) else value for key, value in batch.items()}
