"""The legacy ``SentenceTransformer.fit`` training loop of sentence-transformers 2.x.

It is a loop of its own, not a call into the Trainer, so that agreement between ``fit`` and the
Trainer measured on the reference is evidence rather than construction.
"""

from __future__ import annotations

import logging
import os
from typing import Any, Callable, Iterable, Iterator

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader
from tqdm.autonotebook import trange

from .legacy import StepRunner, build_optimizer, build_scheduler, remove_oldest_checkpoints
from .util import batch_to_device

logger = logging.getLogger(__name__)

EvalCallback = Callable[[float, int, int], Any]


def evaluation_score(evaluator: Any, result: Any) -> float:
    """Return the score of one evaluation: the float of a 2.x evaluator, or the primary metric of a dict.

    Raises:
        KeyError: When a dict result lacks the evaluator's ``primary_metric``.
    """
    if not isinstance(result, dict):
        return float(result)

    metric = getattr(evaluator, "primary_metric", None)
    if metric not in result:
        raise KeyError(
            f"Evaluator result has no primary metric {metric!r}; keys are {sorted(result)}. "
            "Set evaluator.primary_metric to one of them."
        )
    return float(result[metric])


class _RoundRobin:
    """Endless batches of several DataLoaders: each one restarts when exhausted."""

    def __init__(self, dataloaders: list[DataLoader]) -> None:
        self.dataloaders = dataloaders
        self.iterators: list[Iterator] = [iter(loader) for loader in dataloaders]

    def next_batch(self, index: int) -> Any:
        try:
            return next(self.iterators[index])
        except StopIteration:
            self.iterators[index] = iter(self.dataloaders[index])
            return next(self.iterators[index])


