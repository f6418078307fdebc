"""Artifact reduction: parameter names and checkpoint manifests."""

from __future__ import annotations

import json

import numpy as np
import pytest
from safetensors.numpy import save_file

from conformance.artifacts import checkpoint_manifest, normalize_parameter_name


@pytest.mark.parametrize(
    ("name", "normalized"),
    [
        ("0.auto_model.encoder.layer.0.attention.self.query.weight", "encoder.layer.0.attention.self.query.weight"),
        ("0.model.embeddings.word_embeddings.weight", "embeddings.word_embeddings.weight"),
        ("embeddings.word_embeddings.weight", "embeddings.word_embeddings.weight"),
        ("model.bert.pooler.dense.bias", "bert.pooler.dense.bias"),
    ],
)
def test_normalize_parameter_name(name, normalized):
    assert normalize_parameter_name(name) == normalized


def _save_model(folder, value):
    folder.mkdir(parents=True)
    save_file({"encoder.weight": np.full((2, 2), value, dtype=np.float32)}, str(folder / "model.safetensors"))
    (folder / "config.json").write_text(json.dumps({"hidden_size": 2, "transformers_version": "x", "_name_or_path": "y"}))


def test_manifest_groups_step_series(tmp_path):
    _save_model(tmp_path / "checkpoints" / "2", 1.0)
    _save_model(tmp_path / "checkpoints" / "4", 2.0)
    _save_model(tmp_path / "output" / "checkpoint-3", 3.0)
    _save_model(tmp_path / "final", 4.0)
    manifest = checkpoint_manifest(tmp_path)
    assert manifest["step_series"] == {"checkpoints": [2, 4], "output": [3]}
    final = next(folder for folder in manifest["folders"] if folder["path"] == "final")
    assert final["step"] is None
    assert final["config"] == {"hidden_size": 2}
    assert final["tensors"]["encoder.weight"] == [16.0, 8.0, 4.0]
