"""Distillation loss: mean squared error between student embeddings and teacher embeddings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import torch
from torch import Tensor, nn


class MSELoss(nn.Module):
    """Mean squared error between the student's sentence embeddings and target embeddings in ``labels``.

    The labels are usually a teacher model's embeddings of the source sentences (multilingual
    knowledge distillation). With several text columns, every column is compared with the same
    labels and the per-column errors are averaged; 3-D labels ``[batch, columns, dim]`` give each
    column its own target instead.

    Args:
        model: The student SentenceTransformer; its embedding size must equal the labels' size.

    Inputs:

    +-----------------------------------+------------------------------------------+
    | Texts                             | Labels                                   |
    +===================================+==========================================+
    | (sentence,)                       | teacher embedding, ``[dim]`` per example |
    +-----------------------------------+------------------------------------------+
    | (sentence_1, sentence_2, ...)     | teacher embedding, ``[dim]`` per example |
    +-----------------------------------+------------------------------------------+

    Relations: :class:`~reference.datasets.ParallelSentencesDataset` produces these inputs.

    Example:
        >>> loss = MSELoss(student)
        >>> examples = [InputExample(texts=["Hallo Welt"], label=teacher.encode("Hello world"))]
        >>> features, labels = student.smart_batching_collate(examples)
        >>> value = loss(features, labels)
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        self.loss_fct = nn.MSELoss()

    def forward(self, sentence_features: Iterable[dict[str, Tensor]], labels: Tensor | None) -> Tensor:
        """Embed every text column and return the mean of the per-column errors against ``labels``."""
        if labels is None:
            raise ValueError("MSELoss needs target embeddings as labels; label each example with its teacher embedding.")
        embeddings = [self.model(features)["sentence_embedding"] for features in sentence_features]
        return self.compute_loss_from_embeddings(embeddings, labels)

    def compute_loss_from_embeddings(self, embeddings: list[Tensor], labels: Tensor) -> Tensor:
        """Return the loss of column embeddings (each ``[batch, dim]``) against 2-D or 3-D ``labels``."""
        targets = _targets_per_column(labels.detach(), len(embeddings))
        losses = [
            self.loss_fct(embedding, target.to(device=embedding.device, dtype=embedding.dtype))
            for embedding, target in zip(embeddings, targets)
        ]
        return torch.stack(losses).mean()

    def get_config_dict(self) -> dict[str, Any]:
        """Return the loss hyperparameters (none)."""
        return {}


def _targets_per_column(labels: Tensor, num_columns: int) -> list[Tensor]:
    if labels.dim() == 2:
        return [labels] * num_columns
    if labels.dim() == 3 and labels.size(1) == num_columns:
        return [labels[:, column] for column in range(num_columns)]
    raise ValueError(
        f"MSELoss labels must be [batch, dim] or [batch, {num_columns}, dim] for {num_columns} text columns, "
        f"got shape {tuple(labels.shape)}."
    )