class FitMixin:
    """The legacy ``fit`` method, mixed into :class:`SentenceTransformer`."""

    def fit(
        self,
        train_objectives: Iterable[tuple[DataLoader, nn.Module]],
        evaluator: Any = None,
        epochs: int = 1,
        steps_per_epoch: int | None = None,
        scheduler: str = "WarmupLinear",
        warmup_steps: int = 10000,
        optimizer_class: type[torch.optim.Optimizer] = torch.optim.AdamW,
        optimizer_params: dict[str, Any] = {"lr": 2e-5},  # noqa: B006 - the legacy signature's default
        weight_decay: float = 0.01,
        evaluation_steps: int = 0,
        output_path: str | None = None,
        save_best_model: bool = True,
        max_grad_norm: float = 1,
        use_amp: bool = False,
        callback: EvalCallback | None = None,
        show_progress_bar: bool = True,
        checkpoint_path: str | None = None,
        checkpoint_save_steps: int = 500,
        checkpoint_save_total_limit: int = 0,
    ) -> None:
        """Train with the legacy loop of sentence-transformers 2.x.

        Args:
            train_objectives: ``(DataLoader, loss)`` pairs; each step takes one batch of every
                objective in turn. Each DataLoader's ``collate_fn`` is replaced by
                :meth:`smart_batching_collate`.
            evaluator: Called every ``evaluation_steps`` steps and at every epoch end.
            epochs: Number of epochs.
            steps_per_epoch: Steps per epoch; ``None`` or 0 uses the shortest DataLoader's length.
            scheduler: ``constantlr``, ``warmupconstant``, ``warmuplinear``, ``warmupcosine`` or
                ``warmupcosinewithhardrestarts``, in any case.
            warmup_steps: Steps of linear learning-rate warmup.
            optimizer_class: Optimizer class, built once per objective.
            optimizer_params: Keyword arguments of ``optimizer_class``.
            weight_decay: Weight decay of all parameters except biases and LayerNorm weights.
            evaluation_steps: Evaluate every this many steps within an epoch; 0 evaluates only at
                epoch ends.
            output_path: Folder for the best model (or the final one without evaluator); the
                evaluator writes into ``<output_path>/eval``.
            save_best_model: Save to ``output_path`` whenever the score improves.
            max_grad_norm: Gradient clipping norm.
            use_amp: Use automatic mixed precision (bfloat16 autocast on CPU).
            callback: Called as ``callback(score, epoch, steps)`` after every evaluation.
            show_progress_bar: Show the "Epoch" and "Iteration" tqdm bars.
            checkpoint_path: Folder for checkpoints ``<checkpoint_path>/<global_step>``.
            checkpoint_save_steps: Save a checkpoint every this many global steps.
            checkpoint_save_total_limit: Keep at most this many checkpoints; 0 keeps all.

        Raises:
            ValueError: When ``scheduler`` is not one of the five legacy names.

        Example:
            >>> loader = DataLoader(examples, shuffle=True, batch_size=16)
            >>> model.fit(train_objectives=[(loader, losses.MultipleNegativesRankingLoss(model))], epochs=1)
        """
        objectives = list(train_objectives)
        dataloaders = [loader for loader, _ in objectives]
        loss_models = [loss for _, loss in objectives]
        for loader in dataloaders:
            loader.collate_fn = self.smart_batching_collate

        # 1. Step counts, optimizers and schedulers.
        device = self.device
        for loss_model in loss_models:
            loss_model.to(device)
        if not steps_per_epoch:
            steps_per_epoch = min(len(loader) for loader in dataloaders)
        total_steps = int(steps_per_epoch * epochs)
        optimizers = [build_optimizer(loss, optimizer_class, optimizer_params, weight_decay) for loss in loss_models]
        schedulers = [build_scheduler(opt, scheduler, warmup_steps, total_steps) for opt in optimizers]
        logger.info(
            "Legacy fit: %d objective(s), %d epoch(s) of %d step(s), %d steps in total",
            len(objectives), epochs, steps_per_epoch, total_steps,
        )

        # 2. The loop.
        self.best_score = -9999999
        runner = StepRunner(device, max_grad_norm, use_amp)
        batches = _RoundRobin(dataloaders)
        global_step = 0
        eval_settings = {
            "evaluator": evaluator,
            "output_path": output_path,
            "save_best_model": save_best_model,
            "callback": callback,
        }

        hide_bars = not show_progress_bar

        for epoch in trange(epochs, desc="Epoch", disable=hide_bars):
            self._start_training(loss_models)
            for step_in_epoch in trange(1, steps_per_epoch + 1, desc="Iteration", smoothing=0.05, disable=hide_bars):
                for index, loss_model in enumerate(loss_models):
                    compute = self._loss_closure(loss_model, batches.next_batch(index), device)
                    runner.step(loss_model, compute, optimizers[index], schedulers[index])
                global_step += 1

                if evaluation_steps > 0 and step_in_epoch % evaluation_steps == 0:
                    self._eval_during_training(epoch=epoch, steps=step_in_epoch, **eval_settings)
                    self._start_training(loss_models)
                checkpoint_due = bool(checkpoint_save_steps) and global_step % checkpoint_save_steps == 0
                if checkpoint_path is not None and checkpoint_due:
                    self._save_checkpoint(checkpoint_path, checkpoint_save_total_limit, global_step)

            self._eval_during_training(epoch=epoch, steps=-1, **eval_settings)

        # 3. Final saves.
        if evaluator is None and output_path is not None:
            self.save(output_path)
        if checkpoint_path is not None:
            self._save_checkpoint(checkpoint_path, checkpoint_save_total_limit, global_step)

    @staticmethod
    def _start_training(loss_models: list[nn.Module]) -> None:
        for loss_model in loss_models:
            loss_model.zero_grad()
            loss_model.train()

    @staticmethod
    def _loss_closure(loss_model: nn.Module, batch: Any, device: torch.device) -> Callable[[], Tensor]:
        features, labels = batch
        features = [batch_to_device(feature, device) for feature in features]
        labels = labels.to(device)
        return lambda: loss_model(features, labels)

    def _eval_during_training(
        self,
        evaluator: Any,
        output_path: str | None,
        save_best_model: bool,
        callback: EvalCallback | None,
        epoch: int,
        steps: int,
    ) -> None:
        """Evaluate, call ``callback``, and save the model to ``output_path`` when the score improved."""
        eval_path = None
        if output_path is not None:
            eval_path = os.path.join(output_path, "eval")
            os.makedirs(eval_path, exist_ok=True)
        if evaluator is None:
            return

        score = evaluation_score(evaluator, evaluator(self, output_path=eval_path, epoch=epoch, steps=steps))
        logger.info("Evaluation at epoch %d, steps %d: score %.6f", epoch, steps, score)
        if callback is not None:
            callback(score, epoch, steps)

        if score > self.best_score:
            self.best_score = score
            if save_best_model and output_path is not None:
                self.save(output_path)

    def _save_checkpoint(self, checkpoint_path: str, total_limit: int | None, global_step: int) -> None:
        self.save(os.path.join(checkpoint_path, str(global_step)))
        remove_oldest_checkpoints(checkpoint_path, total_limit)
