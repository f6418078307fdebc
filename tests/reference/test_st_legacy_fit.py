"""Legacy ``SentenceTransformer.fit``: the loop, evaluation, saving and checkpoints."""

from __future__ import annotations

import inspect
import os
import warnings

import pytest
import torch
from st_tiny_models import RecordingEvaluator, max_abs_weight_difference, triplet_examples
from torch.utils.data import DataLoader

from reference import SentenceTransformer, losses


def loader(batch_size: int = 2, shuffle: bool = False) -> DataLoader:
    return DataLoader(triplet_examples(), shuffle=shuffle, batch_size=batch_size)


def batch_loss(model, loss) -> float:
    features, labels = model.smart_batching_collate(triplet_examples())
    with torch.no_grad():
        return loss(features, labels).item()


def fit(model, **kwargs) -> None:
    defaults = {"show_progress_bar": False, "warmup_steps": 0, "optimizer_params": {"lr": 1e-3}}
    objectives = kwargs.pop("train_objectives", None) or [(loader(), losses.MultipleNegativesRankingLoss(model))]
    model.fit(train_objectives=objectives, **{**defaults, **kwargs})


def test_fit_signature_defaults():
    parameters = inspect.signature(SentenceTransformer.fit).parameters
    defaults = {name: param.default for name, param in parameters.items() if name != "self"}

    assert list(defaults) == [
        "train_objectives", "evaluator", "epochs", "steps_per_epoch", "scheduler", "warmup_steps",
        "optimizer_class", "optimizer_params", "weight_decay", "evaluation_steps", "output_path",
        "save_best_model", "max_grad_norm", "use_amp", "callback", "show_progress_bar",
        "checkpoint_path", "checkpoint_save_steps", "checkpoint_save_total_limit",
    ]
    assert defaults["epochs"] == 1
    assert defaults["scheduler"] == "WarmupLinear"
    assert defaults["warmup_steps"] == 10000
    assert defaults["optimizer_class"] is torch.optim.AdamW
    assert defaults["optimizer_params"] == {"lr": 2e-5}
    assert defaults["weight_decay"] == 0.01
    assert defaults["evaluation_steps"] == 0
    assert defaults["save_best_model"] is True
    assert defaults["max_grad_norm"] == 1
    assert defaults["use_amp"] is False
    assert defaults["show_progress_bar"] is True
    assert defaults["checkpoint_save_steps"] == 500
    assert defaults["checkpoint_save_total_limit"] == 0


def test_fit_reduces_loss(model):
    loss = losses.MultipleNegativesRankingLoss(model)
    before = batch_loss(model, loss)

    fit(model, train_objectives=[(loader(), loss)], epochs=5)

    assert batch_loss(model, loss) < before


def test_fit_emits_no_warning(model):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit(model)

    assert [str(item.message) for item in caught] == []


def test_fit_evaluation_calls(model, tmp_path):
    evaluator = RecordingEvaluator([0.1])

    fit(model, evaluator=evaluator, epochs=2, evaluation_steps=2, output_path=str(tmp_path))

    # 8 rows in batches of 2: 4 steps per epoch, evaluations at steps 2 and 4, then the epoch end.
    calls = [(call["epoch"], call["steps"]) for call in evaluator.calls]
    assert calls == [(0, 2), (0, 4), (0, -1), (1, 2), (1, 4), (1, -1)]
    assert evaluator.calls[0]["output_path"] == os.path.join(str(tmp_path), "eval")


def test_fit_evaluation_without_output_path(model):
    evaluator = RecordingEvaluator([0.1])

    fit(model, evaluator=evaluator)

    assert [call["output_path"] for call in evaluator.calls] == [None]


def test_fit_callback_arguments(model):
    received = []
    evaluator = RecordingEvaluator([0.25, 0.5], as_dict=True)

    fit(model, evaluator=evaluator, evaluation_steps=3, callback=lambda *args: received.append(args))

    assert received == [(0.25, 0, 3), (0.5, 0, -1)]


def test_fit_saves_best_model(model, tmp_path):
    evaluator = RecordingEvaluator([0.5, 0.9, 0.2, 0.1])
    snapshots = {}

    def snapshot(score, epoch, steps):
        snapshots[steps] = {name: value.clone() for name, value in model.state_dict().items()}

    fit(model, evaluator=evaluator, evaluation_steps=1, steps_per_epoch=3, output_path=str(tmp_path), callback=snapshot)
    saved = SentenceTransformer(str(tmp_path), device="cpu")

    # The second evaluation (steps=2) scored best, so the saved weights are those of step 2.
    best = saved.state_dict()
    assert all(torch.equal(best[name], snapshots[2][name]) for name in best)
    assert not all(torch.equal(best[name], snapshots[3][name]) for name in best)


