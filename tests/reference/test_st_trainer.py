"""SentenceTransformerTrainer: data, loss, evaluation, checkpoints and the migration-guide arguments."""

from __future__ import annotations

import os

import pytest
import torch
from datasets import Dataset, DatasetDict
from st_tiny_models import RecordingEvaluator, TRIPLETS, max_abs_weight_difference, triplet_dataset
from transformers import TrainerCallback, TrainingArguments

from reference.data_collator import split_features
from reference import (
    MultiDatasetBatchSamplers,
    SentenceTransformer,
    SentenceTransformerDataCollator,
    SentenceTransformerTrainer,
    SentenceTransformerTrainingArguments,
    losses,
)


def training_args(tmp_path, **kwargs) -> SentenceTransformerTrainingArguments:
    defaults = {
        "output_dir": str(tmp_path / "out"),
        "per_device_train_batch_size": 2,
        "learning_rate": 1e-3,
        "report_to": "none",
        "disable_tqdm": True,
        "save_strategy": "no",
        "seed": 1,
    }
    return SentenceTransformerTrainingArguments(**{**defaults, **kwargs})


def make_trainer(model, args, **kwargs) -> SentenceTransformerTrainer:
    kwargs.setdefault("train_dataset", triplet_dataset())
    kwargs.setdefault("loss", losses.MultipleNegativesRankingLoss(model))
    return SentenceTransformerTrainer(model=model, args=args, **kwargs)


def full_batch_loss(model) -> float:
    collator = SentenceTransformerDataCollator(tokenize_fn=model.tokenize)
    batch = collator(list(triplet_dataset()))
    loss = losses.MultipleNegativesRankingLoss(model)
    with torch.no_grad():
        return loss(split_features(batch), None).item()


def test_trainer_reduces_loss(model, tmp_path):
    before = full_batch_loss(model)

    make_trainer(model, training_args(tmp_path, num_train_epochs=5, per_device_train_batch_size=8)).train()

    assert full_batch_loss(model) < before


