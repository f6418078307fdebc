"""Pieces shared by the legacy ``fit`` loops of the SentenceTransformer and the CrossEncoder."""

from __future__ import annotations

from .checkpoints import remove_oldest_checkpoints, step_folders
from .optim import build_optimizer, weight_decay_groups
from .schedulers import LEGACY_SCHEDULERS, build_scheduler
from .steps import StepRunner, autocast_dtype

__all__ = [
    "LEGACY_SCHEDULERS",
    "StepRunner",
    "autocast_dtype",
    "build_optimizer",
    "build_scheduler",
    "remove_oldest_checkpoints",
    "step_folders",
    "weight_decay_groups",
]
