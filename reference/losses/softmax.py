"""Classification loss over a pair representation, with a trainable linear classifier (SBERT's NLI objective)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import torch
from torch import Tensor, nn

logger = logging.getLogger(__name__)


class SoftmaxLoss(nn.Module):
    """Cross-entropy of a linear classifier applied to ``[u, v, |u - v|]`` of a sentence pair.

    The classifier is a parameter of the loss, so the legacy ``fit`` (which optimizes each loss
    module's parameters) trains it together with the model. Which vectors are concatenated is set
    by the three ``concatenation_*`` flags.

    Args:
        model: The SentenceTransformer to train.
        sentence_embedding_dimension: Size of the model's sentence embedding.
        num_labels: Number of classes.
        concatenation_sent_rep: Include ``u`` and ``v``.
        concatenation_sent_difference: Include ``|u - v|``.
        concatenation_sent_multiplication: Include ``u * v``.
        loss_fct: Loss between the logits ``[batch, num_labels]`` and the labels; cross-entropy by default.
        embedding_dimension: Name of ``sentence_embedding_dimension`` in later releases; give one of the two.

    Inputs:

    +--------------------------+--------------------------------+
    | Texts                    | Labels                         |
    +==========================+================================+
    | (sentence_A, sentence_B) | class index in [0, num_labels) |
    +--------------------------+--------------------------------+

    Raises:
        ValueError: when no concatenation flag is set or the embedding size is missing.

    Example:
        >>> loss = SoftmaxLoss(model, model.get_sentence_embedding_dimension(), num_labels=3)
        >>> examples = [InputExample(texts=["A man eats.", "Nobody eats."], label=2)]
        >>> features, labels = model.smart_batching_collate(examples)
        >>> value = loss(features, labels)
    """

    def __init__(
        self,
        model: nn.Module,
        sentence_embedding_dimension: int | None = None,
        num_labels: int | None = None,
        concatenation_sent_rep: bool = True,
        concatenation_sent_difference: bool = True,
        concatenation_sent_multiplication: bool = False,
        loss_fct: nn.Module | None = None,
        embedding_dimension: int | None = None,
    ) -> None:
        super().__init__()
        dimension = sentence_embedding_dimension if sentence_embedding_dimension is not None else embedding_dimension
        if dimension is None or num_labels is None:
            raise ValueError(
                f"SoftmaxLoss needs sentence_embedding_dimension and num_labels, got {dimension!r} and {num_labels!r}."
            )

        self.model = model
        self.num_labels = num_labels
        self.concatenation_sent_rep = concatenation_sent_rep
        self.concatenation_sent_difference = concatenation_sent_difference
        self.concatenation_sent_multiplication = concatenation_sent_multiplication
        num_vectors = 2 * concatenation_sent_rep + concatenation_sent_difference + concatenation_sent_multiplication
        if num_vectors == 0:
            raise ValueError("SoftmaxLoss needs at least one of the concatenation_sent_* flags set to True.")

        logger.info("SoftmaxLoss: %d vectors concatenated", num_vectors)
        self.classifier = nn.Linear(num_vectors * dimension, num_labels, device=_device_of(model))
        self.loss_fct = loss_fct if loss_fct is not None else nn.CrossEntropyLoss()

    def forward(
        self, sentence_features: Iterable[dict[str, Tensor]], labels: Tensor | None
    ) -> Tensor | tuple[list[Tensor], Tensor]:
        """Return the loss, or ``(embeddings, logits)`` when ``labels`` is None."""
        embeddings = [self.model(features)["sentence_embedding"] for features in sentence_features]
        if len(embeddings) != 2:
            raise ValueError(f"SoftmaxLoss needs exactly two text columns, got {len(embeddings)}.")

        logits = self.classifier(self._pair_features(*embeddings))  # [batch, num_labels]
        if labels is None:
            return embeddings, logits
        return self.loss_fct(logits, labels.view(-1))

    def _pair_features(self, rep_a: Tensor, rep_b: Tensor) -> Tensor:
        vectors = []
        if self.concatenation_sent_rep:
            vectors += [rep_a, rep_b]
        if self.concatenation_sent_difference:
            vectors.append(torch.abs(rep_a - rep_b))
        if self.concatenation_sent_multiplication:
            vectors.append(rep_a * rep_b)
        return torch.cat(vectors, dim=1).to(self.classifier.weight.dtype)  # [batch, num_vectors * dim]

    def get_config_dict(self) -> dict[str, Any]:
        """Return the loss hyperparameters."""
        return {
            "num_labels": self.num_labels,
            "concatenation_sent_rep": self.concatenation_sent_rep,
            "concatenation_sent_difference": self.concatenation_sent_difference,
            "concatenation_sent_multiplication": self.concatenation_sent_multiplication,
        }


def _device_of(model: nn.Module) -> torch.device:
    device = getattr(model, "device", None)
    if device is not None:
        return torch.device(device)
    return next(model.parameters(), torch.empty(0)).device
