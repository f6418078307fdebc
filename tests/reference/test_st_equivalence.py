"""Legacy fit and the Trainer reach the same weights under deterministic conditions.

With dropout off and one batch per epoch (batch size = dataset size), the data order and the
random number generator play no part, so both paths must end at the same weights up to
floating-point noise, while a changed hyperparameter must move them clearly further.
"""

from __future__ import annotations

import pytest
from st_tiny_models import TRIPLETS, max_abs_weight_difference, triplet_dataset, triplet_examples
from torch.utils.data import DataLoader

from reference import SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments, losses

EPOCHS = 4
LEARNING_RATE = 2e-5
WEIGHT_DECAY = 0.01
WARMUP_STEPS = 2


def run_fit(folder) -> SentenceTransformer:
    model = SentenceTransformer(str(folder), device="cpu")
    loader = DataLoader(triplet_examples(), shuffle=True, batch_size=len(TRIPLETS))
    model.fit(
        train_objectives=[(loader, losses.MultipleNegativesRankingLoss(model))],
        epochs=EPOCHS,
        warmup_steps=WARMUP_STEPS,
        scheduler="WarmupLinear",
        optimizer_params={"lr": LEARNING_RATE},
        weight_decay=WEIGHT_DECAY,
        show_progress_bar=False,
    )
    return model


def run_trainer(folder, output_dir, warmup_steps: int) -> SentenceTransformer:
    model = SentenceTransformer(str(folder), device="cpu")
    args = SentenceTransformerTrainingArguments(
        output_dir=str(output_dir),
        num_train_epochs=EPOCHS,
        per_device_train_batch_size=len(TRIPLETS),
        learning_rate=LEARNING_RATE,
        weight_decay=WEIGHT_DECAY,
        warmup_steps=warmup_steps,
        lr_scheduler_type="linear",
        seed=12,
        save_strategy="no",
        report_to="none",
        disable_tqdm=True,
    )
    trainer = SentenceTransformerTrainer(
        model=model, args=args, train_dataset=triplet_dataset(), loss=losses.MultipleNegativesRankingLoss(model)
    )
    trainer.train()
    return model


@pytest.fixture(scope="module")
def fit_model(st_folder):
    return run_fit(st_folder)


def test_fit_matches_trainer(fit_model, st_folder, tmp_path):
    trainer_model = run_trainer(st_folder, tmp_path, warmup_steps=WARMUP_STEPS)

    # Measured on CPU (torch 2.13, transformers 5.25): about 6e-9.
    assert max_abs_weight_difference(fit_model, trainer_model) < 1e-6


def test_trainer_without_warmup_differs(fit_model, st_folder, tmp_path):
    trainer_model = run_trainer(st_folder, tmp_path, warmup_steps=0)

    # Measured on CPU (torch 2.13, transformers 5.25): about 1.5e-5.
    assert max_abs_weight_difference(fit_model, trainer_model) > 5e-6


def test_fit_moves_weights(fit_model, st_folder):
    initial = SentenceTransformer(str(st_folder), device="cpu")

    assert max_abs_weight_difference(fit_model, initial) > 1e-5
