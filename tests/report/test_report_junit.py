"""JUnit XML: one testsuite per run, one testcase per record, outcomes by verdict."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from conformance.report import render_junit
from results_factory import make_results


def _parse(results: list[dict[str, Any]]) -> ET.Element:
    return ET.fromstring(render_junit(results).encode("utf-8"))


def _case(root: ET.Element, record_id: str) -> ET.Element:
    matches = [case for case in root.iter("testcase") if case.get("name") == record_id]
    assert len(matches) == 1, f"expected one testcase named {record_id!r}, found {len(matches)}"
    return matches[0]


def test_junit_counts(results: dict[str, Any]) -> None:
    root = _parse([results])
    suites = root.findall("testsuite")

    assert len(suites) == 1
    suite = suites[0]
    assert suite.get("name") == "reference 0.1.0"
    assert suite.get("tests") == "60"
    assert suite.get("failures") == "3"
    assert suite.get("errors") == "1"
    assert suite.get("skipped") == "2"
    assert len(suite.findall("testcase")) == 60
    assert len(suite.findall("testcase/failure")) == 3
    assert len(suite.findall("testcase/error")) == 1
    assert len(suite.findall("testcase/skipped")) == 2
    assert root.get("tests") == "60"


def test_junit_case_names(results: dict[str, Any]) -> None:
    root = _parse([results])
    case = _case(root, "st.flow::default[tiny-cpu]")
    assert case.get("classname") == "SentenceTransformer training flow"
    assert case.get("time") == "4.300"
    assert list(case) == [case.find("system-out")]


def test_junit_failure_has_reason_and_mismatch(results: dict[str, Any]) -> None:
    failure = _case(_parse([results]), "st.fit.warmup_steps::default[tiny-cpu]").find("failure")
    assert failure is not None
    assert failure.get("type") == "divergent"
    assert failure.get("message").startswith("divergent: synthetic reason for st.fit.warmup_steps")
    assert "loss value at step 13: loss parts at step 13" in failure.text
    assert "first divergent step 13" in failure.text


def test_junit_error_verdict(results: dict[str, Any]) -> None:
    error = _case(_parse([results]), "ce.evaluator.CERerankingEvaluator::default[tiny-cpu]").find("error")
    assert error is not None
    assert "TimeoutError in new: the new invocation ran past 300 s" in error.text


def test_junit_skipped_reasons(results: dict[str, Any]) -> None:
    root = _parse([results])
    skipped = _case(root, "st.data.NoDuplicatesDataLoader::default[tiny-cpu]").find("skipped")
    expected = _case(root, "st.fit.use_amp::default[tiny-cpu]").find("skipped")
    assert skipped.get("message") == "skipped: the shared data folder is missing"
    assert expected.get("message") == "expected-divergence: AMP rounds differently on the two paths"


def test_junit_system_out_figures(results: dict[str, Any]) -> None:
    out = _case(_parse([results]), "st.flow::default[tiny-cpu]").find("system-out").text
    assert "verdict: equivalent (expected equivalent)" in out
    assert "weights: 39 tensors, max abs diff 3.1e-08, max rel diff 2e-06" in out
    assert "heldout legacy: spearman=0.4123, pearson=0.3987" in out
    assert "negative control: divergent" in out


def test_junit_suite_per_run(results: dict[str, Any]) -> None:
    other = make_results(records=5, points=5, spec="sentence-transformers==5.1.0", version="5.1.0", run_id="other-run")
    root = _parse([results, other])
    names = [suite.get("name") for suite in root.findall("testsuite")]
    assert names == ["reference 0.1.0", "sentence-transformers==5.1.0"]
    assert root.get("tests") == "65"


def test_junit_strips_control_characters(results: dict[str, Any]) -> None:
    results["records"][0]["reason"] = "bad \x1b[31mcolor\x00"
    out = _case(_parse([results]), "st.flow::default[tiny-cpu]").find("system-out").text
    assert "reason: bad \N{REPLACEMENT CHARACTER}[31mcolor\N{REPLACEMENT CHARACTER}" in out
