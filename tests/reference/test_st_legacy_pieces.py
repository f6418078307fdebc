"""Shared legacy pieces: scheduler names, weight-decay groups and checkpoint rotation."""

from __future__ import annotations

import math

import pytest
import torch
import transformers

from reference.legacy import build_optimizer, build_scheduler, remove_oldest_checkpoints, weight_decay_groups

TOTAL_STEPS = 10
WARMUP_STEPS = 2


def lr_curve(scheduler_name: str) -> list[float]:
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    scheduler = build_scheduler(optimizer, scheduler_name, WARMUP_STEPS, TOTAL_STEPS)

    curve = []
    for _ in range(TOTAL_STEPS):
        curve.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    return curve


def warmup_then(decay):
    return [step / WARMUP_STEPS if step < WARMUP_STEPS else decay((step - WARMUP_STEPS) / (TOTAL_STEPS - WARMUP_STEPS)) for step in range(TOTAL_STEPS)]


EXPECTED_CURVES = {
    "constantlr": [1.0] * TOTAL_STEPS,
    "warmupconstant": warmup_then(lambda progress: 1.0),
    "warmuplinear": warmup_then(lambda progress: 1.0 - progress),
    "warmupcosine": warmup_then(lambda progress: 0.5 * (1.0 + math.cos(math.pi * progress))),
    "warmupcosinewithhardrestarts": warmup_then(lambda progress: 0.5 * (1.0 + math.cos(math.pi * progress))),
}

# The Trainer's lr_scheduler_type for each legacy name.
TRAINER_NAMES = {
    "constantlr": "constant",
    "warmupconstant": "constant_with_warmup",
    "warmuplinear": "linear",
    "warmupcosine": "cosine",
    "warmupcosinewithhardrestarts": "cosine_with_restarts",
}


@pytest.mark.parametrize("name", sorted(EXPECTED_CURVES))
def test_scheduler_curve(name):
    assert lr_curve(name) == pytest.approx(EXPECTED_CURVES[name], abs=1e-7)


@pytest.mark.parametrize("name", sorted(TRAINER_NAMES))
def test_scheduler_matches_trainer_name(name):
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
    scheduler = transformers.get_scheduler(
        TRAINER_NAMES[name], optimizer, num_warmup_steps=WARMUP_STEPS, num_training_steps=TOTAL_STEPS
    )
    trainer_curve = []
    for _ in range(TOTAL_STEPS):
        trainer_curve.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()

    assert lr_curve(name) == pytest.approx(trainer_curve, abs=1e-12)


def test_scheduler_name_case_insensitive():
    assert lr_curve("WarmupLinear") == lr_curve("warmuplinear")


def test_scheduler_invalid_name():
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)

    with pytest.raises(ValueError) as error:
        build_scheduler(optimizer, "linear", WARMUP_STEPS, TOTAL_STEPS)

    assert "'linear'" in str(error.value)
    assert "'warmupcosinewithhardrestarts'" in str(error.value)


class TinyBlock(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.dense = torch.nn.Linear(2, 2)
        self.LayerNorm = torch.nn.LayerNorm(2)
        self.norm = torch.nn.LayerNorm(2)


def test_weight_decay_groups_by_name():
    block = TinyBlock()
    names = {id(param): name for name, param in block.named_parameters()}

    decayed, not_decayed = weight_decay_groups(block, weight_decay=0.1)

    assert sorted(names[id(p)] for p in decayed["params"]) == ["dense.weight", "norm.weight"]
    assert sorted(names[id(p)] for p in not_decayed["params"]) == ["LayerNorm.bias", "LayerNorm.weight", "dense.bias", "norm.bias"]
    assert decayed["weight_decay"] == 0.1
    assert not_decayed["weight_decay"] == 0.0


def test_build_optimizer_params():
    optimizer = build_optimizer(TinyBlock(), torch.optim.AdamW, {"lr": 3e-4, "eps": 1e-7}, weight_decay=0.05)

    assert isinstance(optimizer, torch.optim.AdamW)
    assert [group["weight_decay"] for group in optimizer.param_groups] == [0.05, 0.0]
    assert [group["lr"] for group in optimizer.param_groups] == [3e-4, 3e-4]
    assert optimizer.param_groups[0]["eps"] == 1e-7


def test_remove_oldest_checkpoints(tmp_path):
    for step in (5, 10, 15, 20):
        (tmp_path / str(step)).mkdir()
    (tmp_path / "notes").mkdir()

    remove_oldest_checkpoints(str(tmp_path), total_limit=2)

    assert sorted(path.name for path in tmp_path.iterdir()) == ["15", "20", "notes"]


def test_remove_oldest_checkpoints_no_limit(tmp_path):
    for step in (5, 10):
        (tmp_path / str(step)).mkdir()

    remove_oldest_checkpoints(str(tmp_path), total_limit=0)

    assert sorted(path.name for path in tmp_path.iterdir()) == ["10", "5"]
