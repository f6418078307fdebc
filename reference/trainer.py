"""The SentenceTransformerTrainer: ``transformers.Trainer`` with sentence-transformers losses and data.

The training loop, optimizer and scheduler creation, logging, checkpoint rotation and best-model
tracking are the Trainer's own. This subclass replaces only what differs for embedding models:
the data loaders (text columns, batch samplers, several datasets), the loss call, evaluation with
an evaluator, and saving and loading in the sentence-transformers folder layout.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from typing import Any, Callable

import torch
from torch import Tensor, nn
from torch.utils.data import BatchSampler, ConcatDataset, DataLoader, Dataset, SequentialSampler
from transformers import Trainer, TrainerCallback, TrainingArguments

from . import sampler as samplers
from .data_collator import DATASET_NAME_COLUMN, SentenceTransformerDataCollator, split_features
from .training_args import SentenceTransformerTrainingArguments

logger = logging.getLogger(__name__)

DEFAULT_OUTPUT_DIR = "tmp_trainer"

# Passed to Trainer.__init__ in place of a missing eval_dataset when an evaluator is given: the
# Trainer rejects eval_strategy != "no" without an eval_dataset, but an evaluator alone is enough
# here. The attribute is reset to None right after.
_EVALUATOR_ONLY = "evaluator-only"


class _NamedRows(Dataset):
    """Rows of one dataset of a DatasetDict, each tagged with the dataset's name."""

    def __init__(self, dataset: Any, name: str) -> None:
        self.dataset = dataset
        self.name = name

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return {**self.dataset[int(index)], DATASET_NAME_COLUMN: self.name}


