"""Legacy CrossEncoder.fit and CrossEncoderTrainer, given the migration guide's matching arguments, agree.

Both runs start from the same saved model with dropout off, see the whole dataset as one batch per
epoch, and run in float64. In float32 they differ by about 1.5e-6 (measured on this tiny model),
because the two loops present the rows of the batch in different orders. The gradient sums then
round differently, and Adam's first steps amplify that rounding for parameters with tiny gradients.
"""

from __future__ import annotations

import pytest
import torch
from ce_tiny_models import BINARY_LABELS, PAIRS, max_weight_difference
from datasets import Dataset
from torch.utils.data import DataLoader

from reference import InputExample
from reference.cross_encoder import CrossEncoder, CrossEncoderTrainer, CrossEncoderTrainingArguments
from reference.cross_encoder.losses import BinaryCrossEntropyLoss

EPOCHS = 4
WARMUP_STEPS = 2
LEARNING_RATE = 2e-5
WEIGHT_DECAY = 0.01
TOLERANCE = 1e-6


def _load(folder) -> CrossEncoder:
    return CrossEncoder(str(folder), device="cpu", model_kwargs={"dtype": torch.float64})


@pytest.fixture(scope="module")
def legacy_model(ce1_folder) -> CrossEncoder:
    model = _load(ce1_folder)
    examples = [InputExample(texts=list(pair), label=label) for pair, label in zip(PAIRS, BINARY_LABELS)]
    model.fit(
        DataLoader(examples, batch_size=len(examples), shuffle=True),
        epochs=EPOCHS,
        scheduler="WarmupLinear",
        warmup_steps=WARMUP_STEPS,
        optimizer_params={"lr": LEARNING_RATE},
        weight_decay=WEIGHT_DECAY,
        show_progress_bar=False,
    )
    return model


def _trainer_model(folder, output_dir, **overrides) -> CrossEncoder:
    model = _load(folder)
    dataset = Dataset.from_dict(
        {"sentence_A": [a for a, _ in PAIRS], "sentence_B": [b for _, b in PAIRS], "label": BINARY_LABELS}
    )
    settings = {
        "learning_rate": LEARNING_RATE,
        "weight_decay": WEIGHT_DECAY,
        "warmup_steps": WARMUP_STEPS,
        "lr_scheduler_type": "linear",
        "num_train_epochs": EPOCHS,
        "per_device_train_batch_size": len(PAIRS),
        **overrides,
    }
    args = CrossEncoderTrainingArguments(
        output_dir=str(output_dir), save_strategy="no", report_to="none", disable_tqdm=True, use_cpu=True, **settings
    )
    CrossEncoderTrainer(model=model, args=args, train_dataset=dataset, loss=BinaryCrossEntropyLoss(model)).train()
    return model


def test_equivalence_trainer_matches_fit(ce1_folder, legacy_model, tmp_path):
    trainer_model = _trainer_model(ce1_folder, tmp_path)

    difference = max_weight_difference(legacy_model.model, trainer_model.model)

    assert difference < TOLERANCE, f"max abs weight difference {difference:.3e}"


def test_equivalence_training_moved_weights(ce1_folder, legacy_model):
    assert max_weight_difference(legacy_model.model, _load(ce1_folder).model) > 10 * TOLERANCE


def test_equivalence_control_without_warmup(ce1_folder, legacy_model, tmp_path):
    control_model = _trainer_model(ce1_folder, tmp_path, warmup_steps=0)

    difference = max_weight_difference(legacy_model.model, control_model.model)

    assert difference > 10 * TOLERANCE, f"max abs weight difference {difference:.3e}"


def test_equivalence_control_trainer_defaults(ce1_folder, legacy_model, tmp_path):
    control_model = _trainer_model(ce1_folder, tmp_path, learning_rate=5e-5, weight_decay=0.0, warmup_steps=0)

    assert max_weight_difference(legacy_model.model, control_model.model) > 10 * TOLERANCE
