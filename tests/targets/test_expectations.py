"""Expectations files: parsing, the messages for bad entries, verdicts they change, stale entries, drafts."""

from __future__ import annotations

import json

import pytest

from conformance.cli import main as cli_main
from conformance.expectations import ExpectationsError, draft, load

VALID = """
[[divergence]]
row = "st.fit.warmup_steps"
device = "cuda"
reason = "the fork warms up per epoch"
link = "https://example.invalid/issues/1"

[[divergence]]
row = "st.flow"
reason = "the fork deprecates an import path"
"""


def _write(tmp_path, text, name="expectations.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _record(row="st.flow", verdict="divergent", device="cpu", tier="tiny", case="default", expected="equivalent"):
    return {
        "id": f"{row}::{case}[{tier}-{device}]",
        "row": row,
        "case": case,
        "device": device,
        "tier": tier,
        "verdict": verdict,
        "expected_verdict": expected,
        "expected_reason": None,
        "unexpected": verdict in ("divergent", "error"),
        "reason": "1 mismatches; first: loss differs",
    }


def test_load_valid_file(tmp_path):
    expectations = load(_write(tmp_path, VALID))
    assert len(expectations.entries) == 2
    assert expectations.entries[0].device == "cuda"
    assert expectations.entries[0].link == "https://example.invalid/issues/1"
    assert expectations.entries[1].device is None


def test_syntax_error_names_file_and_line(tmp_path):
    path = _write(tmp_path, "[[divergence]]\nrow = st.flow\n")
    with pytest.raises(ExpectationsError, match=r"expectations.toml.*not valid TOML.*line 2"):
        load(path)


def test_unknown_row_suggests_near_id(tmp_path):
    path = _write(tmp_path, '[[divergence]]\nrow = "st.fit.warmup_step"\nreason = "x"\n')
    with pytest.raises(ExpectationsError, match=r"entry 1: unknown row id 'st.fit.warmup_step'; did you mean 'st.fit.warmup_steps'"):
        load(path)


def test_missing_reason_rejected(tmp_path):
    with pytest.raises(ExpectationsError, match=r"entry 1 \(st.flow\) has no reason"):
        load(_write(tmp_path, '[[divergence]]\nrow = "st.flow"\n'))


def test_unknown_key_rejected(tmp_path):
    with pytest.raises(ExpectationsError, match=r"unknown key\(s\) \['rows'\]"):
        load(_write(tmp_path, '[[divergence]]\nrow = "st.flow"\nrows = "x"\nreason = "x"\n'))


def test_unknown_device_rejected(tmp_path):
    with pytest.raises(ExpectationsError, match="unknown device 'gpu'"):
        load(_write(tmp_path, '[[divergence]]\nrow = "st.flow"\ndevice = "gpu"\nreason = "x"\n'))


def test_duplicate_entries_rejected(tmp_path):
    text = '[[divergence]]\nrow = "st.flow"\nreason = "a"\n[[divergence]]\nrow = "st.flow"\nreason = "b"\n'
    with pytest.raises(ExpectationsError, match="entry 2 .* repeats entry 1"):
        load(_write(tmp_path, text))


def test_missing_file_named(tmp_path):
    with pytest.raises(ExpectationsError, match="absent.toml.*cannot be read"):
        load(tmp_path / "absent.toml")


def test_divergent_becomes_expected(tmp_path):
    record = load(_write(tmp_path, VALID)).apply(_record())
    assert record["verdict"] == "expected-divergence"
    assert record["unexpected"] is False
    assert record["expected_verdict"] == "expected-divergence"
    assert record["expected_reason"] == "the fork deprecates an import path"
    assert "known divergence" in record["reason"]


def test_equivalent_becomes_unexpected_pass(tmp_path):
    record = load(_write(tmp_path, VALID)).apply(_record(verdict="equivalent"))
    assert record["verdict"] == "unexpected-pass"
    assert record["unexpected"] is True
    assert "remove the entry" in record["reason"]


def test_device_narrows_entry(tmp_path):
    record = load(_write(tmp_path, VALID)).apply(_record(row="st.fit.warmup_steps", device="cpu"))
    assert record["verdict"] == "divergent"


def test_error_left_unchanged(tmp_path):
    record = load(_write(tmp_path, VALID)).apply(_record(verdict="error"))
    assert record["verdict"] == "error"
    assert record["unexpected"] is True


def test_scenario_divergence_keeps_its_reason(tmp_path):
    record = _record(verdict="expected-divergence", expected="expected-divergence")
    record["expected_reason"] = "documented by the guide"
    assert load(_write(tmp_path, VALID)).apply(record)["expected_reason"] == "documented by the guide"


def test_stale_entry_found(tmp_path):
    expectations = load(_write(tmp_path, VALID))
    stale = expectations.stale([_record()])
    assert [entry.row for entry in stale] == ["st.fit.warmup_steps"]


def test_draft_round_trips(tmp_path):
    records = [_record(), _record(row="st.fit.epochs", verdict="equivalent"), _record(row="ce.flow", device="cuda")]
    records[2]["reason"] = 'quote " and backslash \\ and ü'
    results = {"run_info": {"target": {"spec": "fork", "name": "sentence-transformers", "version": "6.3.0"}}, "records": records}
    path = _write(tmp_path, draft(results, "results.json"))
    expectations = load(path)
    assert [entry.row for entry in expectations.entries] == ["st.flow", "ce.flow"]
    assert expectations.entries[1].reason == 'quote " and backslash \\ and ü'
    assert expectations.entries[1].device == "cuda"


def test_draft_without_divergence_says_so():
    results = {"run_info": {"target": {"spec": "x", "name": "n", "version": "v"}}, "records": [_record(verdict="equivalent")]}
    assert "nothing to list" in draft(results, "r.json")


def test_cli_writes_draft(tmp_path, capsys):
    from conformance.report.schema import validate_results  # noqa: F401  (the CLI validates what it reads)

    results_path = tmp_path / "results.json"
    results_path.write_text(json.dumps(_minimal_results()))
    output = tmp_path / "drafted.toml"
    assert cli_main(["expectations", str(results_path), "-o", str(output)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert load(output).entries[0].row == "st.flow"
    assert cli_main(["expectations", str(results_path), "-o", str(output)]) == 2


def _minimal_results():
    """A valid results file with one divergent record, built from the real schema's required keys."""
    from conformance.report.schema import validate_results

    record = _record()
    record.update(
        {
            "section": "SentenceTransformer training flow",
            "title": "SentenceTransformer training flow: fit -> SentenceTransformerTrainer",
            "target": "reference",
            "relation": "r",
            "implicit_arguments": {},
            "legacy_code": "",
            "new_code": "",
            "negative_control": None,
            "tolerance": {"policy": "fp32-cpu", "rtol": 1e-5, "atol": 1e-6, "override_reason": None},
            "figures": {},
            "mismatches": [],
            "warnings": {},
            "timings": {},
            "logs": {},
            "error": None,
        }
    )
    target = {"spec": "reference", "name": "reference", "version": "0.1.0", "path": None, "python": None, "commit": None}
    run_info = {
        "run_id": "r1", "suite": {"version": "0.1.0", "git_commit": None}, "target": target, "legacy_target": None,
        "versions": {"python": "3.11", "torch": "2"}, "devices": [{"name": "cpu", "available": True, "description": "x"}],
        "determinism": {}, "tolerance_policy": {}, "seeds": {}, "tiers": ["tiny"], "data_dir": None, "command_line": "pytest",
        "started_at": "2026-01-01T00:00:00+00:00", "finished_at": None, "expectations_file": None,
    }
    results = {"schema_version": 1, "run_info": run_info, "records": [record]}
    validate_results(results)
    return results
