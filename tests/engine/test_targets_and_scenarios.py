"""Target specs and scenario declarations: what is accepted and what errors say."""

from __future__ import annotations

import pytest

from conformance import Case, NegativeControl, Scenario
from conformance.errors import ScenarioDefinitionError, TargetError
from conformance.targets import classify_spec, resolve


@pytest.mark.parametrize(
    ("spec", "kind"),
    [
        ("reference", "reference"),
        ("installed", "installed"),
        ("sentence-transformers==6.3.0", "requirement"),
        ("sentence-transformers>=6", "requirement"),
        ("git+https://example.invalid/fork.git@main", "git"),
        ("dist/sentence_transformers-6.3.0-py3-none-any.whl", "wheel"),
        ("../my-fork", "path"),
    ],
)
def test_classify_spec(spec, kind):
    assert classify_spec(spec) == kind


def test_unknown_target_names_value_and_forms():
    with pytest.raises(TargetError, match=r"'nonsense'.*'reference', 'installed'"):
        resolve("nonsense")


def test_requirement_target_needs_its_environment():
    with pytest.raises(TargetError, match="nox -s conformance"):
        resolve("sentence-transformers==6.3.0")


def _scenario(**overrides):
    arguments = dict(row="st.fit.epochs", relation="Loss matches.", negative_control=NegativeControl({"epochs": 1}, "one epoch"))
    arguments.update(overrides)
    scenario = Scenario(**arguments)

    @scenario.legacy
    def legacy(ctx):
        return None

    @scenario.new
    def new(ctx, epochs=2):
        return None

    return scenario


def test_valid_scenario_passes_validation():
    _scenario().validate()


def test_unknown_row_lists_near_ids():
    with pytest.raises(ScenarioDefinitionError, match="st.flow"):
        _scenario(row="st.fit.nope")


def test_control_override_must_be_a_parameter():
    scenario = _scenario(negative_control=NegativeControl({"warmup": 0}, "x"))
    with pytest.raises(ScenarioDefinitionError, match="warmup"):
        scenario.validate()


def test_expected_divergence_needs_reason():
    with pytest.raises(ScenarioDefinitionError, match="reason"):
        _scenario(cases=(Case(name="x", expect="expected-divergence"),))


def test_unknown_artifact_rejected():
    with pytest.raises(ScenarioDefinitionError, match="lossy"):
        _scenario(artifacts=("lossy",))


def test_negative_control_kwargs_applied_last():
    scenario = _scenario(cases=(Case(new_kwargs={"epochs": 3}),))
    assert scenario.kwargs_for("new", scenario.cases[0]) == {"epochs": 3}
    assert scenario.kwargs_for("negative_control", scenario.cases[0]) == {"epochs": 1}
