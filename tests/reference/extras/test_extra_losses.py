"""The extra losses: hand-computed values and a falling loss over a few optimizer steps on a tiny model."""

from __future__ import annotations

import pytest
import torch

from reference.losses import (
    BatchAllTripletLoss,
    BatchHardTripletLoss,
    BatchSemiHardTripletLoss,
    CosineSimilarityLoss,
    DenoisingAutoEncoderLoss,
    MSELoss,
    SoftmaxLoss,
)

from conftest import SENTENCES

LABELS = torch.tensor([0, 0, 1, 1])
# One-dimensional embeddings, so every euclidean distance is a difference of two integers.
POINTS = torch.tensor([[0.0], [1.0], [3.0], [5.0]])


def test_batch_hard_value_by_hand():
    # Per anchor: hardest positive minus hardest negative plus 5 = 1-3+5, 1-2+5, 2-2+5, 2-4+5.
    loss = BatchHardTripletLoss(model=None)

    assert loss.batch_hard_triplet_loss(LABELS, POINTS).item() == pytest.approx((3 + 4 + 5 + 3) / 4)


def test_batch_all_value_by_hand():
    # Eight valid triplets with losses 3, 1, 4, 2, 4, 5, 2, 3, all positive.
    loss = BatchAllTripletLoss(model=None)

    assert loss.batch_all_triplet_loss(LABELS, POINTS).item() == pytest.approx(24 / 8)


def test_batch_semi_hard_value_by_hand():
    # Semi-hard negatives per (anchor, positive): 3, 2, 3, 4, giving 3, 4, 4, 3.
    loss = BatchSemiHardTripletLoss(model=None)

    assert loss.batch_semi_hard_triplet_loss(LABELS, POINTS).item() == pytest.approx(3.5)


def test_batch_semi_hard_falls_back_to_farthest():
    # Anchors 0 and 1 have no negative beyond their positive (distance 3), so the farthest (2) is used.
    points = torch.tensor([[0.0], [3.0], [1.0], [2.0]])
    loss = BatchSemiHardTripletLoss(model=None, margin=1)

    assert loss.batch_semi_hard_triplet_loss(LABELS, points).item() == pytest.approx((2 + 2 + 0 + 0) / 4)


def test_triplet_margin_defaults_are_five():
    assert BatchHardTripletLoss(model=None).triplet_margin == 5
    assert BatchAllTripletLoss(model=None).triplet_margin == 5
    assert BatchSemiHardTripletLoss(model=None).margin == 5


def test_mse_value_by_hand():
    loss = MSELoss(model=None)
    embeddings = [torch.tensor([[1.0, 2.0]]), torch.tensor([[3.0, 2.0]])]

    # Column errors ((1-1)^2 + (2-0)^2) / 2 = 2 and ((3-1)^2 + 2^2) / 2 = 4, averaged.
    assert loss.compute_loss_from_embeddings(embeddings, torch.tensor([[1.0, 0.0]])).item() == pytest.approx(3.0)


def test_mse_bad_label_shape_raises():
    with pytest.raises(ValueError, match="labels must be"):
        MSELoss(model=None).compute_loss_from_embeddings([torch.zeros(2, 3)], torch.zeros(2, 3, 3, 1))


def test_cosine_similarity_value_by_hand():
    loss = CosineSimilarityLoss(model=None)
    embeddings = [torch.tensor([[1.0, 0.0], [1.0, 0.0]]), torch.tensor([[1.0, 0.0], [0.0, 1.0]])]

    # Cosines 1 and 0 against labels 0.5 and 0.5.
    assert loss.compute_loss_from_embeddings(embeddings, torch.tensor([0.5, 0.5])).item() == pytest.approx(0.25)


def test_softmax_needs_a_flag(tiny_model):
    with pytest.raises(ValueError, match="concatenation_sent"):
        SoftmaxLoss(tiny_model, 16, 3, concatenation_sent_rep=False, concatenation_sent_difference=False)


def test_softmax_accepts_new_dimension_name(tiny_model):
    loss = SoftmaxLoss(tiny_model, embedding_dimension=16, num_labels=3)

    assert loss.classifier.in_features == 3 * 16


