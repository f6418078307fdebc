"""Batch-hard triplet loss, plus the distance functions and label masks the batch triplet losses share."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import Tensor, nn

from ..util import cos_sim

DistanceFunction = Callable[[Tensor], Tensor]


class BatchHardTripletLossDistanceFunction:
    """Pairwise distance matrices ``[batch, batch]`` of a batch of embeddings."""

    @staticmethod
    def cosine_distance(embeddings: Tensor) -> Tensor:
        """Return ``1 - cos_sim`` between every pair of rows."""
        return 1 - cos_sim(embeddings, embeddings)

    @staticmethod
    def euclidean_distance(embeddings: Tensor, squared: bool = False) -> Tensor:
        """Return the (squared) euclidean distance between every pair of rows.

        Distances are computed as ``|a|^2 - 2 a.b + |b|^2``, clamped at 0 against rounding. The
        square root has an infinite gradient at 0, so zero distances are taken at 1e-16 and masked
        back to exactly 0.
        """
        dot_product = embeddings @ embeddings.t()  # [batch, batch]
        square_norm = torch.diagonal(dot_product)  # [batch]
        distances = square_norm.unsqueeze(0) - 2.0 * dot_product + square_norm.unsqueeze(1)
        distances = distances.clamp(min=0)
        if squared:
            return distances

        is_zero = (distances == 0).float()
        return (1.0 - is_zero) * torch.sqrt(distances + is_zero * 1e-16)

    # Spelling of sentence-transformers 2.x, kept so 2.x scripts that pass it still run.
    eucledian_distance = euclidean_distance


def anchor_positive_mask(labels: Tensor) -> Tensor:
    """Return ``[batch, batch]``: True where j != i and j has the label of i."""
    not_self = ~torch.eye(labels.size(0), dtype=torch.bool, device=labels.device)
    return (labels.unsqueeze(0) == labels.unsqueeze(1)) & not_self


def anchor_negative_mask(labels: Tensor) -> Tensor:
    """Return ``[batch, batch]``: True where k has a label other than i's."""
    return labels.unsqueeze(0) != labels.unsqueeze(1)


def triplet_mask(labels: Tensor) -> Tensor:
    """Return ``[batch, batch, batch]``: True for valid triplets (i, j, k).

    Valid means i, j, k are distinct, i and j share a label, and k's label differs.
    """
    return anchor_positive_mask(labels).unsqueeze(2) & anchor_negative_mask(labels).unsqueeze(1)


class BatchHardTripletLoss(nn.Module):
    """Triplet loss over the hardest positive and the hardest negative of each anchor in the batch.

    For every example as anchor, the hardest positive is the farthest example with the same label
    and the hardest negative the closest example with another label. The loss is the mean over
    anchors of ``max(d(a, p) - d(a, n) + margin, 0)``. Batches need at least two examples per label,
    e.g. from ``BatchSamplers.GROUP_BY_LABEL`` or the legacy ``SentenceLabelDataset``.

    Args:
        model: The SentenceTransformer to train.
        distance_metric: Function of the embeddings returning the ``[batch, batch]`` distances;
            euclidean by default.
        margin: How much farther the hardest negative must be than the hardest positive.

    Inputs:

    +-------------+---------------------+
    | Texts       | Labels              |
    +=============+=====================+
    | (sentence,) | integer class label |
    +-------------+---------------------+

    Relations: :class:`BatchAllTripletLoss` averages over every valid triplet instead;
    :class:`BatchSemiHardTripletLoss` picks negatives just beyond the positive.

    Example:
        >>> loss = BatchHardTripletLoss(model)
        >>> examples = [InputExample(texts=[text], label=label) for text, label in labelled_texts]
        >>> features, labels = model.smart_batching_collate(examples)
        >>> value = loss(features, labels)
    """

    def __init__(
        self,
        model: nn.Module,
        distance_metric: DistanceFunction = BatchHardTripletLossDistanceFunction.euclidean_distance,
        margin: float = 5,
    ) -> None:
        super().__init__()
        self.sentence_embedder = model
        self.triplet_margin = margin
        self.distance_metric = distance_metric

    def forward(self, sentence_features: Iterable[dict[str, Tensor]], labels: Tensor) -> Tensor:
        """Embed the single text column and return the loss."""
        embeddings = self.sentence_embedder(next(iter(sentence_features)))["sentence_embedding"]
        return self.batch_hard_triplet_loss(labels, embeddings)

    def batch_hard_triplet_loss(self, labels: Tensor, embeddings: Tensor) -> Tensor:
        """Return the loss of ``embeddings`` ``[batch, dim]`` with ``labels`` ``[batch]``."""
        distances = self.distance_metric(embeddings)  # [batch, batch]

        # Non-positives count as distance 0, so they never win the max.
        positive_distances = anchor_positive_mask(labels).float() * distances
        hardest_positive = positive_distances.max(dim=1, keepdim=True).values  # [batch, 1]

        # Non-negatives get the row maximum added, so they never win the min.
        row_max = distances.max(dim=1, keepdim=True).values
        negative_distances = distances + row_max * (~anchor_negative_mask(labels)).float()
        hardest_negative = negative_distances.min(dim=1, keepdim=True).values  # [batch, 1]

        losses = (hardest_positive - hardest_negative + self.triplet_margin).clamp(min=0)
        return losses.mean()

    def get_config_dict(self) -> dict[str, Any]:
        """Return the loss hyperparameters."""
        return {"distance_metric": _function_name(self.distance_metric), "margin": self.triplet_margin}


def _function_name(function: Callable[..., Any]) -> str:
    return getattr(function, "__qualname__", repr(function))