def test_trainer_default_args(model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    trainer = make_trainer(model, None)

    assert trainer.args.output_dir == "tmp_trainer"
    assert trainer.args.learning_rate == 5e-5
    assert trainer.args.weight_decay == 0.0
    assert trainer.args.warmup_steps == 0


def test_trainer_plain_training_arguments(model, tmp_path):
    args = TrainingArguments(output_dir=str(tmp_path), learning_rate=3e-4, report_to="none")

    trainer = make_trainer(model, args)

    assert isinstance(trainer.args, SentenceTransformerTrainingArguments)
    assert trainer.args.learning_rate == 3e-4


def test_trainer_requires_loss(model, tmp_path):
    with pytest.raises(ValueError, match="loss"):
        SentenceTransformerTrainer(model=model, args=training_args(tmp_path), train_dataset=triplet_dataset())


def test_collator_columns_and_labels(model):
    collator = SentenceTransformerDataCollator(tokenize_fn=model.tokenize)

    batch = collator([{"text": "a man", "other": "a dog", "score": 0.5}, {"text": "a cat", "other": "a car", "score": 1.0}])

    assert [key for key in batch if key.endswith("_input_ids")] == ["text_input_ids", "other_input_ids"]
    assert batch["label"].tolist() == [0.5, 1.0]
    assert "score_input_ids" not in batch


def test_trainer_evaluator_without_eval_dataset(model, tmp_path):
    evaluator = RecordingEvaluator([0.3], as_dict=True)
    args = training_args(tmp_path, eval_strategy="steps", eval_steps=2, max_steps=4)

    trainer = make_trainer(model, args, evaluator=evaluator)
    trainer.train()
    metrics = trainer.evaluate()

    assert [call["steps"] for call in evaluator.calls] == [2, 4, 4]
    assert metrics["eval_tiny_score"] == 0.3
    assert "eval_loss" not in metrics


def test_trainer_eval_dataset_loss(model, tmp_path):
    trainer = make_trainer(model, training_args(tmp_path), eval_dataset=triplet_dataset())

    metrics = trainer.evaluate()

    assert metrics["eval_loss"] > 0


def test_trainer_float_evaluator(model, tmp_path):
    trainer = make_trainer(model, training_args(tmp_path), evaluator=RecordingEvaluator([0.7]))

    assert trainer.evaluate()["eval_evaluator"] == 0.7


class EvaluateRecorder(TrainerCallback):
    """Callback that stores the metrics and global step of every evaluation."""

    def __init__(self) -> None:
        self.events: list[tuple[int, dict]] = []

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        self.events.append((state.global_step, dict(metrics)))


def test_trainer_on_evaluate_callback(model, tmp_path):
    recorder = EvaluateRecorder()
    args = training_args(tmp_path, eval_strategy="steps", eval_steps=2, max_steps=4)

    make_trainer(model, args, evaluator=RecordingEvaluator([0.1, 0.2], as_dict=True), callbacks=[recorder]).train()

    assert [step for step, _ in recorder.events] == [2, 4]
    assert [metrics["eval_tiny_score"] for _, metrics in recorder.events] == [0.1, 0.2]


def test_trainer_checkpoints_in_st_layout(model, tmp_path):
    args = training_args(tmp_path, save_strategy="steps", save_steps=2, save_total_limit=2, max_steps=6)

    make_trainer(model, args).train()
    out = tmp_path / "out"

    assert sorted(os.listdir(out)) == ["checkpoint-4", "checkpoint-6"]
    assert (out / "checkpoint-6" / "modules.json").exists()
    assert (out / "checkpoint-6" / "1_Pooling" / "config.json").exists()
    reloaded = SentenceTransformer(str(out / "checkpoint-6"), device="cpu")
    assert max_abs_weight_difference(reloaded, model) == 0.0


@pytest.mark.parametrize("metric_name", ["tiny_score", "eval_tiny_score"])
def test_trainer_load_best_model(model, tmp_path, metric_name):
    snapshots = {}

    class Snapshot(TrainerCallback):
        def on_evaluate(self, args, state, control, **kwargs):
            snapshots[state.global_step] = {name: value.clone() for name, value in model.state_dict().items()}

    args = training_args(
        tmp_path,
        eval_strategy="steps",
        eval_steps=1,
        save_strategy="steps",
        save_steps=1,
        max_steps=3,
        load_best_model_at_end=True,
        metric_for_best_model=metric_name,
    )
    trainer = make_trainer(model, args, evaluator=RecordingEvaluator([0.2, 0.9, 0.4], as_dict=True), callbacks=[Snapshot()])
    trainer.train()

    assert trainer.model is model
    assert trainer.state.best_model_checkpoint.endswith("checkpoint-2")
    state = model.state_dict()
    assert all(torch.equal(state[name], snapshots[2][name]) for name in state)


def test_trainer_max_steps(model, tmp_path):
    trainer = make_trainer(model, training_args(tmp_path, max_steps=3, num_train_epochs=10))

    trainer.train()

    assert trainer.state.global_step == 3


def test_trainer_optim_adamw_torch(model, tmp_path):
    trainer = make_trainer(model, training_args(tmp_path, optim="adamw_torch", adam_epsilon=1e-7, max_steps=1))

    trainer.train()

    assert isinstance(trainer.optimizer.optimizer, torch.optim.AdamW)
    assert trainer.optimizer.param_groups[0]["eps"] == 1e-7
    assert trainer.optimizer.param_groups[0]["fused"] in (None, False)


def test_trainer_optim_args_dict_rejected(model, tmp_path):
    # transformers 5.25 parses optim_args as a "key=value,..." string, so the dict form fails
    # when the optimizer is built, in upstream sentence-transformers 6.3.0 as well.
    trainer = make_trainer(model, training_args(tmp_path, optim="adamw_torch", optim_args={"eps": 1e-7}, max_steps=1))

    with pytest.raises(AttributeError, match="replace"):
        trainer.train()


def test_trainer_bf16_cpu(model, tmp_path):
    before = full_batch_loss(model)

    # transformers 5.25 accepts bf16 without a GPU only together with use_cpu=True.
    make_trainer(model, training_args(tmp_path, bf16=True, use_cpu=True, num_train_epochs=5, per_device_train_batch_size=8)).train()

    assert full_batch_loss(model) < before


def test_trainer_bf16_cpu_needs_use_cpu(tmp_path):
    with pytest.raises(ValueError, match="use_cpu"):
        training_args(tmp_path, bf16=True)


def test_trainer_fp16_cpu(model, tmp_path):
    before = full_batch_loss(model)

    make_trainer(model, training_args(tmp_path, fp16=True, num_train_epochs=5, per_device_train_batch_size=8)).train()

    assert full_batch_loss(model) < before


def test_trainer_loss_parameters_optimized(model, tmp_path):
    class ScaledLoss(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model
            self.inner = losses.MultipleNegativesRankingLoss(model)
            self.temperature = torch.nn.Parameter(torch.ones(()))

        def forward(self, features, labels):
            return self.inner(features, labels) * self.temperature

    loss = ScaledLoss()
    make_trainer(model, training_args(tmp_path, max_steps=2), loss=loss).train()

    assert loss.temperature.item() != 1.0


def two_datasets() -> DatasetDict:
    pairs = Dataset.from_list([{"anchor": a, "positive": p} for a, p, _ in TRIPLETS])
    return DatasetDict({"triplets": triplet_dataset(), "pairs": pairs.select(range(4))})


class ColumnCountingLoss(torch.nn.Module):
    """MNRL that records how many text columns each batch had."""

    def __init__(self, model, counts: list[int]) -> None:
        super().__init__()
        self.model = model
        self.inner = losses.MultipleNegativesRankingLoss(model)
        self.counts = counts

    def forward(self, features, labels):
        self.counts.append(len(features))
        return self.inner(features, labels)


@pytest.mark.parametrize(
    ("sampler", "expected_steps"),
    [(MultiDatasetBatchSamplers.ROUND_ROBIN, 4), (MultiDatasetBatchSamplers.PROPORTIONAL, 6), ("round_robin", 4)],
)
def test_trainer_multi_dataset(model, tmp_path, sampler, expected_steps):
    counts: list[int] = []
    loss = {"triplets": ColumnCountingLoss(model, counts), "pairs": ColumnCountingLoss(model, counts)}
    args = training_args(tmp_path, multi_dataset_batch_sampler=sampler, num_train_epochs=1)

    make_trainer(model, args, train_dataset=two_datasets(), loss=loss).train()

    # Batches of 2: 4 of triplets (3 columns) and 2 of pairs (2 columns).
    assert len(counts) == expected_steps
    assert counts.count(2) == 2
    if sampler != MultiDatasetBatchSamplers.PROPORTIONAL:
        assert counts == [3, 2, 3, 2]


def test_trainer_missing_loss_for_dataset(model, tmp_path):
    loss = {"triplets": losses.MultipleNegativesRankingLoss(model)}

    with pytest.raises(ValueError, match="pairs"):
        make_trainer(model, training_args(tmp_path), train_dataset=two_datasets(), loss=loss)


def test_trainer_progress_bar(model, tmp_path, capsys):
    make_trainer(model, training_args(tmp_path, disable_tqdm=False, max_steps=2)).train()
    shown = capsys.readouterr().err

    make_trainer(model, training_args(tmp_path, disable_tqdm=True, max_steps=2)).train()
    hidden = capsys.readouterr().err

    assert "2/2" in shown
    assert "2/2" not in hidden


def test_trainer_resume_from_checkpoint(st_folder, tmp_path):
    straight = SentenceTransformer(str(st_folder), device="cpu")
    args = training_args(tmp_path / "straight", save_strategy="steps", save_steps=2, max_steps=4)
    make_trainer(straight, args).train()

    resumed = SentenceTransformer(str(st_folder), device="cpu")
    args = training_args(tmp_path / "resumed", max_steps=4)
    checkpoint = tmp_path / "straight" / "out" / "checkpoint-2"
    trainer = make_trainer(resumed, args)
    trainer.train(resume_from_checkpoint=str(checkpoint))

    assert trainer.state.global_step == 4
    assert max_abs_weight_difference(straight, resumed) < 1e-6


def test_trainer_eval_dataset_dict(model, tmp_path):
    evaluator = RecordingEvaluator([0.6], as_dict=True)
    eval_sets = DatasetDict({"first": triplet_dataset(), "second": triplet_dataset().select(range(4))})
    trainer = make_trainer(model, training_args(tmp_path), eval_dataset=eval_sets, evaluator=evaluator)

    metrics = trainer.evaluate()

    assert metrics["eval_first_loss"] > 0
    assert metrics["eval_second_loss"] > 0
    assert metrics["eval_tiny_score"] == 0.6
    assert len(evaluator.calls) == 1