def train_steps(loss: torch.nn.Module, features: list[dict], labels: torch.Tensor | None, steps: int = 8) -> list[float]:
    """Run ``steps`` AdamW steps on ``loss`` with a fixed batch; return the loss before each step."""
    optimizer = torch.optim.AdamW(loss.parameters(), lr=1e-2)
    values = []
    for _ in range(steps):
        value = loss(features, labels)
        optimizer.zero_grad()
        value.backward()
        optimizer.step()
        values.append(value.item())
    return values


def single_column(model, labels: list[int]) -> tuple[list[dict], torch.Tensor]:
    return [model.tokenize(SENTENCES[: len(labels)])], torch.tensor(labels)


def pair_columns(model, count: int) -> list[dict]:
    return [model.tokenize(SENTENCES[:count]), model.tokenize(SENTENCES[count : 2 * count])]


@pytest.mark.parametrize("loss_class", [BatchAllTripletLoss, BatchHardTripletLoss, BatchSemiHardTripletLoss])
def test_batch_triplet_loss_decreases(tiny_model, loss_class):
    torch.manual_seed(0)
    features, labels = single_column(tiny_model, [0, 0, 1, 1, 2, 2, 0, 1])

    values = train_steps(loss_class(tiny_model), features, labels)

    assert values[-1] < values[0], values


def test_mse_loss_decreases(tiny_model):
    torch.manual_seed(0)
    features = [tiny_model.tokenize(SENTENCES[:6])]
    teacher_embeddings = torch.randn(6, 16)

    values = train_steps(MSELoss(tiny_model), features, teacher_embeddings)

    assert values[-1] < values[0], values


def test_cosine_similarity_loss_decreases(tiny_model):
    torch.manual_seed(0)
    scores = torch.tensor([0.9, 0.1, 0.5, 0.0, 1.0, 0.3])

    values = train_steps(CosineSimilarityLoss(tiny_model), pair_columns(tiny_model, 6), scores)

    assert values[-1] < values[0], values


def test_softmax_loss_decreases_and_trains_classifier(tiny_model):
    torch.manual_seed(0)
    loss = SoftmaxLoss(tiny_model, tiny_model.get_sentence_embedding_dimension(), num_labels=3)
    classifier_before = loss.classifier.weight.detach().clone()

    values = train_steps(loss, pair_columns(tiny_model, 6), torch.tensor([0, 1, 2, 0, 1, 2]))

    assert values[-1] < values[0], values
    assert not torch.equal(loss.classifier.weight, classifier_before)
    assert any(parameter is loss.classifier.weight for parameter in loss.parameters())


def test_denoising_loss_decreases(tiny_model):
    torch.manual_seed(0)
    clean = SENTENCES[:6]
    noisy = [" ".join(sentence.split()[::2]) for sentence in clean]
    features = [tiny_model.tokenize(noisy), tiny_model.tokenize(clean)]

    values = train_steps(DenoisingAutoEncoderLoss(tiny_model), features, None)

    assert values[-1] < values[0], values


def test_denoising_decoder_shares_encoder_weights(tiny_model):
    loss = DenoisingAutoEncoderLoss(tiny_model, tie_encoder_decoder=True)
    encoder = tiny_model[0].auto_model

    assert loss.decoder.bert.embeddings.word_embeddings.weight is encoder.embeddings.word_embeddings.weight
    assert loss.decoder.bert.encoder.layer[0].attention.self.query.weight is encoder.encoder.layer[0].attention.self.query.weight
    assert loss.decoder.get_output_embeddings().weight is encoder.embeddings.word_embeddings.weight


def test_denoising_untied_needs_decoder_path(tiny_model):
    with pytest.raises(ValueError, match="decoder_name_or_path"):
        DenoisingAutoEncoderLoss(tiny_model, tie_encoder_decoder=False)


def test_denoising_untied_loads_local_decoder(tiny_model, tiny_bert_dir):
    loss = DenoisingAutoEncoderLoss(tiny_model, decoder_name_or_path=str(tiny_bert_dir), tie_encoder_decoder=False)
    features = [tiny_model.tokenize(["a man eating"]), tiny_model.tokenize(["a man is eating food"])]

    value = loss(features, None)

    assert loss.need_retokenization is False
    assert loss.decoder.bert.embeddings.word_embeddings.weight is not tiny_model[0].auto_model.embeddings.word_embeddings.weight
    assert torch.isfinite(value)
