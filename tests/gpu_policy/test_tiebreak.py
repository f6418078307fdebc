"""The float64 tie-break: when to run it, the float64 model copy, and its conclusion on two broken forks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load_file, save_file

from conformance.compare import SideResult
from conformance.errors import FixtureError
from conformance.report.schema import validate_results
from conformance.tiebreak import needs_tiebreak, state_arrays64, summarize, write_float64_copy

from .conftest import SCENARIOS, write_fork


def _mismatch(artifact: str, kind: str = "value") -> dict:
    return {"artifact": artifact, "kind": kind}


@pytest.mark.parametrize(
    ("dtype", "tier", "mismatches", "expected"),
    [
        ("fp32", "tiny", [_mismatch("weights")], True),
        ("tf32", "tiny", [_mismatch("loss")], True),
        ("fp32", "real", [_mismatch("heldout")], True),
        ("bf16", "tiny", [_mismatch("weights")], False),
        ("fp16", "tiny", [_mismatch("loss")], False),
        ("fp32", "statistical", [_mismatch("loss")], False),
        ("fp32", "tiny", [_mismatch("warnings", "extra")], False),
        ("fp32", "tiny", [_mismatch("loss", "length")], False),
        ("fp32", "tiny", [], False),
    ],
)
def test_needs_tiebreak(dtype, tier, mismatches, expected):
    assert needs_tiebreak(dtype, tier, mismatches) is expected


def _saved_folder(folder: Path) -> Path:
    (folder / "1_Pooling").mkdir(parents=True)
    save_file({"weight": np.ones((2, 2), dtype=np.float32), "ids": np.arange(3, dtype=np.int64)}, str(folder / "model.safetensors"), metadata={"format": "pt"})
    (folder / "config.json").write_text(json.dumps({"model_type": "bert", "dtype": "float32", "hidden_size": 2}))
    (folder / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_mean_tokens": True}))
    (folder / ".complete").write_text("ok\n")
    return folder


def test_float64_copy_converts_weights_and_config(tmp_path):
    source = _saved_folder(tmp_path / "source")
    write_float64_copy(source, tmp_path / "copy")
    tensors = load_file(str(tmp_path / "copy" / "model.safetensors"))
    assert tensors["weight"].dtype == np.float64
    assert tensors["ids"].dtype == np.int64
    assert json.loads((tmp_path / "copy" / "config.json").read_text())["dtype"] == "float64"
    assert json.loads((tmp_path / "copy" / "1_Pooling" / "config.json").read_text()) == {"pooling_mode_mean_tokens": True}


def test_float64_copy_leaves_source_alone(tmp_path):
    source = _saved_folder(tmp_path / "source")
    write_float64_copy(source, tmp_path / "copy")
    assert load_file(str(source / "model.safetensors"))["weight"].dtype == np.float32
    assert not (tmp_path / "copy" / ".complete").exists()


def test_float64_copy_sets_dtype_in_older_config(tmp_path):
    source = _saved_folder(tmp_path / "source")
    (source / "config.json").write_text(json.dumps({"model_type": "bert", "torch_dtype": "float32"}))
    write_float64_copy(source, tmp_path / "copy")
    assert json.loads((tmp_path / "copy" / "config.json").read_text()) == {"model_type": "bert", "torch_dtype": "float64"}


def test_float64_copy_rejects_pickled_weights(tmp_path):
    source = _saved_folder(tmp_path / "source")
    (source / "pytorch_model.bin").write_bytes(b"")
    with pytest.raises(FixtureError, match="pytorch_model.bin"):
        write_float64_copy(source, tmp_path / "copy")


def test_state_arrays64_keeps_float64():
    import torch

    state = {"0.auto_model.encoder.weight": torch.full((2,), 1 / 3, dtype=torch.float64), "position_ids": torch.arange(2)}
    arrays = state_arrays64(state)
    assert list(arrays) == ["encoder.weight"]
    assert arrays["encoder.weight"].dtype == np.float64
    assert arrays["encoder.weight"][0] == 1 / 3


def _side(loss: list[float], weight: float) -> SideResult:
    return SideResult({"loss": {"loss": loss}}, {"weights/w": np.array([weight, 1.0])})


def test_summarize_rounding():
    figure = summarize(
        _side([3.0, 2.5], 0.50001), _side([3.0, 2.5004], 0.5003),
        _side([3.0, 2.50001], 0.500011), _side([3.0, 2.50001], 0.500011),
        primary="weights",
    )
    assert figure["conclusion"] == "rounding"
    assert figure["closer"] == "legacy"
    assert figure["artifacts"]["weights"]["float64_agree"] is True
    assert figure["artifacts"]["weights"]["new_to_reference"] == pytest.approx(0.000289)


def test_summarize_api_difference():
    figure = summarize(
        _side([3.0, 2.5], 0.5), _side([3.0, 2.4], 0.4),
        _side([3.0, 2.5], 0.5), _side([3.0, 2.4], 0.4),
    )
    assert figure["conclusion"] == "api-difference"
    assert figure["decided_on"] == "loss"
    assert figure["artifacts"]["loss"]["float64_difference"] == pytest.approx(0.1)
    assert "still differ in float64" in figure["summary"]


def test_summarize_missing_tensor_does_not_agree():
    figure = summarize(_side([1.0], 0.5), _side([1.0], 0.5), _side([1.0], 0.5), SideResult({"loss": {"loss": [1.0]}}, {}))
    assert figure["artifacts"]["weights"]["float64_agree"] is False
    assert figure["artifacts"]["weights"]["float64_difference"] is None


ROUNDING_FORK = '''
"""A fork whose Trainer rounds the sentence embeddings it trains on: (e + 1024) - 1024, the identity in exact arithmetic."""
from conformance.runner.server import alias_reference

alias_reference()
import reference

_init = reference.SentenceTransformerTrainer.__init__


def _round(_module, _inputs, output):
    output["sentence_embedding"] = (output["sentence_embedding"] + 1024.0) - 1024.0
    return output


def __init__(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    self.model.register_forward_hook(_round)


reference.SentenceTransformerTrainer.__init__ = __init__
'''

WARMUP_FORK = '''
"""A deliberately incompatible fork: legacy fit ignores warmup_steps."""
from conformance.runner.server import alias_reference

alias_reference()
import reference

_fit = reference.SentenceTransformer.fit


def fit(self, *args, warmup_steps=10000, **kwargs):
    return _fit(self, *args, warmup_steps=0, **kwargs)


reference.SentenceTransformer.fit = fit
'''


@pytest.mark.slow
def test_rounding_fork_is_told_apart(suite, tmp_path):
    fork = write_fork(tmp_path, ROUNDING_FORK)
    run = suite(SCENARIOS, "-k", "st.flow", "--target", "installed", env={"PYTHONPATH": str(fork)})
    record = run.records()["st.flow::default[tiny-cpu]"]
    assert record["verdict"] == "divergent", run.output
    tiebreak = record["figures"]["float64_tiebreak"]
    assert tiebreak["status"] == "ran"
    assert tiebreak["conclusion"] == "rounding"
    assert tiebreak["closer"] == "legacy"
    weights = tiebreak["artifacts"]["weights"]
    assert weights["float64_difference"] < 1e-9 * weights["float32_difference"] + 1e-11
    assert record["timings"]["tiebreak_s"] > 0
    validate_results(run.results)
    assert "Float64 tie-break" in (run.run_dir / "index.html").read_text()


@pytest.mark.slow
def test_api_difference_fork_is_told_apart(suite, tmp_path):
    fork = write_fork(tmp_path, WARMUP_FORK)
    run = suite(SCENARIOS, "-k", "st.flow", "--target", "installed", env={"PYTHONPATH": str(fork)})
    tiebreak = run.records()["st.flow::default[tiny-cpu]"]["figures"]["float64_tiebreak"]
    assert tiebreak["conclusion"] == "api-difference"
    assert tiebreak["closer"] == "legacy"
    loss = tiebreak["artifacts"]["loss"]
    assert loss["float64_difference"] == pytest.approx(loss["float32_difference"], rel=0.01)

