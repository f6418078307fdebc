"""Whole runs with expectations files, cross-version targets and targets that lack an API.

Each test runs the suite on st.flow in a subprocess, so the ones that train take tens of seconds.
"""

from __future__ import annotations

import textwrap

import pytest

from conformance.report.schema import validate_results

from .conftest import run_suite

pytestmark = pytest.mark.slow

STALE_AND_HOLDING = """
[[divergence]]
row = "st.flow"
reason = "listed although the reference holds"

[[divergence]]
row = "ce.fit.epochs"
reason = "a row this run does not collect"
"""


def test_stale_entry_and_unexpected_pass(tmp_path):
    expectations = tmp_path / "expectations.toml"
    expectations.write_text(STALE_AND_HOLDING)
    run = run_suite(tmp_path, "--expectations", str(expectations))
    assert run.exit_code == 1, run.output
    record = run.record("st.flow")
    assert record["verdict"] == "unexpected-pass"
    assert record["expected_reason"] == "listed although the reference holds"
    assert "stale expectation: expectations.toml entry 2 (ce.fit.epochs)" in run.output
    assert run.results["run_info"]["expectations_file"] == str(expectations)
    validate_results(run.results)


def test_expectations_skip_runs_nothing(tmp_path):
    expectations = tmp_path / "expectations.toml"
    expectations.write_text(STALE_AND_HOLDING)
    run = run_suite(tmp_path, "--expectations", str(expectations), "--expectations-skip")
    assert run.exit_code == 0, run.output
    record = run.record("st.flow")
    assert record["verdict"] == "skipped"
    assert record["expected_verdict"] == "skipped"
    assert "skipped by --expectations-skip" in record["reason"]
    assert record["timings"]["total_s"] < 5


def test_bad_expectations_stop_before_rows(tmp_path):
    expectations = tmp_path / "expectations.toml"
    expectations.write_text('[[divergence]]\nrow = "st.nope"\nreason = "x"\n')
    run = run_suite(tmp_path, "--expectations", str(expectations))
    assert run.exit_code == 4
    assert "unknown row id 'st.nope'" in run.output
    assert run.run_dir is None


def test_cross_version_uses_legacy_runner(tmp_path):
    run = run_suite(tmp_path, "--legacy-target", "reference")
    assert run.exit_code == 0, run.output
    assert run.record("st.flow")["verdict"] == "equivalent"
    legacy = run.results["run_info"]["legacy_target"]
    assert legacy["spec"] == "reference"
    assert legacy["name"] == "reference"
    validate_results(run.results)


def test_target_without_trainer_skips_row(tmp_path):
    fork = tmp_path / "fork" / "sentence_transformers"
    fork.mkdir(parents=True)
    (fork / "__init__.py").write_text(
        textwrap.dedent(
            '''
            """A release from before the Trainer: the reference without SentenceTransformerTrainer."""
            from conformance.runner.server import alias_reference

            alias_reference()
            import reference

            del reference.SentenceTransformerTrainer
            '''
        )
    )
    run = run_suite(tmp_path, "--target", "installed", env={"PYTHONPATH": str(fork.parent)})
    assert run.exit_code == 0, run.output
    record = run.record("st.flow")
    assert record["verdict"] == "skipped"
    assert "has no SentenceTransformerTrainer, the new API of the st.* rows" in record["reason"]
