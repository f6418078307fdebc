"""Saved layouts of the reference CrossEncoder, and round trips with upstream sentence-transformers."""

from __future__ import annotations

import json
import logging

import numpy as np
import pytest
from ce_tiny_models import PAIRS, max_weight_difference
from torch import nn

from reference.cross_encoder import CrossEncoder

ABS_TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def upstream():
    """The real upstream package, which the conformance targets compare against."""
    return pytest.importorskip("sentence_transformers")


def test_save_writes_activation_in_config(ce1, tmp_path):
    ce1.activation_fn = nn.Tanh()
    ce1.save(str(tmp_path))

    config = json.loads((tmp_path / "config.json").read_text())

    assert config["sentence_transformers"]["activation_fn"] == "torch.nn.modules.activation.Tanh"
    assert (tmp_path / "model.safetensors").is_file()
    assert (tmp_path / "tokenizer_config.json").is_file()


def test_save_load_roundtrip(ce3, tmp_path):
    ce3.activation_fn = nn.Tanh()
    ce3.save_pretrained(str(tmp_path))
    loaded = CrossEncoder(str(tmp_path), device="cpu")

    assert isinstance(loaded.activation_fn, nn.Tanh)
    assert max_weight_difference(ce3.model, loaded.model) == 0.0
    np.testing.assert_allclose(loaded.predict(PAIRS), ce3.predict(PAIRS), atol=ABS_TOLERANCE)


def test_save_none_path_writes_nothing(ce1, tmp_path):
    ce1.save(None)

    assert list(tmp_path.iterdir()) == []


def test_load_v3_activation_key(ce1, tmp_path):
    ce1.save(str(tmp_path))
    config = json.loads((tmp_path / "config.json").read_text())
    del config["sentence_transformers"]
    config["sbert_ce_default_activation_function"] = "torch.nn.modules.linear.Identity"
    (tmp_path / "config.json").write_text(json.dumps(config))

    assert isinstance(CrossEncoder(str(tmp_path), device="cpu").activation_fn, nn.Identity)


def test_load_ignores_untrusted_activation(ce1, tmp_path, caplog):
    ce1.save(str(tmp_path))
    config = json.loads((tmp_path / "config.json").read_text())
    config["sentence_transformers"]["activation_fn"] = "os.system"
    (tmp_path / "config.json").write_text(json.dumps(config))

    with caplog.at_level(logging.WARNING):
        model = CrossEncoder(str(tmp_path), device="cpu")

    assert isinstance(model.activation_fn, nn.Sigmoid)
    assert "'os.system'" in caplog.text


def test_load_rejects_module_pipeline(ce1, tmp_path):
    ce1.save(str(tmp_path))
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.base.modules.transformer.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Dense", "type": "sentence_transformers.base.modules.dense.Dense"},
    ]
    (tmp_path / "modules.json").write_text(json.dumps(modules))

    with pytest.raises(ValueError, match="supports only one Transformer module"):
        CrossEncoder(str(tmp_path), device="cpu")


@pytest.mark.parametrize("activation", [nn.Tanh(), None], ids=["tanh", "default"])
def test_upstream_loads_reference_save(upstream, ce1, tmp_path, activation):
    if activation is not None:
        ce1.activation_fn = activation
    ce1.save(str(tmp_path))

    loaded = upstream.CrossEncoder(str(tmp_path), device="cpu")

    assert type(loaded.activation_fn) is type(ce1.activation_fn)
    np.testing.assert_allclose(loaded.predict(PAIRS), ce1.predict(PAIRS), atol=ABS_TOLERANCE)


def test_upstream_loads_reference_multilabel(upstream, ce3, tmp_path):
    ce3.save(str(tmp_path))

    loaded = upstream.CrossEncoder(str(tmp_path), device="cpu")

    assert loaded.num_labels == 3
    np.testing.assert_allclose(loaded.predict(PAIRS), ce3.predict(PAIRS), atol=ABS_TOLERANCE)


@pytest.mark.parametrize("activation", [nn.Tanh(), None], ids=["tanh", "default"])
def test_reference_loads_upstream_save(upstream, ce1_folder, tmp_path, activation):
    original = upstream.CrossEncoder(str(ce1_folder), device="cpu", activation_fn=activation)
    original.save(str(tmp_path))

    loaded = CrossEncoder(str(tmp_path), device="cpu")

    assert type(loaded.activation_fn) is type(original.activation_fn)
    np.testing.assert_allclose(loaded.predict(PAIRS), original.predict(PAIRS), atol=ABS_TOLERANCE)


def test_reference_loads_upstream_multilabel(upstream, ce3_folder, tmp_path):
    original = upstream.CrossEncoder(str(ce3_folder), device="cpu")
    original.save(str(tmp_path))

    loaded = CrossEncoder(str(tmp_path), device="cpu")

    assert loaded.num_labels == 3
    assert isinstance(loaded.activation_fn, nn.Identity)
    np.testing.assert_allclose(loaded.predict(PAIRS), original.predict(PAIRS), atol=ABS_TOLERANCE)
