"""Input checks and output conversions of ``CrossEncoder.predict`` and ``CrossEncoder.rank``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor

Pair = Sequence[str]


def normalize_pairs(sentences: Any) -> tuple[list[tuple[str, str]], bool]:
    """Return the sentence pairs as a list of tuples, and whether the input was one single pair.

    Raises:
        ValueError: When an element is not a pair of two strings.
    """
    is_single_pair = isinstance(sentences, (list, tuple)) and len(sentences) > 0 and isinstance(sentences[0], str)
    pairs = [sentences] if is_single_pair else list(sentences)

    for pair in pairs:
        if not (isinstance(pair, (list, tuple)) and len(pair) == 2 and all(isinstance(text, str) for text in pair)):
            raise ValueError(
                f"CrossEncoder.predict expects sentence pairs such as [('query', 'document'), ...] or one pair, "
                f"but got the element {pair!r}."
            )
    return [(pair[0], pair[1]) for pair in pairs], is_single_pair


def scores_from_logits(logits: Tensor, activation_fn: Any, num_labels: int, apply_softmax: bool) -> Tensor:
    """Apply the activation, drop the label axis of single-label models, then the optional softmax.

    The softmax comes after the squeeze, as in sentence-transformers 6.3.0, so it never turns a
    single-label score into 1.0.
    """
    scores = activation_fn(logits) if activation_fn is not None else logits
    if num_labels == 1 and scores.ndim > 1:
        scores = scores.squeeze(-1)
    if apply_softmax and scores.ndim > 1:
        scores = torch.nn.functional.softmax(scores, dim=1)
    return scores


def convert_scores(
    batches: list[Tensor], convert_to_numpy: bool, convert_to_tensor: bool, device: torch.device
) -> Tensor | np.ndarray | list[Tensor]:
    """Join per-batch scores into one tensor, one float32 numpy array, or a list of tensors."""
    rows = [row for batch in batches for row in batch]

    if convert_to_tensor:
        return torch.stack(rows) if rows else torch.tensor([], device=device)
    if convert_to_numpy:
        return torch.stack(rows).float().cpu().numpy() if rows else np.array([], dtype=np.float32)
    return rows


def rank_results(
    scores: list[float], documents: Sequence[str], top_k: int | None, return_documents: bool
) -> list[dict[str, Any]]:
    """Return ``{"corpus_id", "score"}`` dicts (plus ``"text"`` on request), best score first, cut to ``top_k``."""
    results: list[dict[str, Any]] = []
    for corpus_id, score in enumerate(scores):
        result: dict[str, Any] = {"corpus_id": corpus_id, "score": score}
        if return_documents:
            result["text"] = documents[corpus_id]
        results.append(result)

    results.sort(key=lambda result: result["score"], reverse=True)
    return results[:top_k]
