"""The v3 keyword names of the reference CrossEncoder: forwarded values, warnings and conflicts."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from ce_tiny_models import PAIRS
from torch import nn

from reference.cross_encoder import CrossEncoder
from reference.cross_encoder.deprecations import CONFLICTING_ARGUMENTS, RENAMED_ARGUMENT


def _single_deprecation(record: pytest.WarningsRecorder) -> str:
    messages = [str(warning.message) for warning in record if issubclass(warning.category, DeprecationWarning)]
    assert len(messages) == 1, messages
    return messages[0]


@pytest.mark.parametrize(
    ("old", "new", "value", "check"),
    [
        ("automodel_args", "model_kwargs", {"dtype": torch.float64},
         lambda model: next(model.parameters()).dtype == torch.float64),
        ("tokenizer_args", "tokenizer_kwargs", {"model_max_length": 7}, lambda model: model.max_length == 7),
        ("config_args", "config_kwargs", {"hidden_dropout_prob": 0.3},
         lambda model: model.config.hidden_dropout_prob == 0.3),
        ("cache_dir", "cache_folder", "/tmp/unused-cache", lambda model: model.cache_folder == "/tmp/unused-cache"),
        ("default_activation_function", "activation_fn", nn.Tanh(), lambda model: isinstance(model.activation_fn, nn.Tanh)),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_init_old_keyword_forwards(ce1_folder, old, new, value, check):
    with pytest.warns(DeprecationWarning) as record:
        model = CrossEncoder(str(ce1_folder), device="cpu", **{old: value})

    message = _single_deprecation(record)
    assert message == RENAMED_ARGUMENT.format(owner="CrossEncoder", old=old, new=new)
    assert old in message
    assert new in message
    assert check(model)


def test_init_model_name_forwards(ce1_folder):
    with pytest.warns(DeprecationWarning, match=r"model_name=.*model_name_or_path=") as record:
        model = CrossEncoder(model_name=str(ce1_folder), device="cpu")

    assert model.model_name_or_path == str(ce1_folder)
    assert record[0].filename == __file__


def test_init_classifier_dropout_forwards(ce1_folder):
    with pytest.warns(DeprecationWarning) as record:
        model = CrossEncoder(str(ce1_folder), device="cpu", classifier_dropout=0.25)

    message = _single_deprecation(record)
    assert "classifier_dropout" in message
    assert "config_kwargs" in message
    assert model.config.classifier_dropout == 0.25


def test_init_classifier_dropout_merges_config(ce1_folder):
    with pytest.warns(DeprecationWarning):
        model = CrossEncoder(
            str(ce1_folder), device="cpu", classifier_dropout=0.25, config_kwargs={"hidden_dropout_prob": 0.3}
        )

    assert model.config.classifier_dropout == 0.25
    assert model.config.hidden_dropout_prob == 0.3


def test_init_old_and_new_conflict(ce1_folder):
    expected = CONFLICTING_ARGUMENTS.format(owner="CrossEncoder", old="automodel_args", new="model_kwargs")

    with pytest.raises(TypeError) as error:
        CrossEncoder(str(ce1_folder), automodel_args={}, model_kwargs={})

    assert str(error.value) == expected


def test_init_positional_new_conflicts(ce1_folder):
    with pytest.raises(TypeError, match="'model_name' and 'model_name_or_path'"):
        CrossEncoder(str(ce1_folder), model_name=str(ce1_folder))


def test_init_classifier_dropout_conflict(ce1_folder):
    with pytest.raises(TypeError, match="classifier_dropout=0.1 and config_kwargs"):
        CrossEncoder(str(ce1_folder), classifier_dropout=0.1, config_kwargs={"classifier_dropout": 0.2})


def test_init_new_names_do_not_warn(ce1_folder, recwarn):
    CrossEncoder(str(ce1_folder), device="cpu", model_kwargs={}, tokenizer_kwargs={}, config_kwargs={}, activation_fn=nn.Tanh())

    assert [w for w in recwarn if issubclass(w.category, DeprecationWarning)] == []


@pytest.mark.parametrize("method", ["predict", "rank"])
def test_activation_fct_forwards(ce1, method):
    call = _call(ce1, method)
    expected = call(activation_fn=nn.Identity())
    default = call()

    with pytest.warns(DeprecationWarning) as record:
        result = call(activation_fct=nn.Identity())

    message = _single_deprecation(record)
    assert message == RENAMED_ARGUMENT.format(owner=f"CrossEncoder.{method}", old="activation_fct", new="activation_fn")
    assert record[0].filename == __file__
    np.testing.assert_allclose(_scores(result), _scores(expected), atol=1e-7)
    assert not np.allclose(_scores(result), _scores(default))  # logits, not the default sigmoid


@pytest.mark.parametrize("method", ["predict", "rank"])
def test_num_workers_warns_no_effect(ce1, method):
    call = _call(ce1, method)
    expected = call()

    with pytest.warns(DeprecationWarning) as record:
        result = call(num_workers=4)

    message = _single_deprecation(record)
    assert "num_workers" in message
    assert "no effect" in message
    np.testing.assert_allclose(_scores(result), _scores(expected), atol=1e-7)


def test_predict_old_and_new_conflict(ce1):
    with pytest.raises(TypeError, match="'activation_fct' and 'activation_fn'"):
        ce1.predict(PAIRS, activation_fct=nn.Identity(), activation_fn=nn.Identity())


def _call(model: CrossEncoder, method: str):
    if method == "predict":
        return lambda **kwargs: model.predict(PAIRS, **kwargs)
    return lambda **kwargs: model.rank("what are pandas", [second for _, second in PAIRS], **kwargs)


def _scores(result) -> np.ndarray:
    if isinstance(result, list):
        return np.array([entry["score"] for entry in sorted(result, key=lambda entry: entry["corpus_id"])])
    return np.asarray(result)
