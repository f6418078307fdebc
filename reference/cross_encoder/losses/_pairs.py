"""Steps shared by the CrossEncoder losses: checks on the model and the batch, and the pair logits."""

from __future__ import annotations

from typing import Any

from torch import Tensor, nn

from ..model import CrossEncoder


def check_model(loss: nn.Module, model: Any, single_label: bool) -> None:
    """Raise unless ``model`` is a CrossEncoder whose label count fits ``loss``.

    Raises:
        ValueError: For another model type, or a label count the loss cannot train.
    """
    name = type(loss).__name__
    if not isinstance(model, CrossEncoder):
        raise ValueError(f"{name} needs a CrossEncoder model, got an object of type {type(model).__name__}.")

    if single_label and model.num_labels != 1:
        raise ValueError(
            f"{name} needs a CrossEncoder with num_labels=1, but the model has num_labels={model.num_labels}. "
            "Load it with num_labels=1, or use CrossEntropyLoss for several classes."
        )
    if not single_label and model.num_labels < 2:
        raise ValueError(
            f"{name} needs a CrossEncoder with num_labels >= 2 (one logit per class), but the model has "
            f"num_labels={model.num_labels}. Use BinaryCrossEntropyLoss or MSELoss for a single-label model."
        )


def pair_logits(
    loss: nn.Module, model: CrossEncoder, inputs: list[list[str]], prompt: str | None, task: str | None
) -> Tensor:
    """Tokenize the two text columns as pairs and return the logits, shape (batch, num_labels).

    Raises:
        ValueError: When ``inputs`` does not hold exactly two columns, or a prompt or task is given.
    """
    name = type(loss).__name__
    # NOTE: upstream 6.3.0 prepends prompts and routes tasks inside model.preprocess. The reference
    # CrossEncoder has neither, so it rejects them instead of ignoring them.
    if prompt is not None or task is not None:
        raise ValueError(f"{name} of the reference supports no prompt or task, got prompt={prompt!r}, task={task!r}.")
    if len(inputs) != 2:
        raise ValueError(
            f"{name} needs a dataset with two text columns (besides the label), but the batch has {len(inputs)}."
        )

    features = model.preprocess(list(zip(inputs[0], inputs[1]))).to(model.device)
    return model(features)["scores"]


def check_label_count(loss: nn.Module, labels: Tensor, batch_size: int) -> None:
    """Raise unless there is exactly one label per pair."""
    if labels.numel() != batch_size:
        raise ValueError(
            f"{type(loss).__name__} needs one label per pair ({batch_size}), got {labels.numel()} labels "
            f"of shape {tuple(labels.shape)}."
        )


def activation_name(activation_fn: Any) -> str:
    """Return the dotted class path of an activation, for ``get_config_dict``."""
    target = type(activation_fn)
    return f"{target.__module__}.{target.__qualname__}"
