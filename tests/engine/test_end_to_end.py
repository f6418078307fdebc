"""The whole pipeline in a subprocess: collection, warm runner, fork per invocation, verdicts, outputs.

These tests train tiny models, so each takes several seconds.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from conformance.report.schema import validate_results

from .conftest import PROJECT_ROOT, write_scenarios

SCENARIOS = PROJECT_ROOT / "scenarios"

pytestmark = pytest.mark.slow


def _fork(folder: Path, body: str) -> Path:
    """A fork checkout: a folder holding a `sentence_transformers` package built on the reference."""
    package = folder / "fork" / "sentence_transformers"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent(body))
    return folder / "fork"


def test_reference_flow_is_equivalent(suite):
    run = suite(SCENARIOS, "-k", "st.flow")
    assert run.exit_code == 0, run.output
    record = run.record("st.flow")
    assert record["verdict"] == "equivalent"
    assert record["negative_control"]["verdict"] == "divergent"
    assert record["figures"]["weights"]["tensors"] == 39
    assert record["figures"]["weights"]["max_abs_diff"] < 1e-6
    assert len(record["figures"]["loss"]["legacy"]) == 4
    validate_results(run.results)
    assert (run.run_dir / "index.html").stat().st_size > 1000
    assert (run.run_dir / "junit.xml").exists()


def test_second_run_gives_same_figures(suite):
    first = suite(SCENARIOS, "-k", "st.flow")
    second = suite(SCENARIOS, "-k", "st.flow")
    one, two = first.record("st.flow"), second.record("st.flow")
    assert one["verdict"] == two["verdict"]
    assert one["figures"] == two["figures"]


def test_fork_ignoring_warmup_is_divergent(suite, tmp_path):
    fork = _fork(
        tmp_path,
        '''
        """A deliberately incompatible fork: legacy fit ignores warmup_steps."""
        from conformance.runner.server import alias_reference

        alias_reference()
        import reference

        _fit = reference.SentenceTransformer.fit

        def fit(self, *args, warmup_steps=10000, **kwargs):
            return _fit(self, *args, warmup_steps=0, **kwargs)

        reference.SentenceTransformer.fit = fit
        ''',
    )
    run = suite(SCENARIOS, "-k", "st.flow", "--target", "installed", env={"PYTHONPATH": str(fork)})
    assert run.exit_code == 1
    record = run.record("st.flow")
    assert record["verdict"] == "divergent"
    learning_rate = next(item for item in record["mismatches"] if item["artifact"] == "learning_rate")
    assert learning_rate["first_divergent_step"] == 1
    assert learning_rate["expected"] == pytest.approx(2e-5)
    assert learning_rate["got"] == 0.0
    assert record["figures"]["weights"]["max_abs_diff"] > 1e-6


def test_unknown_target_gives_error_records(suite):
    run = suite(SCENARIOS, "-k", "st.flow", "--target", "nonsense")
    assert run.exit_code == 1
    record = run.record("st.flow")
    assert record["verdict"] == "error"
    assert "'nonsense'" in record["reason"]
    validate_results(run.results)


def test_target_import_failure_is_error(suite, tmp_path):
    fork = _fork(tmp_path, 'raise ImportError("this fork is broken on purpose")\n')
    run = suite(SCENARIOS, "-k", "st.flow", "--target", "installed", env={"PYTHONPATH": str(fork)})
    assert run.exit_code == 1
    record = run.record("st.flow")
    assert record["verdict"] == "error"
    assert "broken on purpose" in record["reason"]
    validate_results(run.results)


_BAD_SCENARIOS = {
    "raises.py": '''
        from conformance import NegativeControl, Scenario

        scenario = Scenario(row="st.fit.epochs", relation="Only one side raises.", negative_control=NegativeControl({"flag": 1}, "flag"))

        @scenario.legacy
        def legacy(ctx):
            return None

        @scenario.new
        def new(ctx, flag=0):
            raise ValueError("the new side rejects this input")
        ''',
    "hangs.py": '''
        import time
        from conformance import NegativeControl, Scenario

        scenario = Scenario(row="st.fit.scheduler", relation="Never returns.", negative_control=NegativeControl({"flag": 1}, "flag"))

        @scenario.legacy
        def legacy(ctx):
            time.sleep(60)

        @scenario.new
        def new(ctx, flag=0):
            return None
        ''',
    "nan.py": '''
        import torch
        from conformance import NegativeControl, Scenario

        scenario = Scenario(row="st.fit.max_grad_norm", relation="Loss is NaN.", negative_control=NegativeControl({"flag": 1}, "flag"))

        class NanLoss(torch.nn.Module):
            def forward(self):
                return torch.tensor(float("nan"), requires_grad=True)

        @scenario.legacy
        def legacy(ctx):
            ctx.probe(NanLoss())()

        @scenario.new
        def new(ctx, flag=0):
            ctx.probe(NanLoss())()
        ''',
}


def test_bad_inputs_give_per_row_verdicts(suite, tmp_path):
    scenarios = write_scenarios(tmp_path, {name: textwrap.dedent(text) for name, text in _BAD_SCENARIOS.items()})
    run = suite(scenarios, "--invocation-timeout", "5")
    assert run.exit_code == 1
    validate_results(run.results)

    raised = run.record("st.fit.epochs")
    assert raised["verdict"] == "divergent"
    assert "the new side rejects this input" in raised["mismatches"][0]["message"]

    hung = run.record("st.fit.scheduler")
    assert hung["verdict"] == "error"
    assert "timed out" in hung["reason"]
    assert "--invocation-timeout" in hung["reason"]

    nan = run.record("st.fit.max_grad_norm")
    assert nan["verdict"] == "error"
    assert "nan" in nan["reason"].lower()
    assert "step 1" in nan["reason"]


def test_unwritable_report_dir_is_usage_error(suite, tmp_path):
    # A regular file in the path blocks the folder for every user, root included.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file, not a folder\n")
    run = suite(SCENARIOS, "-k", "st.flow", "--report-dir", str(blocker / "reports"))
    assert run.exit_code == 4
    assert "not writable" in run.output
    assert "--report-dir" in run.output
    assert blocker.read_text() == "a file, not a folder\n"
