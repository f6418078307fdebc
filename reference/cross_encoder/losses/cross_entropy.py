"""Cross-entropy over the class logits of a multi-label CrossEncoder."""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from ..model import CrossEncoder
from ._pairs import activation_name, check_model, pair_logits


class CrossEntropyLoss(nn.Module):
    """Train a CrossEncoder with one logit per class to predict the class index of each pair.

    The logits go through ``activation_fn`` and then ``torch.nn.CrossEntropyLoss``. It is the loss
    the legacy ``CrossEncoder.fit`` used by default for a model with several labels, e.g. natural
    language inference with contradiction, entailment and neutral.

    Args:
        model: The CrossEncoder to train, with ``num_labels >= 2``.
        activation_fn: Applied to the logits before the loss.
        **kwargs: Further keyword arguments of ``torch.nn.CrossEntropyLoss``.

    Inputs:
        +--------------------------------+---------------------+------------------------+
        | Texts                          | Labels              | num_labels             |
        +================================+=====================+========================+
        | (sentence_A, sentence_B) pairs | class index (int)   | number of classes      |
        +--------------------------------+---------------------+------------------------+

    Relations:
        :class:`BinaryCrossEntropyLoss` is the single-logit counterpart for two classes.

    Raises:
        ValueError: When the model is not a CrossEncoder with at least two labels.

    Example:
        >>> model = CrossEncoder("path/to/model", num_labels=3)  # doctest: +SKIP
        >>> loss = CrossEntropyLoss(model)  # doctest: +SKIP
        >>> trainer = CrossEncoderTrainer(model=model, train_dataset=nli_pairs, loss=loss)  # doctest: +SKIP
        >>> trainer.train()  # doctest: +SKIP
    """

    def __init__(
        self,
        model: CrossEncoder,
        activation_fn: nn.Module = nn.Identity(),  # noqa: B008 - mirrors the upstream signature
        **kwargs: Any,
    ) -> None:
        super().__init__()
        check_model(self, model, single_label=False)
        self.model = model
        self.activation_fn = activation_fn
        self.ce_loss = nn.CrossEntropyLoss(**kwargs)

    def forward(
        self, inputs: list[list[str]], labels: Tensor, prompt: str | None = None, task: str | None = None
    ) -> Tensor:
        """Return the mean loss of a batch: ``inputs`` are the two text columns, ``labels`` class indices."""
        logits = self.activation_fn(pair_logits(self, self.model, inputs, prompt, task))  # (batch, num_labels)
        if not labels.is_floating_point() and labels.shape == (logits.shape[0], 1):
            labels = labels.view(-1)
        return self.ce_loss(logits, labels)

    def get_config_dict(self) -> dict[str, Any]:
        """Return the loss settings worth recording with a trained model."""
        return {"activation_fn": activation_name(self.activation_fn)}
