"""In-batch negatives ranking loss for (anchor, positive[, negative...]) inputs."""

from __future__ import annotations

from typing import Any, Callable, Iterable

import torch
from torch import Tensor, nn

from .. import util


class MultipleNegativesRankingLoss(nn.Module):
    """Cross-entropy that ranks each anchor's own positive above every other candidate in the batch.

    For a batch of ``n`` rows, the candidates are the ``n`` positives followed by the ``n``
    embeddings of every negative column. Row ``i`` scores its anchor against all candidates,
    and the target is candidate ``i``, its own positive; all other candidates act as negatives.

    Args:
        model: The SentenceTransformer to train; kept as ``self.model``.
        scale: Multiplier of the similarities before the softmax (the inverse temperature).
            With cosine similarity in [-1, 1], 20 makes the softmax sharp enough to learn.
        similarity_fct: Function returning the ``[n, m]`` similarity matrix of two batches of
            embeddings, e.g. :func:`util.cos_sim` or :func:`util.dot_score`.

    Inputs:

    +-------------------------------------------+--------+
    | Texts                                     | Labels |
    +===========================================+========+
    | (anchor, positive)                        | none   |
    +-------------------------------------------+--------+
    | (anchor, positive, negative_1, ...)       | none   |
    +-------------------------------------------+--------+

    Example:
        >>> loss = MultipleNegativesRankingLoss(model)
        >>> features, labels = model.smart_batching_collate(examples)
        >>> value = loss(features, labels)
    """

    def __init__(
        self,
        model: nn.Module,
        scale: float = 20.0,
        similarity_fct: Callable[[Tensor, Tensor], Tensor] = util.cos_sim,
    ) -> None:
        super().__init__()
        self.model = model
        self.scale = scale
        self.similarity_fct = similarity_fct
        self.cross_entropy_loss = nn.CrossEntropyLoss()

    def forward(self, sentence_features: Iterable[dict[str, Tensor]], labels: Tensor | None = None) -> Tensor:
        """Embed every text column and return the loss; ``labels`` are ignored."""
        embeddings = [self.model(features)["sentence_embedding"] for features in sentence_features]
        return self.compute_loss_from_embeddings(embeddings)

    def compute_loss_from_embeddings(self, embeddings: list[Tensor]) -> Tensor:
        """Return the loss of column embeddings ``[anchors, positives, negatives...]``, each ``[n, dim]``."""
        if len(embeddings) < 2:
            raise ValueError(
                "MultipleNegativesRankingLoss needs at least two text columns (anchor, positive), "
                f"got {len(embeddings)}."
            )

        anchors = embeddings[0]  # [n, dim]
        candidates = torch.cat(embeddings[1:], dim=0)  # [n * (columns - 1), dim]
        scores = self.similarity_fct(anchors, candidates) * self.scale  # [n, n * (columns - 1)]
        targets = torch.arange(anchors.size(0), device=scores.device)  # [n]
        return self.cross_entropy_loss(scores, targets)

    def get_config_dict(self) -> dict[str, Any]:
        """Return the loss hyperparameters."""
        return {"scale": self.scale, "similarity_fct": self.similarity_fct.__name__}
