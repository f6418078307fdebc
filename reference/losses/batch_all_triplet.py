"""Triplet loss averaged over every valid (anchor, positive, negative) triplet in the batch."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from torch import Tensor, nn

from .batch_hard_triplet import BatchHardTripletLossDistanceFunction, DistanceFunction, _function_name, triplet_mask


class BatchAllTripletLoss(nn.Module):
    """Mean of ``max(d(a, p) - d(a, n) + margin, 0)`` over the triplets where it is positive.

    Every (a, p, n) of distinct examples where a and p share a label and n has another label is a
    valid triplet. The sum of their losses is divided by the number of triplets with a loss above
    1e-16, so triplets that are already satisfied do not dilute the average. Batches need at least
    two examples per label, e.g. from ``BatchSamplers.GROUP_BY_LABEL``.

    Args:
        model: The SentenceTransformer to train.
        distance_metric: Function of the embeddings returning the ``[batch, batch]`` distances;
            euclidean by default.
        margin: How much farther each negative must be than the positive.

    Inputs:

    +-------------+---------------------+
    | Texts       | Labels              |
    +=============+=====================+
    | (sentence,) | integer class label |
    +-------------+---------------------+

    Relations: :class:`BatchHardTripletLoss` keeps only the hardest triplet per anchor.

    Example:
        >>> loss = BatchAllTripletLoss(model)
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
        return self.batch_all_triplet_loss(labels, embeddings)

    def batch_all_triplet_loss(self, labels: Tensor, embeddings: Tensor) -> Tensor:
        """Return the loss of ``embeddings`` ``[batch, dim]`` with ``labels`` ``[batch]``."""
        distances = self.distance_metric(embeddings)  # [batch, batch]

        # losses[a, p, n] = d(a, p) - d(a, n) + margin
        losses = distances.unsqueeze(2) - distances.unsqueeze(1) + self.triplet_margin  # [batch, batch, batch]
        losses = (triplet_mask(labels).float() * losses).clamp(min=0)

        num_positive = (losses > 1e-16).sum()
        return losses.sum() / (num_positive + 1e-16)

    def get_config_dict(self) -> dict[str, Any]:
        """Return the loss hyperparameters."""
        return {"distance_metric": _function_name(self.distance_metric), "margin": self.triplet_margin}
