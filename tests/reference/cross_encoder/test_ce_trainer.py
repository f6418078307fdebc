"""CrossEncoderTrainer of the reference: collation, losses, evaluation, checkpoints and best model."""

from __future__ import annotations

import json

import pytest
import torch
from ce_tiny_models import BINARY_LABELS, PAIRS, max_weight_difference
from datasets import Dataset

from reference.cross_encoder import (
    CrossEncoder,
    CrossEncoderDataCollator,
    CrossEncoderTrainer,
    CrossEncoderTrainingArguments,
)
from reference.cross_encoder.evaluation import CrossEncoderClassificationEvaluator
from reference.cross_encoder.losses import BinaryCrossEntropyLoss, CrossEntropyLoss, MSELoss


def _dataset(label_column: str = "label") -> Dataset:
    return Dataset.from_dict({"query": [a for a, _ in PAIRS], "document": [b for _, b in PAIRS], label_column: BINARY_LABELS})


def _args(tmp_path, **overrides) -> CrossEncoderTrainingArguments:
    settings = {"report_to": "none", "disable_tqdm": True, "use_cpu": True, "save_strategy": "no", **overrides}
    return CrossEncoderTrainingArguments(output_dir=str(tmp_path), **settings)


class ScriptedEvaluator:
    """Return the next score of a fixed list as the primary metric ``dev_score``."""

    primary_metric = "dev_score"

    def __init__(self, scores: list[float]) -> None:
        self.scores = list(scores)
        self.calls: list[tuple[float | None, int]] = []

    def __call__(self, model, output_path=None, epoch=-1, steps=-1) -> dict[str, float]:
        self.calls.append((epoch, steps))
        return {"dev_score": self.scores[len(self.calls) - 1]}


@pytest.mark.parametrize("label_column", ["label", "labels", "score", "scores"])
def test_collator_label_columns(label_column):
    batch = CrossEncoderDataCollator()([{"query": "q", "document": "d", label_column: 1}, {"query": "r", "document": "e", label_column: 0}])

    assert list(batch) == ["label", "query", "document"]
    assert batch["label"].tolist() == [1, 0]
    assert batch["query"] == ["q", "r"]


def test_collator_drops_dataset_name():
    batch = CrossEncoderDataCollator()([{"dataset_name": "nli", "a": "x", "b": "y"}])

    assert batch == {"a": ["x"], "b": ["y"]}


def test_args_keep_trainer_defaults(tmp_path):
    args = CrossEncoderTrainingArguments(output_dir=str(tmp_path))

    assert args.learning_rate == 5e-5
    assert args.weight_decay == 0.0
    assert args.warmup_steps == 0
    assert args.prediction_loss_only is True


def test_trainer_default_loss(ce1, ce3, tmp_path):
    assert isinstance(CrossEncoderTrainer(model=ce1, args=_args(tmp_path), train_dataset=_dataset()).loss, BinaryCrossEntropyLoss)
    assert isinstance(CrossEncoderTrainer(model=ce3, args=_args(tmp_path), train_dataset=_dataset()).loss, CrossEntropyLoss)


def test_trainer_loss_factory(ce1, tmp_path):
    trainer = CrossEncoderTrainer(model=ce1, args=_args(tmp_path), train_dataset=_dataset(), loss=MSELoss)

    assert isinstance(trainer.loss, MSELoss)
    assert trainer.loss.model is ce1


def test_trainer_rejects_plain_args(ce1, tmp_path):
    from transformers import TrainingArguments

    with pytest.raises(ValueError, match="got TrainingArguments"):
        CrossEncoderTrainer(model=ce1, args=TrainingArguments(output_dir=str(tmp_path)), train_dataset=_dataset())


def test_trainer_rejects_eval_without_data(ce1, tmp_path):
    with pytest.raises(ValueError, match="no eval_dataset and no evaluator"):
        CrossEncoderTrainer(model=ce1, args=_args(tmp_path, eval_strategy="steps", eval_steps=1), train_dataset=_dataset())


