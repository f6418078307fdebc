"""Semantics of the legacy CrossEncoder.fit loop of the reference (sentence-transformers 3.x)."""

from __future__ import annotations

import copy

import pytest
import torch
from ce_tiny_models import BINARY_LABELS, CLASS_LABELS, PAIRS, max_weight_difference
from torch import nn
from torch.utils.data import DataLoader

from reference import InputExample
from reference.cross_encoder import CrossEncoder

FIT_DEFAULTS = {"warmup_steps": 2, "optimizer_params": {"lr": 1e-3}, "show_progress_bar": False}


def _loader(labels, batch_size=len(PAIRS)) -> DataLoader:
    examples = [InputExample(texts=list(pair), label=label) for pair, label in zip(PAIRS, labels)]
    return DataLoader(examples, batch_size=batch_size, shuffle=False)


def _fit(folder, labels, **kwargs) -> CrossEncoder:
    model = CrossEncoder(str(folder), device="cpu", model_kwargs={"dtype": torch.float64})
    model.fit(_loader(labels, kwargs.pop("batch_size", len(PAIRS))), **{**FIT_DEFAULTS, **kwargs})
    return model


class RecordingLoss(nn.Module):
    """Wrap a loss and record the logits and labels it receives."""

    def __init__(self, loss: nn.Module) -> None:
        super().__init__()
        self.loss = loss
        self.calls: list[tuple[torch.Tensor, torch.Tensor]] = []

    def forward(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        self.calls.append((logits.detach().clone(), labels.clone()))
        return self.loss(logits, labels)


class RecordingEvaluator:
    """Return the next score of a fixed list and record each call and the weights at that moment."""

    def __init__(self, scores: list[float]) -> None:
        self.scores = list(scores)
        self.calls: list[tuple[int, int, str | None]] = []
        self.states: list[dict[str, torch.Tensor]] = []

    def __call__(self, model, output_path=None, epoch=-1, steps=-1) -> float:
        self.calls.append((epoch, steps, output_path))
        self.states.append(copy.deepcopy(model.model.state_dict()))
        return self.scores[len(self.calls) - 1]


def test_fit_default_loss_single_label(ce1_folder):
    default = _fit(ce1_folder, BINARY_LABELS, epochs=2)
    explicit = _fit(ce1_folder, BINARY_LABELS, epochs=2, loss_fct=nn.BCEWithLogitsLoss())
    other = _fit(ce1_folder, BINARY_LABELS, epochs=2, loss_fct=nn.MSELoss())

    assert max_weight_difference(default.model, explicit.model) == 0.0
    assert max_weight_difference(default.model, other.model) > 1e-6


def test_fit_default_loss_multi_label(ce3_folder):
    default = _fit(ce3_folder, CLASS_LABELS, epochs=2)
    explicit = _fit(ce3_folder, CLASS_LABELS, epochs=2, loss_fct=nn.CrossEntropyLoss())

    assert max_weight_difference(default.model, explicit.model) == 0.0


def test_fit_single_label_flattens_float_labels(ce1_folder):
    loss = RecordingLoss(nn.BCEWithLogitsLoss())
    _fit(ce1_folder, BINARY_LABELS, loss_fct=loss)

    logits, labels = loss.calls[0]
    assert logits.shape == (len(PAIRS),)
    assert labels.dtype == torch.float32
    assert labels.tolist() == [float(label) for label in BINARY_LABELS]


def test_fit_multi_label_long_labels(ce3_folder):
    loss = RecordingLoss(nn.CrossEntropyLoss())
    _fit(ce3_folder, CLASS_LABELS, loss_fct=loss)

    logits, labels = loss.calls[0]
    assert logits.shape == (len(PAIRS), 3)
    assert labels.dtype == torch.long
    assert labels.tolist() == CLASS_LABELS


def test_fit_activation_before_loss(ce1_folder):
    loss = RecordingLoss(nn.MSELoss())
    _fit(ce1_folder, BINARY_LABELS, loss_fct=loss, activation_fct=nn.Sigmoid())
    plain_loss = RecordingLoss(nn.MSELoss())
    _fit(ce1_folder, BINARY_LABELS, loss_fct=plain_loss)

    activated, _ = loss.calls[0]
    logits, _ = plain_loss.calls[0]
    assert torch.allclose(activated, torch.sigmoid(logits))


def test_fit_steps_per_epoch(ce1_folder):
    loss = RecordingLoss(nn.BCEWithLogitsLoss())
    _fit(ce1_folder, BINARY_LABELS, loss_fct=loss, epochs=3, batch_size=4)

    assert len(loss.calls) == 3 * 3  # ceil(10 / 4) batches per epoch


def test_fit_evaluation_calls(ce1_folder, tmp_path):
    evaluator = RecordingEvaluator([0.1] * 6)
    callback_calls = []

    _fit(
        ce1_folder, BINARY_LABELS, epochs=2, batch_size=2, evaluator=evaluator, evaluation_steps=2,
        output_path=str(tmp_path), callback=lambda score, epoch, steps: callback_calls.append((score, epoch, steps)),
    )

    expected = [(0, 2), (0, 4), (0, -1), (1, 2), (1, 4), (1, -1)]
    assert [(epoch, steps) for epoch, steps, _ in evaluator.calls] == expected
    assert {path for _, _, path in evaluator.calls} == {str(tmp_path)}
    assert callback_calls == [(0.1, epoch, steps) for epoch, steps in expected]


def test_fit_saves_best_model(ce1_folder, tmp_path):
    evaluator = RecordingEvaluator([0.2, 0.9, 0.5, 0.4, 0.3, 0.1])

    _fit(ce1_folder, BINARY_LABELS, epochs=2, batch_size=5, evaluator=evaluator, evaluation_steps=1, output_path=str(tmp_path))
    saved = CrossEncoder(str(tmp_path), device="cpu", model_kwargs={"dtype": torch.float64})

    assert len(evaluator.calls) == 6  # steps 1 and 2 plus the epoch end, twice
    best_state = evaluator.states[1]
    assert max(
        (best_state[key] - value).abs().max().item() for key, value in saved.model.state_dict().items()
    ) == 0.0


def test_fit_without_best_model_save(ce1_folder, tmp_path):
    _fit(ce1_folder, BINARY_LABELS, evaluator=RecordingEvaluator([0.5]), output_path=str(tmp_path), save_best_model=False)

    assert list(tmp_path.iterdir()) == []


def test_fit_without_evaluator_saves_nothing(ce1_folder, tmp_path):
    _fit(ce1_folder, BINARY_LABELS, output_path=str(tmp_path / "out"))

    assert (tmp_path / "out").is_dir()
    assert list((tmp_path / "out").iterdir()) == []


def test_fit_dict_evaluator_primary_metric(ce1_folder):
    class DictEvaluator:
        primary_metric = "dev_score"

        def __call__(self, model, output_path=None, epoch=-1, steps=-1):
            return {"dev_score": 0.75, "other": 0.1}

    scores = []
    _fit(ce1_folder, BINARY_LABELS, evaluator=DictEvaluator(), callback=lambda score, epoch, steps: scores.append(score))

    assert scores == [0.75]


def test_fit_rejects_unknown_scheduler(ce1_folder):
    with pytest.raises(ValueError, match="'warmupexponential'"):
        _fit(ce1_folder, BINARY_LABELS, scheduler="warmupexponential")


def test_fit_rejects_three_texts(ce1_folder):
    model = CrossEncoder(str(ce1_folder), device="cpu")
    loader = DataLoader([InputExample(texts=["a", "b", "c"], label=1)], batch_size=1)

    with pytest.raises(ValueError, match=r"exactly two texts, got \['a', 'b', 'c'\]"):
        model.fit(loader, show_progress_bar=False)


def test_fit_emits_no_deprecation(ce1_folder, recwarn):
    _fit(ce1_folder, BINARY_LABELS)

    assert [w for w in recwarn if issubclass(w.category, DeprecationWarning)] == []


def test_fit_use_amp_on_cpu(ce1_folder):
    model = CrossEncoder(str(ce1_folder), device="cpu")
    before = copy.deepcopy(model.model)

    model.fit(_loader(BINARY_LABELS), use_amp=True, **{**FIT_DEFAULTS, "warmup_steps": 0})

    assert max_weight_difference(before, model.model) > 0.0


@pytest.mark.parametrize("show", [True, False])
def test_fit_progress_bars(ce1_folder, capsys, show):
    model = CrossEncoder(str(ce1_folder), device="cpu")
    capsys.readouterr()

    model.fit(_loader(BINARY_LABELS), warmup_steps=1, show_progress_bar=show)

    stderr = capsys.readouterr().err
    assert ("Iteration" in stderr) is show
    assert ("Epoch" in stderr) is show
