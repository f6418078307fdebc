"""SentenceTransformer: encode, tokenize, collate and module behaviour."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from st_tiny_models import TRIPLETS

from reference import InputExample, SentenceTransformer
from reference.models import Normalize, Pooling

SENTENCES = [row[0] for row in TRIPLETS]


def test_encode_numpy_shape(model):
    embeddings = model.encode(SENTENCES, batch_size=3)

    assert isinstance(embeddings, np.ndarray)
    assert embeddings.shape == (len(SENTENCES), 16)
    assert embeddings.dtype == np.float32


def test_encode_order_independent_of_batching(model):
    one_batch = model.encode(SENTENCES, batch_size=64)
    small_batches = model.encode(SENTENCES, batch_size=2)

    np.testing.assert_allclose(small_batches, one_batch, atol=1e-6, rtol=0)


def test_encode_single_string(model):
    embedding = model.encode(SENTENCES[0])
    batch = model.encode(SENTENCES[:1])

    assert embedding.shape == (16,)
    np.testing.assert_allclose(embedding, batch[0], atol=1e-7, rtol=0)


def test_encode_tensor_normalized(model):
    embeddings = model.encode(SENTENCES, convert_to_tensor=True, normalize_embeddings=True)

    assert isinstance(embeddings, torch.Tensor)
    assert torch.allclose(embeddings.norm(dim=1), torch.ones(len(SENTENCES)), atol=1e-6)


def test_encode_list_of_tensors(model):
    embeddings = model.encode(SENTENCES, convert_to_numpy=False)

    assert isinstance(embeddings, list)
    assert len(embeddings) == len(SENTENCES)
    assert embeddings[0].shape == (16,)


def test_encode_restores_train_mode(model):
    model.train()
    model.encode(SENTENCES)
    assert model.training

    model.eval()
    model.encode(SENTENCES)
    assert not model.training


def test_encode_no_grad(model):
    embeddings = model.encode(SENTENCES, convert_to_tensor=True)

    assert not embeddings.requires_grad


def test_tokenize_pairs(model):
    pairs = model.tokenize([("a man", "a dog"), ("a cat", "the kids are frowning")])
    singles = model.tokenize(["a man", "a cat"])

    # Pairs carry two segments: token_type_ids mark the second text with 1.
    assert pairs["input_ids"].shape[0] == 2
    assert pairs["token_type_ids"].max().item() == 1
    assert singles["token_type_ids"].max().item() == 0


def test_tokenize_rejects_bad_item(model):
    with pytest.raises(ValueError, match="42"):
        model.tokenize(["a man", 42])


def test_max_seq_length_truncates(model):
    model.max_seq_length = 4

    features = model.tokenize([SENTENCES[0]])

    assert model.max_seq_length == 4
    assert features["input_ids"].shape[1] == 4


def test_smart_batching_collate(model):
    examples = [InputExample(texts=["a man", "a dog"], label=1.0), InputExample(texts=["a cat", "a car"], label=0.0)]

    features, labels = model.smart_batching_collate(examples)

    assert len(features) == 2
    assert features[0]["input_ids"].shape[0] == 2
    assert labels.tolist() == [1.0, 0.0]


def test_sentence_embedding_dimension(model):
    assert model.get_sentence_embedding_dimension() == 16


def test_pooling_modes():
    tokens = torch.tensor([[[1.0, 2.0], [3.0, -4.0], [100.0, 100.0]]])
    mask = torch.tensor([[1, 1, 0]])

    def pool(**kwargs):
        return Pooling(2, **kwargs)({"token_embeddings": tokens, "attention_mask": mask})["sentence_embedding"]

    assert pool(pooling_mode="mean").tolist() == [[2.0, -1.0]]
    assert pool(pooling_mode="cls").tolist() == [[1.0, 2.0]]
    assert pool(pooling_mode="max").tolist() == [[3.0, 2.0]]
    assert pool(pooling_mode_cls_token=True, pooling_mode_mean_tokens=True).tolist() == [[1.0, 2.0, 2.0, -1.0]]


def test_pooling_invalid_mode():
    with pytest.raises(ValueError, match="'sum'"):
        Pooling(2, pooling_mode="sum")


def test_normalize_module(model):
    normalized = SentenceTransformer(modules=[model[0], model[1], Normalize()], device="cpu")

    embeddings = normalized.encode(SENTENCES, convert_to_tensor=True)

    assert torch.allclose(embeddings.norm(dim=1), torch.ones(len(SENTENCES)), atol=1e-6)


def test_device_property(model):
    assert model.device == torch.device("cpu")
