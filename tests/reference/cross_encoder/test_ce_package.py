"""Import paths of the CrossEncoder side of the reference, as scenario code spells them."""

from __future__ import annotations

import importlib
import pkgutil

import reference.cross_encoder as cross_encoder

EXPECTED_EVALUATORS = {
    "CEBinaryAccuracyEvaluator", "CEBinaryClassificationEvaluator", "CECorrelationEvaluator", "CEF1Evaluator",
    "CERerankingEvaluator", "CESoftmaxAccuracyEvaluator", "CrossEncoderClassificationEvaluator",
    "CrossEncoderCorrelationEvaluator", "CrossEncoderNanoBEIREvaluator", "CrossEncoderRerankingEvaluator",
}


def test_package_exports():
    import reference

    assert set(cross_encoder.__all__) == {
        "CrossEncoder", "CrossEncoderDataCollator", "CrossEncoderTrainer", "CrossEncoderTrainingArguments",
    }
    for name in cross_encoder.__all__:
        assert getattr(cross_encoder, name).__name__ == name
    assert reference.CrossEncoder is cross_encoder.CrossEncoder
    assert reference.CrossEncoderTrainer is cross_encoder.CrossEncoderTrainer
    assert reference.CrossEncoderTrainingArguments is cross_encoder.CrossEncoderTrainingArguments


def test_package_losses_and_evaluators():
    losses = importlib.import_module("reference.cross_encoder.losses")
    evaluation = importlib.import_module("reference.cross_encoder.evaluation")

    assert set(losses.__all__) == {"BinaryCrossEntropyLoss", "CrossEntropyLoss", "MSELoss"}
    assert set(evaluation.__all__) == EXPECTED_EVALUATORS
    assert all(hasattr(evaluation, name) for name in EXPECTED_EVALUATORS)


def test_package_unknown_attribute():
    try:
        cross_encoder.NoSuchThing  # noqa: B018
    except AttributeError as error:
        assert "NoSuchThing" in str(error)
    else:
        raise AssertionError("expected an AttributeError")


def test_package_submodules_import():
    names = [module.name for module in pkgutil.walk_packages(cross_encoder.__path__, "reference.cross_encoder.")]

    for name in names:
        importlib.import_module(name)

    assert "reference.cross_encoder.trainer" in names
    assert "reference.cross_encoder.evaluation.nano_beir" in names

