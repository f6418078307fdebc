"""Loading, predict and rank of the reference CrossEncoder."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ce_tiny_models import PAIRS
from torch import nn
from transformers import BertConfig, BertModel

from reference.cross_encoder import CrossEncoder


def test_model_default_attributes(ce1, ce3):
    assert ce1.num_labels == 1
    assert isinstance(ce1.activation_fn, nn.Sigmoid)
    assert ce3.num_labels == 3
    assert isinstance(ce3.activation_fn, nn.Identity)
    assert ce1.max_length == 64
    assert ce1.config is ce1.model.config
    assert ce1.device == torch.device("cpu")


def test_model_activation_not_a_submodule(ce1):
    assert "activation_fn" not in dict(ce1.named_modules())


def test_model_without_head_gets_one_label(tmp_path, ce1_folder):
    config = BertConfig.from_pretrained(str(ce1_folder))
    BertModel(config).save_pretrained(str(tmp_path))
    for name in ("vocab.txt", "tokenizer.json", "tokenizer_config.json"):
        (tmp_path / name).write_bytes((ce1_folder / name).read_bytes())

    model = CrossEncoder(str(tmp_path), device="cpu")

    assert model.num_labels == 1


def test_model_max_length_truncates(ce1_folder):
    model = CrossEncoder(str(ce1_folder), max_length=6, device="cpu")
    features = model.preprocess([("a man is eating food", "the girl is carrying a baby")])

    assert model.max_length == 6
    assert features["input_ids"].shape == (1, 6)


def test_model_rejects_hub_id():
    with pytest.raises(FileNotFoundError, match="'cross-encoder/ms-marco-MiniLM-L6-v2' is not a local folder"):
        CrossEncoder("cross-encoder/ms-marco-MiniLM-L6-v2")


def test_model_rejects_unknown_keyword(ce1_folder):
    with pytest.raises(TypeError, match="unexpected keyword argument 'foo'"):
        CrossEncoder(str(ce1_folder), foo=1)


def test_predict_applies_sigmoid(ce1):
    probabilities = ce1.predict(PAIRS)
    logits = ce1.predict(PAIRS, activation_fn=nn.Identity())

    assert probabilities.shape == (len(PAIRS),)
    assert probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities, 1 / (1 + np.exp(-logits)), atol=1e-6)


def test_predict_activation_is_per_call(ce1):
    ce1.predict(PAIRS, activation_fn=nn.Identity())

    assert isinstance(ce1.activation_fn, nn.Sigmoid)


def test_predict_single_pair_scalar(ce1):
    single = ce1.predict(PAIRS[0])
    batch = ce1.predict(PAIRS)

    assert np.ndim(single) == 0
    assert single == pytest.approx(float(batch[0]), abs=1e-6)


def test_predict_batching_invariant(ce1):
    np.testing.assert_allclose(ce1.predict(PAIRS, batch_size=3), ce1.predict(PAIRS, batch_size=32), atol=1e-6)


def test_predict_output_types(ce3):
    as_tensor = ce3.predict(PAIRS, convert_to_tensor=True)
    as_list = ce3.predict(PAIRS, convert_to_numpy=False)

    assert isinstance(as_tensor, torch.Tensor)
    assert as_tensor.shape == (len(PAIRS), 3)
    assert isinstance(as_list, list)
    assert len(as_list) == len(PAIRS)
    assert torch.allclose(as_list[0], as_tensor[0])


def test_predict_softmax_sums_to_one(ce3):
    probabilities = ce3.predict(PAIRS, apply_softmax=True)

    np.testing.assert_allclose(probabilities.sum(axis=1), np.ones(len(PAIRS)), atol=1e-6)


def test_predict_softmax_keeps_single_label(ce1):
    np.testing.assert_allclose(ce1.predict(PAIRS, apply_softmax=True), ce1.predict(PAIRS), atol=1e-7)


def test_predict_empty_input(ce1):
    assert ce1.predict([]).shape == (0,)


def test_predict_rejects_bad_pair(ce1):
    with pytest.raises(ValueError, match="got the element \\('only one text',\\)"):
        ce1.predict([("only one text",)])


def test_predict_restores_training_mode(ce1):
    ce1.train()
    ce1.predict(PAIRS[:2])

    assert ce1.training


def test_rank_sorted_by_score(ce1):
    query = "what are pandas"
    documents = [second for _, second in PAIRS[:5]]
    scores = ce1.predict([(query, document) for document in documents])

    results = ce1.rank(query, documents, return_documents=True)

    assert [result["corpus_id"] for result in results] == list(np.argsort(-scores, kind="stable"))
    assert [result["text"] for result in results] == [documents[result["corpus_id"]] for result in results]
    assert results[0]["score"] == pytest.approx(float(scores.max()), abs=1e-6)


def test_rank_top_k(ce1):
    results = ce1.rank("what are pandas", [second for _, second in PAIRS], top_k=2)

    assert len(results) == 2
    assert set(results[0]) == {"corpus_id", "score"}


def test_rank_rejects_multi_label(ce3):
    with pytest.raises(ValueError, match="num_labels=3"):
        ce3.rank("what are pandas", ["pandas are bears"])
