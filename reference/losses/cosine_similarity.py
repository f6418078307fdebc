"""Regression of the cosine similarity of a sentence pair onto a gold score."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
from torch import Tensor, nn


class CosineSimilarityLoss(nn.Module):
    """Loss between ``cos_score_transformation(cos(u, v))`` and the gold score of each pair.

    The default ``loss_fct`` is the mean squared error, so the model learns cosine similarities
    equal to the labels (e.g. STS scores scaled to [0, 1]).

    Args:
        model: The SentenceTransformer to train.
        loss_fct: Compares the transformed similarities ``[batch]`` with the labels ``[batch]``.
        cos_score_transformation: Applied to the cosine similarities first; identity by default.

    Inputs:

    +--------------------------+------------------------+
    | Texts                    | Labels                 |
    +==========================+========================+
    | (sentence_A, sentence_B) | float similarity score |
    +--------------------------+------------------------+

    Relations: :class:`~reference.evaluation.EmbeddingSimilarityEvaluator` reports how well the
    similarities rank like the gold scores.

    Example:
        >>> loss = CosineSimilarityLoss(model)
        >>> examples = [InputExample(texts=["A man eats.", "Someone eats."], label=0.9)]
        >>> features, labels = model.smart_batching_collate(examples)
        >>> value = loss(features, labels)
    """

    def __init__(
        self, model: nn.Module, loss_fct: nn.Module | None = None, cos_score_transformation: nn.Module | None = None
    ) -> None:
        super().__init__()
        self.model = model
        self.loss_fct = loss_fct if loss_fct is not None else nn.MSELoss()
        self.cos_score_transformation = cos_score_transformation if cos_score_transformation is not None else nn.Identity()

    def forward(self, sentence_features: Iterable[dict[str, Tensor]], labels: Tensor) -> Tensor:
        """Embed both text columns and return the loss against ``labels``."""
        embeddings = [self.model(features)["sentence_embedding"] for features in sentence_features]
        return self.compute_loss_from_embeddings(embeddings, labels)

    def compute_loss_from_embeddings(self, embeddings: list[Tensor], labels: Tensor) -> Tensor:
        """Return the loss of the pair embeddings ``[u, v]`` (each ``[batch, dim]``) against ``labels``."""
        if len(embeddings) != 2:
            raise ValueError(f"CosineSimilarityLoss needs exactly two text columns, got {len(embeddings)}.")
        if labels.numel() != embeddings[0].size(0):
            raise ValueError(
                f"CosineSimilarityLoss needs one label per pair: {embeddings[0].size(0)} pairs, labels of shape {tuple(labels.shape)}."
            )

        similarities = torch.cosine_similarity(embeddings[0], embeddings[1])  # [batch]
        output = self.cos_score_transformation(similarities)
        return self.loss_fct(output, labels.float().view(-1))

    def get_config_dict(self) -> dict[str, Any]:
        """Return the loss hyperparameters."""
        return {"loss_fct": type(self.loss_fct).__name__, "cos_score_transformation": type(self.cos_score_transformation).__name__}
