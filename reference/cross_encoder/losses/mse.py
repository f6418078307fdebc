"""Mean squared error on the single logit of a CrossEncoder."""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from ..model import CrossEncoder
from ._pairs import activation_name, check_label_count, check_model, pair_logits


class MSELoss(nn.Module):
    """Regress the single logit of a CrossEncoder onto a float target with a squared error.

    Typical targets are similarity scores, or the scores of a teacher CrossEncoder for
    distillation. The logit goes through ``activation_fn`` first, e.g. ``nn.Sigmoid()`` to fit
    targets in [0, 1].

    Args:
        model: The CrossEncoder to train, with ``num_labels=1``.
        activation_fn: Applied to the logits before the loss.
        **kwargs: Further keyword arguments of ``torch.nn.MSELoss``.

    Inputs:
        +--------------------------------+------------------------------+------------+
        | Texts                          | Labels                       | num_labels |
        +================================+==============================+============+
        | (sentence_A, sentence_B) pairs | float similarity score       | 1          |
        +--------------------------------+------------------------------+------------+
        | (query, passage) pairs         | teacher CrossEncoder score   | 1          |
        +--------------------------------+------------------------------+------------+

    Relations:
        :class:`BinaryCrossEntropyLoss` fits the same logit with a cross-entropy instead.

    Raises:
        ValueError: When the model is not a CrossEncoder with ``num_labels=1``.

    Example:
        >>> loss = MSELoss(model, activation_fn=torch.nn.Sigmoid())  # doctest: +SKIP
        >>> trainer = CrossEncoderTrainer(model=model, train_dataset=stsb_pairs, loss=loss)  # doctest: +SKIP
        >>> trainer.train()  # doctest: +SKIP
    """

    def __init__(
        self,
        model: CrossEncoder,
        activation_fn: nn.Module = nn.Identity(),  # noqa: B008 - mirrors the upstream signature
        **kwargs: Any,
    ) -> None:
        super().__init__()
        check_model(self, model, single_label=True)
        self.model = model
        self.activation_fn = activation_fn
        self.loss_fct = nn.MSELoss(**kwargs)

    def forward(
        self, inputs: list[list[str]], labels: Tensor, prompt: str | None = None, task: str | None = None
    ) -> Tensor:
        """Return the mean loss of a batch: ``inputs`` are the two text columns, ``labels`` one per pair."""
        logits = pair_logits(self, self.model, inputs, prompt, task).view(-1)  # (batch,)
        logits = self.activation_fn(logits)
        check_label_count(self, labels, logits.shape[0])
        return self.loss_fct(logits, labels.view(-1).detach().float())

    def get_config_dict(self) -> dict[str, Any]:
        """Return the loss settings worth recording with a trained model."""
        return {"activation_fn": activation_name(self.activation_fn)}