class SentenceTransformerTrainer(Trainer):
    """Train a SentenceTransformer with ``transformers.Trainer``.

    Args:
        model: The SentenceTransformer to train.
        args: Training arguments; ``None`` uses the defaults with ``output_dir="tmp_trainer"``.
            Plain ``TrainingArguments`` are converted.
        train_dataset: A ``datasets.Dataset`` whose columns are texts (in the order the loss
            expects) plus an optional ``label``/``score`` column, or a ``DatasetDict`` of them.
        eval_dataset: Same form; its loss is reported as ``eval_loss``.
        loss: The loss module, or a dict of losses keyed by the dataset names of a DatasetDict.
        evaluator: Called at every evaluation; its metrics are reported with the ``eval_`` prefix.
        data_collator: Defaults to :class:`SentenceTransformerDataCollator` over ``model.tokenize``.
        callbacks: ``TrainerCallback`` instances, as in ``transformers.Trainer``.
        optimizers: ``(optimizer, scheduler)`` to use instead of the ones built from ``args``.
        kwargs: Further ``transformers.Trainer`` arguments.

    Raises:
        ValueError: When ``loss`` is missing, or a DatasetDict has a dataset without a loss.

    Example:
        >>> trainer = SentenceTransformerTrainer(
        ...     model=model, train_dataset=train_dataset, loss=losses.MultipleNegativesRankingLoss(model)
        ... )
        >>> trainer.train()
    """

    def __init__(
        self,
        model: nn.Module | None = None,
        args: TrainingArguments | None = None,
        train_dataset: Any = None,
        eval_dataset: Any = None,
        loss: nn.Module | dict[str, nn.Module] | None = None,
        evaluator: Callable[..., Any] | None = None,
        data_collator: Callable[[list[dict[str, Any]]], dict[str, Any]] | None = None,
        callbacks: list[TrainerCallback] | None = None,
        optimizers: tuple[Any, Any] = (None, None),
        **kwargs: Any,
    ) -> None:
        if model is None:
            raise ValueError("SentenceTransformerTrainer got model=None: pass the SentenceTransformer to train.")
        if loss is None:
            raise ValueError(
                "SentenceTransformerTrainer got loss=None: pass a loss module, e.g. "
                "losses.MultipleNegativesRankingLoss(model); the reference has no default loss."
            )

        args = self._training_args(args)
        self.loss = loss
        self.evaluator = evaluator
        self._check_loss_names(loss, train_dataset)
        if data_collator is None:
            data_collator = SentenceTransformerDataCollator(tokenize_fn=model.tokenize)

        placeholder = _EVALUATOR_ONLY if eval_dataset is None and evaluator is not None else eval_dataset
        super().__init__(
            model=model,
            args=args,
            data_collator=data_collator,
            train_dataset=train_dataset,
            eval_dataset=placeholder,
            callbacks=callbacks,
            optimizers=optimizers,
            **kwargs,
        )
        self.eval_dataset = eval_dataset
        self._move_losses_to(self.args.device)

    @staticmethod
    def _training_args(args: TrainingArguments | None) -> SentenceTransformerTrainingArguments:
        if args is None:
            logger.info("No training arguments passed; using output_dir=%r", DEFAULT_OUTPUT_DIR)
            return SentenceTransformerTrainingArguments(output_dir=DEFAULT_OUTPUT_DIR)
        if isinstance(args, SentenceTransformerTrainingArguments):
            return args

        # Plain TrainingArguments lack the batch-sampler fields; rebuild them with the defaults.
        return SentenceTransformerTrainingArguments(**_init_fields(args))

    @staticmethod
    def _check_loss_names(loss: Any, train_dataset: Any) -> None:
        if not isinstance(loss, dict) or not isinstance(train_dataset, dict):
            return
        missing = [name for name in train_dataset if name not in loss]
        if missing:
            raise ValueError(
                f"No loss for training dataset(s) {missing!r}: the loss dict has keys {sorted(loss)!r}; "
                "add a loss for every dataset name."
            )

    def _move_losses_to(self, device: torch.device) -> None:
        for loss in self._losses():
            loss.to(device)

    def _losses(self) -> list[nn.Module]:
        return list(self.loss.values()) if isinstance(self.loss, dict) else [self.loss]

    def _optimized_module(self) -> nn.Module:
        """Return the module whose parameters are trained: the loss(es), which contain the model.

        A loss may own parameters of its own (e.g. a classifier head), so optimizing the model
        alone would leave them untrained.
        """
        if isinstance(self.loss, dict):
            return nn.ModuleDict(self.loss)
        return self.loss

    def create_optimizer(self, model: nn.Module | None = None) -> torch.optim.Optimizer:
        """Build the optimizer from ``args`` over the parameters of the loss module(s)."""
        return super().create_optimizer(model=model if model is not None else self._optimized_module())

    def compute_loss(
        self,
        model: nn.Module,
        inputs: dict[str, Any],
        return_outputs: bool = False,
        num_items_in_batch: Any = None,
    ) -> Tensor | tuple[Tensor, dict[str, Any]]:
        """Call the loss module with ``(features per text column, labels)``.

        NOTE: the loss calls its own ``loss.model``, not the ``model`` argument. A model that the
        Trainer wraps (DataParallel, DDP) is therefore bypassed, which is harmless on one device.
        """
        loss_module = self._loss_for(inputs.get(DATASET_NAME_COLUMN))
        features = split_features(inputs)
        loss = loss_module(features, inputs.get("label"))
        return (loss, {}) if return_outputs else loss

    def _loss_for(self, dataset_name: str | None) -> nn.Module:
        if not isinstance(self.loss, dict):
            return self.loss
        if dataset_name not in self.loss:
            raise ValueError(
                f"No loss for dataset {dataset_name!r}: the loss dict has keys {sorted(self.loss)!r}; "
                "pass a DatasetDict whose names match the loss dict."
            )
        return self.loss[dataset_name]

    def prediction_step(
        self,
        model: nn.Module,
        inputs: dict[str, Any],
        prediction_loss_only: bool,
        ignore_keys: list[str] | None = None,
    ) -> tuple[Tensor | None, None, None]:
        """Return the evaluation loss of one batch; embeddings are not gathered."""
        inputs = self._prepare_inputs(inputs)
        with torch.no_grad():
            loss = self.compute_loss(model, inputs)
        return loss.detach(), None, None

    def evaluation_loop(
        self,
        dataloader: DataLoader,
        description: str,
        prediction_loss_only: bool | None = None,
        ignore_keys: list[str] | None = None,
        metric_key_prefix: str = "eval",
    ) -> Any:
        """Run the eval-dataset loss loop, then add the evaluator's metrics to its output."""
        output = super().evaluation_loop(
            dataloader,
            description,
            prediction_loss_only=prediction_loss_only,
            ignore_keys=ignore_keys,
            metric_key_prefix=metric_key_prefix,
        )
        prefix = metric_key_prefix
        if self.evaluator is None:
            return output

        # With several eval datasets this loop runs once per dataset. The evaluator runs only with
        # the first one, and its metrics keep the plain "eval" prefix.
        if isinstance(self.eval_dataset, dict) and prefix.startswith("eval_"):
            if prefix != f"eval_{next(iter(self.eval_dataset))}":
                return output
            prefix = "eval"

        output.metrics.update(self._evaluator_metrics(prefix))
        return output

    def _evaluator_metrics(self, prefix: str) -> dict[str, float]:
        eval_path = os.path.join(self.args.output_dir, "eval")
        os.makedirs(eval_path, exist_ok=True)
        result = self.evaluator(self.model, output_path=eval_path, epoch=self.state.epoch, steps=self.state.global_step)
        if not isinstance(result, dict):
            result = {"evaluator": result}

        return {key if key.startswith(f"{prefix}_") else f"{prefix}_{key}": value for key, value in result.items()}

    def get_train_dataloader(self) -> DataLoader:
        """Build the training DataLoader with the batch sampler(s) selected in ``args``."""
        if self.train_dataset is None:
            raise ValueError("SentenceTransformerTrainer.train() needs a train_dataset.")

        # Padding short datasets to equal batch counts per process would duplicate rows.
        self.accelerator.even_batches = False
        loader = self._build_dataloader(self.train_dataset, self._train_batch_size, shuffle=True)
        return self.accelerator.prepare(loader)

    def get_eval_dataloader(self, eval_dataset: Any = None) -> DataLoader:
        """Build an evaluation DataLoader; without any eval dataset, an empty one for the evaluator."""
        if isinstance(eval_dataset, str):
            eval_dataset = self.eval_dataset[eval_dataset]
        dataset = eval_dataset if eval_dataset is not None else self.eval_dataset
        if dataset is None:
            if self.evaluator is not None:
                return DataLoader([])
            raise ValueError("Evaluation needs an eval_dataset or an evaluator; pass one to SentenceTransformerTrainer.")

        self.accelerator.even_batches = True
        loader = self._build_dataloader(dataset, self.args.eval_batch_size, shuffle=False)
        return self.accelerator.prepare(loader)

    def _build_dataloader(self, dataset: Any, batch_size: int, shuffle: bool) -> DataLoader:
        generator = torch.Generator()
        generator.manual_seed(self.args.seed)

        if isinstance(dataset, dict):
            named = [_NamedRows(part, name) for name, part in dataset.items()]
            dataset = ConcatDataset(named)
            parts = [self._batch_sampler(part, batch_size, shuffle, generator) for part in named]
            multi_class = samplers.multi_dataset_batch_sampler_class(self.args.multi_dataset_batch_sampler)
            batch_sampler = multi_class(dataset, parts, generator=generator, seed=self.args.seed)
        else:
            batch_sampler = self._batch_sampler(dataset, batch_size, shuffle, generator)

        return DataLoader(
            dataset,
            batch_sampler=batch_sampler,
            collate_fn=self.data_collator,
            num_workers=self.args.dataloader_num_workers,
            # Pinning needs an accelerator; asking for it on CPU only makes torch warn.
            pin_memory=self.args.dataloader_pin_memory and torch.cuda.is_available(),
        )

    def _batch_sampler(self, dataset: Any, batch_size: int, shuffle: bool, generator: torch.Generator) -> Any:
        drop_last = self.args.dataloader_drop_last
        if not shuffle:
            return BatchSampler(SequentialSampler(dataset), batch_size=batch_size, drop_last=drop_last)

        sampler_class = samplers.batch_sampler_class(self.args.batch_sampler)
        label_columns = getattr(self.data_collator, "valid_label_columns", None)
        return sampler_class(
            dataset,
            batch_size=batch_size,
            drop_last=drop_last,
            valid_label_columns=label_columns,
            generator=generator,
            seed=self.args.seed,
        )

    def _save(self, output_dir: str | None = None, state_dict: dict[str, Tensor] | None = None) -> None:
        """Save the model in the sentence-transformers layout at the root of ``output_dir``."""
        output_dir = output_dir if output_dir is not None else self.args.output_dir
        os.makedirs(output_dir, exist_ok=True)
        self.model.save_pretrained(output_dir)
        torch.save(self.args, os.path.join(output_dir, "training_args.bin"))

    def _load_from_checkpoint(self, resume_from_checkpoint: str, model: nn.Module | None = None) -> None:
        """Copy the weights of a checkpoint saved by :meth:`_save` into the trained model object."""
        from .model import SentenceTransformer

        loaded = SentenceTransformer(resume_from_checkpoint, device="cpu")
        self.model.load_state_dict(loaded.state_dict())
        logger.info("Loaded model weights from %s", resume_from_checkpoint)

    def _load_best_model(self) -> None:
        """Restore the best checkpoint's weights into ``self.model`` (the same object)."""
        logger.info("Loading best model from %s (score: %s)", self.state.best_model_checkpoint, self.state.best_metric)
        self._load_from_checkpoint(self.state.best_model_checkpoint)


def _init_fields(args: TrainingArguments) -> dict[str, Any]:
    """Return the constructor arguments that rebuild ``args`` as SentenceTransformerTrainingArguments."""
    names = [item.name for item in dataclasses.fields(TrainingArguments) if item.init]
    return {name: getattr(args, name) for name in names if hasattr(args, name)}
