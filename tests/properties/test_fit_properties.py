"""Property-based tier: generated legacy fit calls and their translated Trainer calls agree on the reference.

Hypothesis draws fit arguments: epochs, steps per epoch, scheduler, warmup, learning rate, weight
decay, gradient clipping, batch size and evaluation steps. Each example trains both paths on the
tiny model. It compares the loss and learning rate at every step, the final weights and the
evaluations under the suite's fp32 CPU tolerance. The optimizer's class, parameter groups and
group settings are compared with the relative tolerance only, as the engine compares them. The gate run (`nox -s tests`) is derandomized
with a small fixed budget; CONFORMANCE_HYPOTHESIS_EXAMPLES=<n> runs n random examples instead.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance.compare.numeric import compare_arrays, compare_curve
from conformance.compare.structured import deep_mismatches
from conformance.compare.tolerance import Tolerance, select

from .conftest import SEED
from .fit_runs import run_legacy, run_new
from .fit_translation import FitCall, translate_fit_arguments

EXAMPLES_ENV = "CONFORMANCE_HYPOTHESIS_EXAMPLES"
# About a minute on two cores: each example trains the tiny model twice for at most 12 steps.
GATE_EXAMPLES = 10
DATASET_SIZE = 16
SCHEDULERS = ("WarmupLinear", "warmupcosine", "WARMUPCONSTANT", "ConstantLR", "WarmupCosineWithHardRestarts")


def budget() -> settings:
    """Derandomized with GATE_EXAMPLES examples, or random with the number CONFORMANCE_HYPOTHESIS_EXAMPLES names."""
    common = {
        "deadline": None,
        "database": None,
        "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    }
    requested = os.environ.get(EXAMPLES_ENV)
    if not requested:
        return settings(max_examples=GATE_EXAMPLES, derandomize=True, **common)
    if not requested.isdigit() or int(requested) < 1:
        raise ValueError(f"{EXAMPLES_ENV}={requested!r} is invalid: set it to a positive number of examples")
    return settings(max_examples=int(requested), derandomize=False, **common)


@st.composite
def fit_calls(draw: st.DrawFn) -> FitCall:
    """Legacy fit calls that have a Trainer equivalent (see translate_fit_arguments)."""
    batch_size = draw(st.integers(min_value=4, max_value=DATASET_SIZE))
    epochs = draw(st.integers(min_value=1, max_value=3))
    steps_per_epoch = draw(st.none() | st.integers(min_value=1, max_value=6)) if epochs == 1 else None
    call = FitCall(dataset_size=DATASET_SIZE, batch_size=batch_size, epochs=epochs, steps_per_epoch=steps_per_epoch)

    steps = call.steps_in_epoch
    intervals = [k for k in range(1, steps + 1) if epochs == 1 or steps % k == 0]
    with_evaluator = draw(st.booleans())
    return FitCall(
        dataset_size=DATASET_SIZE,
        batch_size=batch_size,
        epochs=epochs,
        steps_per_epoch=steps_per_epoch,
        scheduler=draw(st.sampled_from(SCHEDULERS)),
        warmup_steps=draw(st.integers(min_value=0, max_value=steps * epochs + 2)),
        learning_rate=draw(st.floats(min_value=1e-6, max_value=1e-4)),
        weight_decay=draw(st.sampled_from((0.0, 0.01, 0.1, 1.0))),
        max_grad_norm=draw(st.floats(min_value=0.05, max_value=2.0)),
        evaluation_steps=draw(st.sampled_from([0, *intervals])) if with_evaluator else 0,
        with_evaluator=with_evaluator,
    )


@budget()
@given(call=fit_calls())
def test_fit_and_trainer_agree(call: FitCall, tiny_model_folder: Path, fit_data: dict) -> None:
    tolerance = select("cpu", "fp32")
    with tempfile.TemporaryDirectory() as workdir:
        new, batches = run_new(call, tiny_model_folder, fit_data, SEED, Path(workdir))
    legacy = run_legacy(call, tiny_model_folder, fit_data, SEED, batches)

    expected_steps = call.steps_in_epoch * call.epochs
    assert len(legacy.loss) == expected_steps, call
    assert len(new.loss) == expected_steps, call
    assert compare_curve("loss", "loss", legacy.loss, new.loss, tolerance) == [], call

    relative = Tolerance("fp32-cpu, relative only", tolerance.rtol, 0.0)
    assert sorted(legacy.learning_rates) == sorted(new.learning_rates), call
    for name, rates in legacy.learning_rates.items():
        assert compare_curve("learning_rate", name, rates, new.learning_rates[name], relative) == [], call
    assert deep_mismatches("optimizer", legacy.optimizers, new.optimizers, relative) == [], call

    weight_mismatches, _ = compare_arrays("weights", legacy.weights, new.weights, tolerance)
    assert weight_mismatches == [], call
    assert deep_mismatches("evaluations", legacy.evaluations, new.evaluations, tolerance) == [], call
    assert bool(legacy.evaluations) == call.with_evaluator, call


def test_translation_maps_scheduler_names() -> None:
    call = FitCall(dataset_size=DATASET_SIZE, batch_size=4, scheduler="WarmupCosineWithHardRestarts")

    assert translate_fit_arguments(call)["lr_scheduler_type"] == "cosine_with_restarts"


def test_translation_passes_fit_defaults() -> None:
    arguments = translate_fit_arguments(FitCall(dataset_size=DATASET_SIZE, batch_size=16))

    assert arguments["learning_rate"] == 2e-5
    assert arguments["weight_decay"] == 0.01
    assert arguments["warmup_steps"] == 10000
    assert arguments["num_train_epochs"] == 1


def test_translation_rejects_unknown_scheduler() -> None:
    with pytest.raises(ValueError, match="WarmupExponential"):
        translate_fit_arguments(FitCall(dataset_size=DATASET_SIZE, batch_size=4, scheduler="WarmupExponential"))


def test_translation_rejects_steps_per_epoch_over_epochs() -> None:
    with pytest.raises(ValueError, match="max_steps"):
        translate_fit_arguments(FitCall(dataset_size=DATASET_SIZE, batch_size=4, epochs=2, steps_per_epoch=3))


def test_translation_rejects_interval_across_epochs() -> None:
    call = FitCall(dataset_size=DATASET_SIZE, batch_size=4, epochs=2, evaluation_steps=3, with_evaluator=True)

    with pytest.raises(ValueError, match="evaluation_steps=3"):
        translate_fit_arguments(call)
