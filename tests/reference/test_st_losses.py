"""MultipleNegativesRankingLoss against a direct computation."""

from __future__ import annotations

import pytest
import torch

from reference import losses, util


def expected_loss(anchors, candidates, scale):
    scores = torch.nn.functional.normalize(anchors, dim=1) @ torch.nn.functional.normalize(candidates, dim=1).T
    logits = scores * scale
    rows = []
    for index in range(anchors.shape[0]):
        rows.append(-torch.log_softmax(logits[index], dim=0)[index])
    return torch.stack(rows).mean()


def test_mnrl_with_negatives(model):
    torch.manual_seed(0)
    anchors, positives, negatives = torch.randn(4, 8), torch.randn(4, 8), torch.randn(4, 8)
    loss = losses.MultipleNegativesRankingLoss(model, scale=20.0)

    actual = loss.compute_loss_from_embeddings([anchors, positives, negatives])

    # Candidates are all positives first, then the negatives; the target of row i is positive i.
    expected = expected_loss(anchors, torch.cat([positives, negatives]), 20.0)
    assert actual.item() == pytest.approx(expected.item(), abs=1e-6)


def test_mnrl_pairs_dot_score(model):
    torch.manual_seed(1)
    anchors, positives = torch.randn(3, 8), torch.randn(3, 8)
    loss = losses.MultipleNegativesRankingLoss(model, scale=1.0, similarity_fct=util.dot_score)

    actual = loss.compute_loss_from_embeddings([anchors, positives])

    expected = torch.nn.functional.cross_entropy(anchors @ positives.T, torch.arange(3))
    assert actual.item() == pytest.approx(expected.item(), abs=1e-6)


def test_mnrl_keeps_model(model):
    loss = losses.MultipleNegativesRankingLoss(model)

    assert loss.model is model
    assert loss.get_config_dict() == {"scale": 20.0, "similarity_fct": "cos_sim"}


def test_mnrl_forward_on_features(model):
    loss = losses.MultipleNegativesRankingLoss(model)
    features = [model.tokenize(["a man", "a cat"]), model.tokenize(["a dog", "a car"])]

    value = loss(features, torch.tensor([0, 0]))

    assert value.dim() == 0
    assert value.requires_grad


def test_mnrl_needs_two_columns(model):
    loss = losses.MultipleNegativesRankingLoss(model)

    with pytest.raises(ValueError, match="two text columns"):
        loss.compute_loss_from_embeddings([torch.randn(2, 4)])


def test_cos_sim_matrix():
    a = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    b = torch.tensor([[3.0, 0.0], [1.0, 1.0], [0.0, -1.0]])

    similarity = util.cos_sim(a, b)

    assert similarity.shape == (2, 3)
    assert similarity[0].tolist() == pytest.approx([1.0, 2**-0.5, 0.0])
    assert similarity[1].tolist() == pytest.approx([0.0, 2**-0.5, -1.0])


def test_pairwise_helpers():
    a = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    b = torch.tensor([[2.0, 0.0], [1.0, 1.0]])

    assert util.pairwise_dot_score(a, b).tolist() == [2.0, 2.0]
    assert util.pairwise_cos_sim(a, b).tolist() == pytest.approx([1.0, 2**-0.5])