def test_fit_without_save_best_model(model, tmp_path):
    fit(model, evaluator=RecordingEvaluator([0.5]), output_path=str(tmp_path), save_best_model=False)

    assert not (tmp_path / "modules.json").exists()
    assert (tmp_path / "eval").is_dir()


def test_fit_saves_final_without_evaluator(model, tmp_path):
    fit(model, output_path=str(tmp_path))
    saved = SentenceTransformer(str(tmp_path), device="cpu")

    assert max_abs_weight_difference(saved, model) == 0.0


def test_fit_checkpoint_limit(model, tmp_path):
    fit(model, epochs=2, checkpoint_path=str(tmp_path), checkpoint_save_steps=3, checkpoint_save_total_limit=2)

    # 8 global steps: checkpoints at 3 and 6, then the final one at 8; only the last two stay.
    assert sorted(os.listdir(tmp_path)) == ["6", "8"]
    assert (tmp_path / "8" / "modules.json").exists()


def test_fit_checkpoints_without_limit(model, tmp_path):
    fit(model, epochs=2, checkpoint_path=str(tmp_path), checkpoint_save_steps=3)

    assert sorted(os.listdir(tmp_path), key=int) == ["3", "6", "8"]


def test_fit_steps_per_epoch(model):
    evaluator = RecordingEvaluator([0.1])
    calls = []
    model.fit(
        train_objectives=[(loader(), losses.MultipleNegativesRankingLoss(model))],
        evaluator=evaluator,
        evaluation_steps=1,
        steps_per_epoch=6,
        show_progress_bar=False,
        callback=lambda score, epoch, steps: calls.append(steps),
    )

    # 6 steps although the loader has 4 batches: the exhausted loader restarts.
    assert calls == [1, 2, 3, 4, 5, 6, -1]


class CountingLoss(torch.nn.Module):
    """MNRL wrapper that records the batch size it was called with."""

    def __init__(self, model, sizes: list[int]) -> None:
        super().__init__()
        self.inner = losses.MultipleNegativesRankingLoss(model)
        self.sizes = sizes

    def forward(self, features, labels):
        self.sizes.append(features[0]["input_ids"].shape[0])
        return self.inner(features, labels)


def test_fit_round_robin(model):
    sizes: list[int] = []
    first = (loader(batch_size=2), CountingLoss(model, sizes))
    second = (loader(batch_size=4), CountingLoss(model, sizes))

    fit(model, train_objectives=[first, second])

    # The shortest loader has 2 batches, so 2 steps, each taking one batch from both objectives.
    assert sizes == [2, 4, 2, 4]


def test_fit_invalid_scheduler(model):
    with pytest.raises(ValueError, match="'linear'"):
        fit(model, scheduler="linear")


def test_fit_sets_train_mode(model):
    modes = []

    class ModeLoss(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.inner = losses.MultipleNegativesRankingLoss(model)

        def forward(self, features, labels):
            modes.append(model.training)
            return self.inner(features, labels)

    model.eval()
    fit(model, train_objectives=[(loader(), ModeLoss())], evaluator=RecordingEvaluator([0.1]), evaluation_steps=1)

    assert modes == [True, True, True, True]


def test_fit_use_amp_cpu(model):
    loss = losses.MultipleNegativesRankingLoss(model)
    before = batch_loss(model, loss)

    fit(model, train_objectives=[(loader(), loss)], epochs=3, use_amp=True)

    assert batch_loss(model, loss) < before


def test_fit_progress_bars(model, capsys):
    fit(model, show_progress_bar=True)
    shown = capsys.readouterr().err

    fit(model, show_progress_bar=False)
    hidden = capsys.readouterr().err

    assert "Epoch" in shown
    assert "Iteration" in shown
    assert hidden == ""


class NormRecordingSGD(torch.optim.SGD):
    """SGD that records the total gradient norm it receives at each step."""

    norms: list[float] = []

    def step(self, closure=None):
        grads = [p.grad for group in self.param_groups for p in group["params"] if p.grad is not None]
        NormRecordingSGD.norms.append(torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads])).item())
        return super().step(closure)


def test_fit_max_grad_norm(model):
    NormRecordingSGD.norms = []

    fit(model, max_grad_norm=1e-3, optimizer_class=NormRecordingSGD, optimizer_params={"lr": 0.1})

    assert len(NormRecordingSGD.norms) == 4
    assert max(NormRecordingSGD.norms) <= 1e-3 * (1 + 1e-4)
