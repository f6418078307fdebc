"""Skipped records with their reasons (no GPU, a case that does not apply, a runtime skip) and the AMP rows on CPU."""

from __future__ import annotations

import pytest

from conformance import Case, NegativeControl, Scenario
from conformance.errors import ScenarioDefinitionError
from conformance.report.schema import validate_results

from .conftest import SCENARIOS, write_scenarios


def test_case_skip_reason_lookup_order():
    case = Case("bf16", skip={"tiny-cuda": "tiny on cuda", "cpu": "any cpu", "statistical": "statistical"})
    assert case.skip_reason("tiny", "cuda") == "tiny on cuda"
    assert case.skip_reason("real", "cpu") == "any cpu"
    assert case.skip_reason("statistical", "cuda") == "statistical"
    assert case.skip_reason("real", "cuda") is None


@pytest.mark.parametrize(
    ("case", "message"),
    [
        (Case("x", dtype="fp8"), "dtype must be one of"),
        (Case("x", skip={"gpu": "why"}), "skip entry 'gpu'"),
        (Case("x", skip={"cpu": " "}), "skip entry 'cpu'"),
        (Case("x", skip={"huge-cpu": "why"}), "skip entry 'huge-cpu'"),
    ],
)
def test_case_declaration_is_checked(case, message):
    with pytest.raises(ScenarioDefinitionError, match=message):
        Scenario(row="st.flow", relation="r", negative_control=NegativeControl({}, "c"), cases=(case,))


SKIPPING_SCENARIO = '''
"""The new invocation skips itself, as a GPU without bfloat16 would make it."""

from conformance import NegativeControl, Scenario

scenario = Scenario(
    row="st.flow",
    relation="Nothing is compared: the new side skips itself.",
    negative_control=NegativeControl({"flag": 1}, "unused"),
    artifacts=("observations",),
)


@scenario.legacy
def legacy(ctx):
    ctx.observe("ran", True)


@scenario.new
def new(ctx, flag=0):
    ctx.skip("this device cannot run bf16")
'''


@pytest.mark.slow
def test_invocation_can_skip_itself(suite, tmp_path):
    scenarios = write_scenarios(tmp_path, {"skipping.py": SKIPPING_SCENARIO})
    run = suite(scenarios)
    assert run.exit_code == 0, run.output
    record = run.records()["st.flow::default[tiny-cpu]"]
    assert record["verdict"] == "skipped"
    assert record["reason"] == "the new invocation skipped itself: this device cannot run bf16"
    assert record["unexpected"] is False


@pytest.mark.slow
def test_amp_rows_on_cpu(suite):
    run = suite(SCENARIOS, "-k", "use_amp", "--device", "cpu,cuda")
    assert run.exit_code == 0, run.output
    records = run.records()
    for row in ("st.fit.use_amp", "ce.fit.use_amp"):
        bf16 = records[f"{row}::bf16[tiny-cpu]"]
        assert bf16["verdict"] == "equivalent"
        assert bf16["tolerance"]["policy"] == "bf16"
        assert bf16["figures"]["observations"]["legacy"]["autocast_dtypes"] == ["bfloat16"]
        assert bf16["figures"]["observations"]["new"]["skipped_steps"] == 0
        assert bf16["negative_control"]["verdict"] == "divergent"

        fp16 = records[f"{row}::fp16[tiny-cpu]"]
        assert fp16["verdict"] == "skipped"
        assert fp16["expected_verdict"] == "skipped"
        assert "fp16=True does not autocast on CPU" in fp16["reason"]

        for case, policy in (("fp16", "fp16"), ("bf16", "bf16")):
            cuda = records[f"{row}::{case}[tiny-cuda]"]
            assert cuda["verdict"] == "skipped"
            assert cuda["tolerance"]["policy"] == policy
    validate_results(run.results)
