"""Optimizer construction of the legacy ``fit`` loops: two weight-decay parameter groups."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

# Parameters whose name contains one of these get no weight decay, as in the legacy ``fit``.
NO_DECAY_MARKERS = ("bias", "LayerNorm.bias", "LayerNorm.weight")


def weight_decay_groups(module: nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """Split ``module.named_parameters()`` into a decayed group and a group with no decay.

    Args:
        module: The module to train; for the SentenceTransformer it is the loss module, so a
            loss's own parameters are trained too.
        weight_decay: Weight decay of the first group; the second group gets 0.

    Returns:
        Two parameter groups in the form ``torch.optim`` optimizers accept: first the parameters
        whose name contains none of ``bias``, ``LayerNorm.bias`` and ``LayerNorm.weight``, then
        those whose name contains one.

    Example:
        >>> groups = weight_decay_groups(loss_model, weight_decay=0.01)
        >>> optimizer = torch.optim.AdamW(groups, lr=2e-5)
    """
    named = list(module.named_parameters())
    decayed = [param for name, param in named if not _is_no_decay(name)]
    not_decayed = [param for name, param in named if _is_no_decay(name)]

    return [
        {"params": decayed, "weight_decay": weight_decay},
        {"params": not_decayed, "weight_decay": 0.0},
    ]


def build_optimizer(
    module: nn.Module,
    optimizer_class: type[torch.optim.Optimizer],
    optimizer_params: dict[str, Any],
    weight_decay: float,
) -> torch.optim.Optimizer:
    """Build ``optimizer_class`` over the two weight-decay groups of ``module``.

    Args:
        module: The module whose parameters are optimized.
        optimizer_class: A ``torch.optim.Optimizer`` subclass, e.g. ``torch.optim.AdamW``.
        optimizer_params: Keyword arguments for ``optimizer_class``, e.g. ``{"lr": 2e-5}``.
        weight_decay: Weight decay of the decayed group.

    Example:
        >>> optimizer = build_optimizer(loss_model, torch.optim.AdamW, {"lr": 2e-5}, 0.01)
    """
    groups = weight_decay_groups(module, weight_decay)
    return optimizer_class(groups, **optimizer_params)


def _is_no_decay(name: str) -> bool:
    return any(marker in name for marker in NO_DECAY_MARKERS)
