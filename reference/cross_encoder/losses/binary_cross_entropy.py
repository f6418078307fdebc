"""Binary cross-entropy on the single logit of a CrossEncoder."""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from ..model import CrossEncoder
from ._pairs import activation_name, check_label_count, check_model, pair_logits


class BinaryCrossEntropyLoss(nn.Module):
    """Train a single-logit CrossEncoder to score relevant pairs high and irrelevant pairs low.

    The logit of each pair goes through ``activation_fn`` and then ``torch.nn.BCEWithLogitsLoss``
    against a label in [0, 1]. It is the loss the legacy ``CrossEncoder.fit`` used by default for
    a model with one label.

    Args:
        model: The CrossEncoder to train, with ``num_labels=1``.
        activation_fn: Applied to the logits before the loss. The loss already contains the sigmoid,
            so the default ``nn.Identity()`` is usual.
        pos_weight: Weight of the positive class, e.g. ``torch.tensor(4.0)``, forwarded to
            ``BCEWithLogitsLoss``.
        **kwargs: Further keyword arguments of ``torch.nn.BCEWithLogitsLoss``.

    Inputs:
        +-----------------------------------+----------------------------------------+------------+
        | Texts                             | Labels                                 | num_labels |
        +===================================+========================================+============+
        | (query, positive/negative) pairs  | 1 if relevant, 0 if not                | 1          |
        +-----------------------------------+----------------------------------------+------------+
        | (sentence_A, sentence_B) pairs    | float similarity between 0 and 1       | 1          |
        +-----------------------------------+----------------------------------------+------------+

    Relations:
        :class:`MSELoss` regresses the same single logit with a squared error instead.

    Raises:
        ValueError: When the model is not a CrossEncoder with ``num_labels=1``.

    Example:
        >>> from datasets import Dataset  # doctest: +SKIP
        >>> model = CrossEncoder("path/to/model")  # doctest: +SKIP
        >>> train_dataset = Dataset.from_dict({"query": ["What are pandas?"] * 2,
        ...     "answer": ["Pandas are bears.", "Pandas are fish."], "label": [1, 0]})  # doctest: +SKIP
        >>> trainer = CrossEncoderTrainer(model=model, train_dataset=train_dataset,
        ...     loss=BinaryCrossEntropyLoss(model))  # doctest: +SKIP
        >>> trainer.train()  # doctest: +SKIP
    """

    def __init__(
        self,
        model: CrossEncoder,
        activation_fn: nn.Module = nn.Identity(),  # noqa: B008 - mirrors the upstream signature
        pos_weight: Tensor | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        check_model(self, model, single_label=True)
        self.model = model
        self.activation_fn = activation_fn
        self.pos_weight = pos_weight
        self.bce_with_logits_loss = nn.BCEWithLogitsLoss(pos_weight=pos_weight, **kwargs)

    def forward(
        self, inputs: list[list[str]], labels: Tensor, prompt: str | None = None, task: str | None = None
    ) -> Tensor:
        """Return the mean loss of a batch: ``inputs`` are the two text columns, ``labels`` one per pair."""
        logits = pair_logits(self, self.model, inputs, prompt, task).view(-1)  # (batch,)
        logits = self.activation_fn(logits)
        check_label_count(self, labels, logits.shape[0])
        return self.bce_with_logits_loss(logits, labels.view(-1).float())

    def get_config_dict(self) -> dict[str, Any]:
        """Return the loss settings worth recording with a trained model."""
        pos_weight = None if self.pos_weight is None else self.pos_weight.item()
        return {"activation_fn": activation_name(self.activation_fn), "pos_weight": pos_weight}
