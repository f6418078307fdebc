"""Merging the results of pytest-xdist workers of one run."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from conformance.report import ResultsError, merge_results, validate_results
from results_factory import make_results


def _split(results: dict[str, Any], at: int) -> tuple[dict[str, Any], dict[str, Any]]:
    first = copy.deepcopy(results)
    second = copy.deepcopy(results)
    first["records"] = first["records"][:at]
    second["records"] = second["records"][at:]
    return first, second


def test_merge_concatenates_records() -> None:
    results = make_results(records=10, points=5)
    first, second = _split(results, 4)

    merged = merge_results([first, second])

    assert [record["id"] for record in merged["records"]] == [record["id"] for record in results["records"]]
    assert merged["run_info"] == results["run_info"]
    validate_results(merged)


def test_merge_spans_worker_times() -> None:
    first, second = _split(make_results(records=6, points=5), 3)
    first["run_info"]["started_at"] = "2026-12-04T20:15:02+00:00"
    second["run_info"]["started_at"] = "2026-12-04T20:15:00Z"
    first["run_info"]["finished_at"] = "2026-12-04T20:18:00+00:00"
    second["run_info"]["finished_at"] = "2026-12-04T21:17:00+01:00"

    merged = merge_results([first, second])

    assert merged["run_info"]["started_at"] == "2026-12-04T20:15:00Z"
    assert merged["run_info"]["finished_at"] == "2026-12-04T20:18:00+00:00"


def test_merge_unfinished_worker() -> None:
    first, second = _split(make_results(records=4, points=5), 2)
    second["run_info"]["finished_at"] = None
    assert merge_results([first, second])["run_info"]["finished_at"] is None


def test_merge_leaves_parts_unchanged() -> None:
    first, second = _split(make_results(records=4, points=5), 2)
    before = copy.deepcopy([first, second])
    merged = merge_results([first, second])
    merged["records"][0]["verdict"] = "error"
    assert [first, second] == before


def test_merge_rejects_duplicate_id() -> None:
    results = make_results(records=4, points=5)
    first, second = _split(results, 2)
    second["records"].append(copy.deepcopy(first["records"][1]))
    with pytest.raises(ResultsError, match=r"duplicate record id 'st\.fit\.train_objectives::default\[tiny-cpu\]': part 1 \$\.records\[2\] and part 0 \$\.records\[1\]"):
        merge_results([first, second])


def test_merge_rejects_other_run() -> None:
    first, second = _split(make_results(records=4, points=5), 2)
    second["run_info"]["run_id"] = "20261205T000000-beef"
    with pytest.raises(ResultsError, match=r"part 1 comes from another run: \$\.run_info\.run_id is '20261205T000000-beef'") as caught:
        merge_results([first, second])
    assert caught.value.path == "$.run_info.run_id"


def test_merge_rejects_empty_list() -> None:
    with pytest.raises(ResultsError, match="at least one results dict"):
        merge_results([])


def test_merge_single_part() -> None:
    results = make_results(records=3, points=5)
    assert merge_results([results]) == results
