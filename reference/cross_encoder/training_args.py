"""Training arguments of the CrossEncoderTrainer."""

from __future__ import annotations

from dataclasses import dataclass

from transformers import TrainingArguments


@dataclass
class CrossEncoderTrainingArguments(TrainingArguments):
    """``transformers.TrainingArguments`` for :class:`CrossEncoderTrainer`.

    The Trainer's own defaults are kept: learning rate 5e-5, weight decay 0, no warmup and a linear
    schedule. They differ from the legacy ``fit`` defaults (2e-5, 0.01, 10000 warmup steps) on
    purpose. Evaluation reports only the loss and the evaluator's metrics, so
    ``prediction_loss_only`` is always set.

    Args:
        output_dir: Folder of the ``checkpoint-<step>`` folders.
        All other arguments are those of ``transformers.TrainingArguments``.

    Example:
        >>> args = CrossEncoderTrainingArguments(output_dir="out", learning_rate=2e-5, warmup_steps=100)
    """

    def __post_init__(self) -> None:
        super().__post_init__()
        # The losses return no logits, so there is nothing but the loss to gather during evaluation.
        self.prediction_loss_only = True
