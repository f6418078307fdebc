"""The reference ``CrossEncoderTrainer``: ``transformers.Trainer`` with a CrossEncoder loss and evaluator.

Everything else (optimizer, schedule, gradient clipping, logging, checkpoint rotation, best-model
tracking) is the Trainer's own. This subclass replaces only what differs for a CrossEncoder: the
loss call, the untokenized batches, the evaluator metrics, and the checkpoint layout.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

import torch
from torch import nn
from torch.utils.data import DataLoader
from transformers import Trainer, TrainerCallback

from .data_collator import CrossEncoderDataCollator
from .losses import BinaryCrossEntropyLoss, CrossEntropyLoss
from .model import CrossEncoder
from .training_args import CrossEncoderTrainingArguments

logger = logging.getLogger(__name__)

TRAINING_ARGS_NAME = "training_args.bin"
# Stand-in eval_dataset for transformers' check that evaluation has data, when the evaluator is the only data.
_EVALUATOR_ONLY = "evaluator-only"


class CrossEncoderTrainer(Trainer):
    """Train a :class:`CrossEncoder` with ``transformers.Trainer`` and a CrossEncoder loss.

    Datasets hold two text columns, in pair order, and optionally a label column named ``label``,
    ``labels``, ``score`` or ``scores``. The loss tokenizes each batch. Evaluation runs the
    ``evaluator`` and reports its metrics with the ``eval_`` prefix, next to ``eval_loss`` when an
    ``eval_dataset`` is given. Checkpoints (``<output_dir>/checkpoint-<step>``) hold the model in
    the folder layout that :class:`CrossEncoder` loads.

    Args:
        model: The CrossEncoder to train.
        args: Training arguments. None uses ``CrossEncoderTrainingArguments(output_dir="tmp_trainer")``.
        train_dataset: A ``datasets.Dataset`` of text pairs and labels.
        eval_dataset: A ``datasets.Dataset`` for the evaluation loss.
        loss: A loss module, or a function that builds one from the model. None uses
            :class:`BinaryCrossEntropyLoss` for one label and :class:`CrossEntropyLoss` otherwise.
        evaluator: Called at every evaluation as ``evaluator(model, output_path, epoch, steps)``.
        callbacks: ``transformers.TrainerCallback`` instances.
        data_collator: Replaces :class:`CrossEncoderDataCollator`.
        optimizers: ``(optimizer, scheduler)`` to use instead of the ones built from ``args``.
        **kwargs: Further keyword arguments of ``transformers.Trainer``.

    Raises:
        ValueError: When ``args`` is not a :class:`CrossEncoderTrainingArguments`, or evaluation
            is scheduled without an ``eval_dataset`` or an ``evaluator``.

    Example:
        >>> args = CrossEncoderTrainingArguments(output_dir="out", num_train_epochs=1)  # doctest: +SKIP
        >>> trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=pairs,
        ...     loss=BinaryCrossEntropyLoss(model))  # doctest: +SKIP
        >>> trainer.train()  # doctest: +SKIP
    """

    def __init__(
        self,
        model: CrossEncoder | None = None,
        args: CrossEncoderTrainingArguments | None = None,
        train_dataset: Any = None,
        eval_dataset: Any = None,
        loss: nn.Module | Callable[[CrossEncoder], nn.Module] | None = None,
        evaluator: Any = None,
        callbacks: list[TrainerCallback] | None = None,
        data_collator: Callable[[list[dict[str, Any]]], dict[str, Any]] | None = None,
        optimizers: tuple[torch.optim.Optimizer | None, Any] = (None, None),
        **kwargs: Any,
    ) -> None:
        if model is None:
            raise ValueError("CrossEncoderTrainer needs a model: pass model=CrossEncoder(...).")
        args = _training_args(args)
        if eval_dataset is None and evaluator is None and args.eval_strategy != "no":
            raise ValueError(
                f"args.eval_strategy is {args.eval_strategy.value!r}, but there is no eval_dataset and no evaluator. "
                "Pass one of them, or set eval_strategy='no'."
            )

        super().__init__(
            model=model,
            args=args,
            data_collator=data_collator or CrossEncoderDataCollator(),
            train_dataset=train_dataset,
            eval_dataset=eval_dataset if eval_dataset is not None or evaluator is None else _EVALUATOR_ONLY,
            callbacks=callbacks,
            optimizers=optimizers,
            **kwargs,
        )
        if self.eval_dataset == _EVALUATOR_ONLY:
            self.eval_dataset = None

        # The losses return only a loss, so evaluation must not wait for logits or labels.
        self.can_return_loss = True
        self.loss = _prepare_loss(loss, model)
        self.evaluator = evaluator

    def _remove_unused_columns(self, dataset: Any, description: str | None = None) -> Any:
        # The text columns are no arguments of the model's forward, but the loss needs them all.
        return dataset

    def _get_collator_with_removed_columns(self, data_collator: Callable, description: str | None = None) -> Callable:
        return data_collator

    def compute_loss(
        self,
        model: nn.Module,
        inputs: dict[str, Any],
        return_outputs: bool = False,
        num_items_in_batch: Any = None,
    ) -> torch.Tensor | tuple[torch.Tensor, dict[str, Any]]:
        """Call the loss with the text columns (in dataset order) and the labels of the batch."""
        inputs = dict(inputs)
        labels = inputs.pop("label", None)
        loss = self.loss(list(inputs.values()), labels)
        return (loss, {}) if return_outputs else loss

    def get_eval_dataloader(self, eval_dataset: Any = None) -> DataLoader:
        """Return the evaluation DataLoader, which is empty when only an evaluator is given."""
        if eval_dataset is None and self.eval_dataset is None and self.evaluator is not None:
            return DataLoader([])
        return super().get_eval_dataloader(eval_dataset)

    def evaluation_loop(
        self,
        dataloader: DataLoader,
        description: str,
        prediction_loss_only: bool | None = None,
        ignore_keys: list[str] | None = None,
        metric_key_prefix: str = "eval",
    ) -> Any:
        """Run transformers' evaluation loop, then the evaluator, and merge its prefixed metrics."""
        output = super().evaluation_loop(
            dataloader,
            description,
            prediction_loss_only=prediction_loss_only,
            ignore_keys=ignore_keys,
            metric_key_prefix=metric_key_prefix,
        )
        if self.evaluator is None:
            return output

        output.metrics.update(self._evaluator_metrics(metric_key_prefix))
        return output

    def _evaluator_metrics(self, prefix: str) -> dict[str, Any]:
        output_path = os.path.join(self.args.output_dir, "eval")
        os.makedirs(output_path, exist_ok=True)
        epoch, steps = self.state.epoch, self.state.global_step
        result = self.evaluator(self.model, output_path=output_path, epoch=epoch, steps=steps)
        if not isinstance(result, dict):
            result = {"evaluator": result}
        return {key if key.startswith(f"{prefix}_") else f"{prefix}_{key}": value for key, value in result.items()}

    def _save(self, output_dir: str | None = None, state_dict: dict[str, Any] | None = None) -> None:
        """Save the CrossEncoder in its own folder layout, plus the training arguments."""
        output_dir = output_dir if output_dir is not None else self.args.output_dir
        logger.info("Saving the CrossEncoder checkpoint to %s", output_dir)
        self.model.save_pretrained(output_dir)
        torch.save(self.args, os.path.join(output_dir, TRAINING_ARGS_NAME))

    def _load_from_checkpoint(self, resume_from_checkpoint: str, model: nn.Module | None = None) -> None:
        """Load the weights of a checkpoint folder into the model being trained."""
        _copy_weights_from_folder(model or self.model, resume_from_checkpoint)

    def _load_best_model(self) -> None:
        """Load the weights of the best checkpoint into the model, for ``load_best_model_at_end``."""
        logger.info(
            "Loading the best model from %s (score: %s).", self.state.best_model_checkpoint, self.state.best_metric
        )
        _copy_weights_from_folder(self.model, self.state.best_model_checkpoint)


def _training_args(args: CrossEncoderTrainingArguments | None) -> CrossEncoderTrainingArguments:
    if args is None:
        return CrossEncoderTrainingArguments(output_dir="tmp_trainer")
    if not isinstance(args, CrossEncoderTrainingArguments):
        raise ValueError(
            f"CrossEncoderTrainer needs args of type CrossEncoderTrainingArguments, got {type(args).__name__}. "
            "Build them with CrossEncoderTrainingArguments(...)."
        )
    return args


def _prepare_loss(loss: nn.Module | Callable[[CrossEncoder], nn.Module] | None, model: CrossEncoder) -> nn.Module:
    if loss is None:
        loss = BinaryCrossEntropyLoss(model) if model.num_labels == 1 else CrossEntropyLoss(model)
        logger.info("No loss given: using %s for num_labels=%d.", type(loss).__name__, model.num_labels)
    elif not isinstance(loss, nn.Module):
        loss = loss(model)
    return loss.to(model.device)


def _copy_weights_from_folder(model: CrossEncoder, folder: str) -> None:
    saved = CrossEncoder(folder, device=str(model.device), trust_remote_code=model.trust_remote_code)
    model.model.load_state_dict(saved.model.state_dict())
