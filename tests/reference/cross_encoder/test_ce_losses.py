"""CrossEncoder losses of the reference: values, label-count checks and input checks."""

from __future__ import annotations

import pytest
import torch
from ce_tiny_models import BINARY_LABELS, CLASS_LABELS, GOLD_SCORES, PAIRS
from torch import nn

from reference.cross_encoder.losses import BinaryCrossEntropyLoss, CrossEntropyLoss, MSELoss

COLUMNS = [[a for a, _ in PAIRS], [b for _, b in PAIRS]]


def _logits(model) -> torch.Tensor:
    return model(model.preprocess(PAIRS))["scores"]


def test_bce_loss_value(ce1):
    labels = torch.tensor(BINARY_LABELS)
    expected = nn.functional.binary_cross_entropy_with_logits(_logits(ce1).view(-1), labels.float())

    assert BinaryCrossEntropyLoss(ce1)(COLUMNS, labels).item() == pytest.approx(expected.item(), abs=1e-6)


def test_bce_loss_pos_weight(ce1):
    labels = torch.tensor(BINARY_LABELS)
    pos_weight = torch.tensor(4.0)
    expected = nn.functional.binary_cross_entropy_with_logits(_logits(ce1).view(-1), labels.float(), pos_weight=pos_weight)

    loss = BinaryCrossEntropyLoss(ce1, pos_weight=pos_weight)

    assert loss(COLUMNS, labels).item() == pytest.approx(expected.item(), abs=1e-6)
    assert loss.get_config_dict() == {"activation_fn": "torch.nn.modules.linear.Identity", "pos_weight": 4.0}


def test_mse_loss_activation(ce1):
    labels = torch.tensor(GOLD_SCORES)
    expected = nn.functional.mse_loss(torch.sigmoid(_logits(ce1).view(-1)), labels.float())

    assert MSELoss(ce1, activation_fn=nn.Sigmoid())(COLUMNS, labels).item() == pytest.approx(expected.item(), abs=1e-6)


def test_cross_entropy_loss_value(ce3):
    labels = torch.tensor(CLASS_LABELS)
    expected = nn.functional.cross_entropy(_logits(ce3), labels)

    assert CrossEntropyLoss(ce3)(COLUMNS, labels).item() == pytest.approx(expected.item(), abs=1e-6)


def test_cross_entropy_loss_column_labels(ce3):
    labels = torch.tensor(CLASS_LABELS)

    assert CrossEntropyLoss(ce3)(COLUMNS, labels.view(-1, 1)).item() == pytest.approx(
        CrossEntropyLoss(ce3)(COLUMNS, labels).item(), abs=1e-7
    )


@pytest.mark.parametrize("loss_class", [BinaryCrossEntropyLoss, MSELoss])
def test_single_label_loss_rejects_multi_label(ce3, loss_class):
    with pytest.raises(ValueError, match="num_labels=1, but the model has num_labels=3"):
        loss_class(ce3)


def test_cross_entropy_rejects_single_label(ce1):
    with pytest.raises(ValueError, match="num_labels >= 2 .* num_labels=1"):
        CrossEntropyLoss(ce1)


def test_loss_rejects_other_model():
    with pytest.raises(ValueError, match="needs a CrossEncoder model, got an object of type Linear"):
        BinaryCrossEntropyLoss(nn.Linear(2, 1))


def test_loss_rejects_three_columns(ce1):
    with pytest.raises(ValueError, match="two text columns .* the batch has 3"):
        BinaryCrossEntropyLoss(ce1)([*COLUMNS, COLUMNS[0]], torch.tensor(BINARY_LABELS))


def test_loss_rejects_label_count(ce1):
    with pytest.raises(ValueError, match=r"one label per pair \(10\), got 9 labels"):
        BinaryCrossEntropyLoss(ce1)(COLUMNS, torch.tensor(BINARY_LABELS[:9]))


def test_loss_rejects_prompt(ce1):
    with pytest.raises(ValueError, match="prompt='query: '"):
        BinaryCrossEntropyLoss(ce1)(COLUMNS, torch.tensor(BINARY_LABELS), prompt="query: ")
