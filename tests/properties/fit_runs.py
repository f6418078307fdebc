"""Run one legacy fit call and its translated Trainer call on the reference, in this process.

Both runs start from the same saved model and train MultipleNegativesRankingLoss on the same
triplets, in the same batches. The Trainer runs first, and a data collator records the rows of
every batch it draws. The legacy DataLoader then replays those batches through a batch sampler.
That removes the only randomness the two paths do not share, so with dropout off the runs must
agree within the fp32 tolerance for any arguments, batch size included.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np
import torch

from conformance.artifacts import normalize_parameter_name, state_arrays
from conformance.capture import LossProbe, OptimizerProbe
from conformance.compare.structured import optimizer_view

from .fit_translation import FitCall, translate_fit_arguments


@dataclass
class Run:
    """What one run produced: loss and learning rates per step, optimizer settings, final weights, evaluations."""

    loss: list[float]
    learning_rates: dict[str, list[float]]
    optimizers: list[dict[str, Any]]
    weights: dict[str, np.ndarray]
    evaluations: list[dict[str, Any]] = field(default_factory=list)


class BatchRecorder:
    """A data collator that records each batch as the dataset indices of its rows, then delegates."""

    def __init__(self, collator: Any, anchors: list[str]) -> None:
        self.collator = collator
        self.index = {anchor: position for position, anchor in enumerate(anchors)}
        self.batches: list[list[int]] = []

    def __getattr__(self, name: str) -> Any:
        # The Trainer reads collator settings such as valid_label_columns.
        return getattr(self.collator, name)

    def __call__(self, rows: list[dict[str, Any]]) -> Any:
        self.batches.append([self.index[row["anchor"]] for row in rows])
        return self.collator(rows)


class ReplayBatchSampler:
    """Yield recorded batches, one epoch's worth per pass, as a DataLoader's batch_sampler."""

    def __init__(self, batches: list[list[int]], batches_per_epoch: int) -> None:
        self.epochs = [batches[start : start + batches_per_epoch] for start in range(0, len(batches), batches_per_epoch)]
        self.batches_per_epoch = batches_per_epoch
        self.passes = 0

    def __len__(self) -> int:
        return self.batches_per_epoch

    def __iter__(self) -> Iterator[list[int]]:
        epoch = self.epochs[self.passes]
        self.passes += 1
        return iter(epoch)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def run_new(
    call: FitCall, model_folder: Path, data: dict[str, Any], seed: int, workdir: Path
) -> tuple[Run, list[list[int]]]:
    """Train with the Trainer and the translated arguments; returns the run and the batches it drew."""
    import _st_fit
    from datasets import Dataset

    from reference import SentenceTransformer, SentenceTransformerDataCollator, SentenceTransformerTrainer
    from reference import SentenceTransformerTrainingArguments
    from reference.losses import MultipleNegativesRankingLoss

    seed_everything(seed)
    model = SentenceTransformer(str(model_folder), device="cpu")
    triplets = data["triplets"]
    columns = ("anchor", "positive", "negative")
    dataset = Dataset.from_dict({column: [row[index] for row in triplets] for index, column in enumerate(columns)})
    loss_probe = LossProbe()
    loss = loss_probe.attach(MultipleNegativesRankingLoss(model))
    recorder = BatchRecorder(SentenceTransformerDataCollator(tokenize_fn=model.tokenize), dataset["anchor"])
    log = _st_fit.EvaluationLog()
    evaluator = log.watch(_similarity_evaluator(data)) if call.with_evaluator else None

    args = SentenceTransformerTrainingArguments(
        output_dir=str(workdir / "output"),
        seed=seed,
        report_to="none",
        use_cpu=True,
        disable_tqdm=True,
        save_strategy="no",
        **translate_fit_arguments(call),
    )
    trainer = SentenceTransformerTrainer(
        model=model, args=args, train_dataset=dataset, loss=loss, evaluator=evaluator, data_collator=recorder
    )
    run = _train(trainer.train, model, loss_probe, log)
    return run, recorder.batches


def run_legacy(call: FitCall, model_folder: Path, data: dict[str, Any], seed: int, batches: list[list[int]]) -> Run:
    """Train with the legacy fit, its DataLoader replaying `batches`."""
    import _st_fit
    from torch.utils.data import DataLoader

    from reference import InputExample, SentenceTransformer
    from reference.losses import MultipleNegativesRankingLoss

    seed_everything(seed)
    model = SentenceTransformer(str(model_folder), device="cpu")
    examples = [InputExample(texts=list(triplet)) for triplet in data["triplets"]]
    loader = DataLoader(examples, batch_sampler=ReplayBatchSampler(batches, call.batches_per_epoch))
    loss_probe = LossProbe()
    loss = loss_probe.attach(MultipleNegativesRankingLoss(model))
    log = _st_fit.EvaluationLog(legacy_steps_per_epoch=call.steps_in_epoch)
    evaluator = log.watch(_similarity_evaluator(data)) if call.with_evaluator else None

    def train() -> None:
        model.fit(train_objectives=[(loader, loss)], evaluator=evaluator, show_progress_bar=False, **call.fit_kwargs())

    return _train(train, model, loss_probe, log)


def _train(train: Any, model: Any, loss_probe: LossProbe, log: Any) -> Run:
    optimizer_probe = OptimizerProbe()
    optimizer_probe.install()
    try:
        train()
    finally:
        optimizer_probe.remove()
        loss_probe.detach()

    learning_rates: dict[str, list[float]] = {}
    for step in optimizer_probe.steps:
        for group, value in enumerate(step["lr"]):
            learning_rates.setdefault(f"optimizer {step['optimizer']} group {group}", []).append(value)
    names = {id(parameter): normalize_parameter_name(name) for name, parameter in model.named_parameters()}
    settings = {"optimizers": optimizer_probe.optimizers, "optimizer_groups": optimizer_probe.group_names(names)}
    return Run(
        loss=loss_probe.values.get("loss", []),
        learning_rates=learning_rates,
        optimizers=optimizer_view(settings),
        weights=state_arrays(model.state_dict()),
        evaluations=log.events(),
    )


def _similarity_evaluator(data: dict[str, Any]) -> Any:
    from reference.evaluation import EmbeddingSimilarityEvaluator

    pairs = data["scored_pairs"]
    return EmbeddingSimilarityEvaluator(
        [first for first, _, _ in pairs], [second for _, second, _ in pairs], [score for _, _, score in pairs], name="sts"
    )
