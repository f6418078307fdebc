"""Triplet loss with semi-hard negatives: the closest negatives that are still farther than the positive."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
from torch import Tensor, nn

from .batch_hard_triplet import (
    BatchHardTripletLossDistanceFunction,
    DistanceFunction,
    _function_name,
    anchor_negative_mask,
    anchor_positive_mask,
)


class BatchSemiHardTripletLoss(nn.Module):
    """Triplet loss of every anchor-positive pair with its semi-hard negative.

    For a pair (a, p), the semi-hard negative is the closest negative n with ``d(a, n) > d(a, p)``.
    When no negative is that far, the farthest negative of a is used. The loss is
    ``max(d(a, p) - d(a, n) + margin, 0)`` averaged over all anchor-positive pairs. Batches need
    at least two examples per label, e.g. from ``BatchSamplers.GROUP_BY_LABEL``. A batch without
    any anchor-positive pair divides by zero and returns NaN, as upstream does.

    Args:
        model: The SentenceTransformer to train.
        distance_metric: Function of the embeddings returning the ``[batch, batch]`` distances;
            euclidean by default.
        margin: How much farther the negative must be than the positive.

    Inputs:

    +-------------+---------------------+
    | Texts       | Labels              |
    +=============+=====================+
    | (sentence,) | integer class label |
    +-------------+---------------------+

    Relations: :class:`BatchHardTripletLoss` uses the hardest negative instead.

    Example:
        >>> loss = BatchSemiHardTripletLoss(model)
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
        self.margin = margin
        self.distance_metric = distance_metric

    def forward(self, sentence_features: Iterable[dict[str, Tensor]], labels: Tensor) -> Tensor:
        """Embed the single text column and return the loss."""
        embeddings = self.sentence_embedder(next(iter(sentence_features)))["sentence_embedding"]
        return self.batch_semi_hard_triplet_loss(labels, embeddings)

    def batch_semi_hard_triplet_loss(self, labels: Tensor, embeddings: Tensor) -> Tensor:
        """Return the loss of ``embeddings`` ``[batch, dim]`` with ``labels`` ``[batch]``."""
        distances = self.distance_metric(embeddings)  # [batch, batch]
        is_negative = anchor_negative_mask(labels)  # [batch, batch]
        negatives = self._semi_hard_negatives(distances, is_negative)  # [anchor, positive]

        is_positive = anchor_positive_mask(labels).float()
        losses = torch.clamp((distances - negatives + self.margin) * is_positive, min=0)
        return losses.sum() / is_positive.sum()

    @staticmethod
    def _semi_hard_negatives(distances: Tensor, is_negative: Tensor) -> Tensor:
        # farther[a, p, n]: n is a negative of a and lies farther from a than p does.
        farther = is_negative.unsqueeze(1) & (distances.unsqueeze(1) > distances.unsqueeze(2))
        candidate_distances = distances.unsqueeze(1).expand_as(farther)
        largest = torch.finfo(distances.dtype).max
        closest_farther = torch.where(farther, candidate_distances, largest).min(dim=2).values  # [anchor, positive]

        # An anchor without any negative falls back to its smallest distance (0, to itself).
        row_min = distances.min(dim=1, keepdim=True).values
        farthest = torch.where(is_negative, distances, row_min).max(dim=1, keepdim=True).values  # [anchor, 1]
        return torch.where(farther.any(dim=2), closest_farther, farthest)

    def get_config_dict(self) -> dict[str, Any]:
        """Return the loss hyperparameters."""
        return {"distance_metric": _function_name(self.distance_metric), "margin": self.margin}
