"""The legacy ``CrossEncoder.fit`` training loop of sentence-transformers 3.x.

It is a loop of its own, not a call into the Trainer, so that agreement between ``fit`` and the
Trainer measured on the reference is evidence rather than construction. Upstream 6.3.0 runs
``fit`` through its Trainer and emits no deprecation warning for it, and neither does the
reference.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader
from tqdm.autonotebook import tqdm, trange
from transformers import BatchEncoding

from ..fit_mixin import evaluation_score
from ..legacy import StepRunner, build_optimizer, build_scheduler

if TYPE_CHECKING:
    from .model import CrossEncoder

logger = logging.getLogger(__name__)

EvalCallback = Callable[[float, int, int], Any]


class CrossEncoderFitMixin:
    """The legacy ``fit`` method and its collate function, mixed into :class:`CrossEncoder`."""

    def smart_batching_collate(self: CrossEncoder, batch: list[Any]) -> tuple[BatchEncoding, Tensor]:
        """Tokenize a batch of ``InputExample`` text pairs and stack their labels.

        Texts are stripped, as in 3.x. Labels are float for a single-label model (regression or
        binary targets) and long otherwise (class indices).

        Raises:
            ValueError: When an example does not hold exactly two texts.
        """
        for example in batch:
            if len(example.texts) != 2:
                raise ValueError(
                    f"CrossEncoder.fit needs InputExamples with exactly two texts, got {example.texts!r}."
                )
        firsts = [example.texts[0].strip() for example in batch]
        seconds = [example.texts[1].strip() for example in batch]
        features = self.tokenizer(
            firsts, seconds, padding=True, truncation="longest_first", max_length=self.max_length, return_tensors="pt"
        )

        label_dtype = torch.float if self.num_labels == 1 else torch.long
        labels = torch.tensor([example.label for example in batch], dtype=label_dtype)
        return features.to(self.device), labels.to(self.device)

    def fit(
        self: CrossEncoder,
        train_dataloader: DataLoader,
        evaluator: Any = None,
        epochs: int = 1,
        loss_fct: nn.Module | None = None,
        activation_fct: Callable[[Tensor], Tensor] = nn.Identity(),  # noqa: B008 - the legacy signature's default
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
    ) -> None:
        """Train with the legacy loop of sentence-transformers 3.x.

        Args:
            train_dataloader: DataLoader of ``InputExample`` text pairs. Its ``collate_fn`` is
                replaced by :meth:`smart_batching_collate`.
            evaluator: Called every ``evaluation_steps`` steps within an epoch and at every epoch end.
            epochs: Number of passes over ``train_dataloader``.
            loss_fct: Loss on ``(logits, labels)``. None uses ``nn.BCEWithLogitsLoss()`` for one
                label and ``nn.CrossEntropyLoss()`` otherwise.
            activation_fct: Applied to the logits before the loss.
            scheduler: ``constantlr``, ``warmupconstant``, ``warmuplinear``, ``warmupcosine`` or
                ``warmupcosinewithhardrestarts``, in any case.
            warmup_steps: Steps of linear learning-rate warmup.
            optimizer_class: Optimizer class.
            optimizer_params: Keyword arguments of ``optimizer_class``.
            weight_decay: Weight decay of all parameters except biases and LayerNorm weights.
            evaluation_steps: Evaluate every this many steps within an epoch; 0 evaluates only at
                epoch ends.
            output_path: Folder for the best model. The evaluator writes its CSV there too.
            save_best_model: Save to ``output_path`` whenever the evaluation score improves.
            max_grad_norm: Gradient clipping norm.
            use_amp: Autocast the forward pass, with a GradScaler on CUDA only.
            callback: Called as ``callback(score, epoch, steps)`` after every evaluation.
            show_progress_bar: Show the "Epoch" and "Iteration" tqdm bars.

        Raises:
            ValueError: When ``scheduler`` is not one of the five legacy names.

        Example:
            >>> loader = DataLoader(examples, shuffle=True, batch_size=16)  # doctest: +SKIP
            >>> model.fit(train_dataloader=loader, epochs=1, warmup_steps=100)  # doctest: +SKIP
        """
        train_dataloader.collate_fn = self.smart_batching_collate
        if output_path is not None:
            os.makedirs(output_path, exist_ok=True)

        # 1. Loss, optimizer over the transformer's parameters, and schedule.
        if loss_fct is None:
            loss_fct = nn.BCEWithLogitsLoss() if self.num_labels == 1 else nn.CrossEntropyLoss()
        total_steps = int(len(train_dataloader) * epochs)
        optimizer = build_optimizer(self.model, optimizer_class, optimizer_params, weight_decay)
        schedule = build_scheduler(optimizer, scheduler, warmup_steps, total_steps)
        logger.info("Legacy CrossEncoder.fit: %d epoch(s), %d steps in total", epochs, total_steps)

        # 2. The loop.
        self.best_score = -9999999
        runner = StepRunner(self.device, max_grad_norm, use_amp)
        eval_settings = {
            "evaluator": evaluator,
            "output_path": output_path,
            "save_best_model": save_best_model,
            "callback": callback,
        }
        for epoch in trange(epochs, desc="Epoch", disable=not show_progress_bar):
            self._start_training()
            steps_in_epoch = 0
            batches = tqdm(train_dataloader, desc="Iteration", smoothing=0.05, disable=not show_progress_bar)
            for features, labels in batches:
                compute_loss = self._loss_closure(features, labels, loss_fct, activation_fct)
                runner.step(self.model, compute_loss, optimizer, schedule)
                steps_in_epoch += 1

                if evaluator is not None and evaluation_steps > 0 and steps_in_epoch % evaluation_steps == 0:
                    self._eval_during_training(epoch=epoch, steps=steps_in_epoch, **eval_settings)
                    self._start_training()

            if evaluator is not None:
                self._eval_during_training(epoch=epoch, steps=-1, **eval_settings)

    def _start_training(self: CrossEncoder) -> None:
        self.model.zero_grad()
        self.model.train()

    def _loss_closure(
        self: CrossEncoder,
        features: BatchEncoding,
        labels: Tensor,
        loss_fct: nn.Module,
        activation_fct: Callable[[Tensor], Tensor],
    ) -> Callable[[], Tensor]:
        def compute_loss() -> Tensor:
            logits = activation_fct(self.model(**features, return_dict=True).logits)
            if self.num_labels == 1:
                logits = logits.view(-1)
            return loss_fct(logits, labels)

        return compute_loss

    def _eval_during_training(
        self: CrossEncoder,
        evaluator: Any,
        output_path: str | None,
        save_best_model: bool,
        callback: EvalCallback | None,
        epoch: int,
        steps: int,
    ) -> None:
        """Evaluate, call ``callback``, and save the model to ``output_path`` when the score improved.

        A dict result (from a v4 evaluator) is reduced to its primary metric, as the Trainer-backed
        ``fit`` of 6.3.0 does. A 3.x evaluator returns the float itself.
        """
        score = evaluation_score(evaluator, evaluator(self, output_path=output_path, epoch=epoch, steps=steps))
        logger.info("Evaluation at epoch %d, steps %d: score %.6f", epoch, steps, score)
        if callback is not None:
            callback(score, epoch, steps)

        if score > self.best_score:
            self.best_score = score
            if save_best_model:
                self.save(output_path)