def test_trainer_loss_matches_direct_call(ce1, tmp_path):
    trainer = CrossEncoderTrainer(model=ce1, args=_args(tmp_path), train_dataset=_dataset())
    batch = CrossEncoderDataCollator()(list(_dataset()))

    expected = BinaryCrossEntropyLoss(ce1)([batch["query"], batch["document"]], batch["label"])

    assert trainer.compute_loss(ce1, batch).item() == pytest.approx(expected.item(), abs=1e-7)


def test_evaluate_with_evaluator_only(ce1, tmp_path):
    evaluator = CrossEncoderClassificationEvaluator(PAIRS, BINARY_LABELS, name="dev")
    trainer = CrossEncoderTrainer(model=ce1, args=_args(tmp_path), train_dataset=_dataset(), evaluator=evaluator)

    metrics = trainer.evaluate()

    assert metrics["eval_dev_average_precision"] == pytest.approx(evaluator(ce1)["dev_average_precision"], abs=1e-9)
    assert "eval_loss" not in metrics
    assert (tmp_path / "eval" / "CrossEncoderClassificationEvaluator_dev_results.csv").is_file()


def test_evaluate_with_dataset_and_float_evaluator(ce1, tmp_path):
    trainer = CrossEncoderTrainer(
        model=ce1, args=_args(tmp_path), train_dataset=_dataset(), eval_dataset=_dataset(),
        evaluator=lambda model, output_path=None, epoch=-1, steps=-1: 0.25,
    )
    batch = CrossEncoderDataCollator()(list(_dataset()))
    expected_loss = BinaryCrossEntropyLoss(ce1)([batch["query"], batch["document"]], batch["label"]).item()

    metrics = trainer.evaluate()

    assert metrics["eval_evaluator"] == 0.25
    assert metrics["eval_loss"] == pytest.approx(expected_loss, abs=1e-6)


def test_checkpoints_hold_cross_encoder(ce1, tmp_path):
    args = _args(tmp_path, save_strategy="steps", save_steps=2, num_train_epochs=1, per_device_train_batch_size=5, learning_rate=1e-3)
    CrossEncoderTrainer(model=ce1, args=args, train_dataset=_dataset()).train()

    checkpoint = tmp_path / "checkpoint-2"
    config = json.loads((checkpoint / "config.json").read_text())
    loaded = CrossEncoder(str(checkpoint), device="cpu")

    assert sorted(path.name for path in tmp_path.glob("checkpoint-*")) == ["checkpoint-2"]
    assert config["sentence_transformers"]["activation_fn"] == "torch.nn.modules.activation.Sigmoid"
    assert (checkpoint / "training_args.bin").is_file()
    assert max_weight_difference(loaded.model, ce1.model) == 0.0


def test_load_best_model_at_end(ce1, tmp_path):
    evaluator = ScriptedEvaluator([0.3, 0.9, 0.5])
    args = _args(
        tmp_path, eval_strategy="steps", eval_steps=1, save_strategy="steps", save_steps=1, num_train_epochs=3,
        per_device_train_batch_size=len(PAIRS), learning_rate=1e-3, load_best_model_at_end=True,
        metric_for_best_model="dev_score",
    )
    trainer = CrossEncoderTrainer(model=ce1, args=args, train_dataset=_dataset(), evaluator=evaluator)

    trainer.train()
    best = CrossEncoder(str(tmp_path / "checkpoint-2"), device="cpu")
    last = CrossEncoder(str(tmp_path / "checkpoint-3"), device="cpu")

    assert [steps for _, steps in evaluator.calls] == [1, 2, 3]
    assert trainer.state.best_model_checkpoint.endswith("checkpoint-2")
    assert max_weight_difference(best.model, ce1.model) == 0.0
    assert max_weight_difference(last.model, ce1.model) > 0.0


def test_trainer_moves_weights(ce1, ce1_folder, tmp_path):
    args = _args(tmp_path, num_train_epochs=1, learning_rate=1e-3)
    CrossEncoderTrainer(model=ce1, args=args, train_dataset=_dataset()).train()

    assert max_weight_difference(ce1.model, CrossEncoder(str(ce1_folder), device="cpu").model) > 1e-4
    assert all(torch.isfinite(param).all() for param in ce1.parameters())
