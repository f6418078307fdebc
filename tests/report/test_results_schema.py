"""Results format version 1: the schema accepts good data and names the path of bad data."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Callable

import jsonschema
import pytest

from conformance.errors import ConformanceError
from conformance.report import ResultsError, read_results, validate_results
from conformance.report.schema import SCHEMA_PATH, json_path, load_schema
from results_factory import make_record, make_results

Mutation = Callable[[dict[str, Any]], None]


def _set(path: list[Any], value: Any) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return mutate


def _delete(path: list[Any]) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return mutate


# (case name, mutation, JSON path the error must name)
BAD_CASES = [
    ("verdict unknown", _set(["records", 3, "verdict"], "passed"), "$.records[3].verdict"),
    ("device unknown", _set(["records", 0, "device"], "tpu"), "$.records[0].device"),
    ("section unknown", _set(["records", 1, "section"], "Misc"), "$.records[1].section"),
    ("reason missing", _delete(["records", 2, "reason"]), "$.records[2]"),
    ("extra record key", _set(["records", 2, "verdit"], "equivalent"), "$.records[2]"),
    ("loss not numbers", _set(["records", 4, "figures", "loss", "new", 5], "high"), "$.records[4].figures.loss.new[5]"),
    ("mismatch kind", _set(["records", 6, "mismatches"], [{"artifact": "loss", "kind": "odd", "message": "m"}]), "$.records[6].mismatches[0].kind"),
    ("warning source", _set(["records", 0, "warnings", "new", 0, "source"], "stderr"), "$.records[0].warnings.new[0].source"),
    ("negative timing", _set(["records", 0, "timings", "total_s"], -1), "$.records[0].timings.total_s"),
    ("timing name", _set(["records", 0, "timings", "total"], 1.0), "$.records[0].timings"),
    ("run id spaces", _set(["run_info", "run_id"], "run 1"), "$.run_info.run_id"),
    ("started_at not ISO", _set(["run_info", "started_at"], "yesterday"), "$.run_info.started_at"),
    ("tolerance atol", _set(["run_info", "tolerance_policy", "fp32-cpu", "atol"], "1e-6"), "$.run_info.tolerance_policy['fp32-cpu'].atol"),
    ("determinism key with dot", _set(["run_info", "determinism", "torch.use_deterministic_algorithms"], [True]), "$.run_info.determinism['torch.use_deterministic_algorithms']"),
    ("unexpected flag wrong", _set(["records", 5, "unexpected"], True), "$.records[5].unexpected"),
    ("records not a list", _set(["records"], {}), "$.records"),
]


def test_schema_is_valid_draft_2020_12() -> None:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA_PATH.name == "results.schema.json"


def test_validate_accepts_good_results(results: dict[str, Any]) -> None:
    validate_results(results)


def test_validate_accepts_optional_parts(results: dict[str, Any]) -> None:
    record = results["records"][0]
    record["negative_control"]["verdict"] = "not run"
    record["figures"]["loss"]["new"][2] = None
    record["mismatches"] = [{"artifact": "error", "kind": "exception", "message": "negative control raised"}]
    results["run_info"]["legacy_target"] = copy.deepcopy(results["run_info"]["target"])
    results["run_info"]["finished_at"] = None
    validate_results(results)


@pytest.mark.parametrize(("mutate", "path"), [case[1:] for case in BAD_CASES], ids=[case[0] for case in BAD_CASES])
def test_validate_names_bad_path(results: dict[str, Any], mutate: Mutation, path: str) -> None:
    mutate(results)
    with pytest.raises(ResultsError) as caught:
        validate_results(results)
    assert caught.value.path == path
    assert path in str(caught.value)


def test_validate_rejects_other_version(results: dict[str, Any]) -> None:
    results["schema_version"] = 2
    with pytest.raises(ResultsError, match=r"unsupported schema_version 2 at \$\.schema_version"):
        validate_results(results)


def test_validate_rejects_non_object() -> None:
    with pytest.raises(ResultsError, match="JSON object at \\$, got list"):
        validate_results([])


def test_validate_rejects_duplicate_id(results: dict[str, Any]) -> None:
    results["records"].append(copy.deepcopy(results["records"][0]))
    with pytest.raises(ResultsError, match=r"duplicate record id 'st\.flow::default\[tiny-cpu\]'") as caught:
        validate_results(results)
    assert caught.value.path == "$.records[60].id"


def test_validate_rejects_id_not_matching_parts(results: dict[str, Any]) -> None:
    results["records"][2]["id"] = "st.fit.evaluator::default[tiny-cuda]"
    with pytest.raises(ResultsError, match=r"expected 'st\.fit\.evaluator::default\[tiny-cpu\]'") as caught:
        validate_results(results)
    assert caught.value.path == "$.records[2].id"


def test_validate_rejects_foreign_target(results: dict[str, Any]) -> None:
    results["records"][7]["target"] = "installed"
    with pytest.raises(ResultsError, match="differs from the run's target spec 'reference'") as caught:
        validate_results(results)
    assert caught.value.path == "$.records[7].target"


def test_validate_lists_at_most_five_errors(results: dict[str, Any]) -> None:
    passing = [record for record in results["records"] if not record["unexpected"]]
    for record in passing[:8]:
        record["verdict"] = "bogus"
    with pytest.raises(ResultsError) as caught:
        validate_results(results)
    message = str(caught.value)
    assert message.count("'bogus' is not one of") == 5
    assert "and 3 more" in message


def test_results_error_is_conformance_error() -> None:
    error = ResultsError("bad", "$.x", "a.json")
    assert isinstance(error, ConformanceError)
    assert isinstance(error, ValueError)
    assert str(error) == "a.json: bad"


def test_json_path_quotes_odd_keys() -> None:
    assert json_path(["records", 0, "figures"]) == "$.records[0].figures"
    assert json_path(["determinism", "cudnn.benchmark"]) == "$.determinism['cudnn.benchmark']"


def test_read_results_accepts_run_folder(tmp_path: Path, results: dict[str, Any]) -> None:
    (tmp_path / "results.json").write_text(json.dumps(results), encoding="utf-8")
    assert read_results(tmp_path) == results


def test_read_results_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.json"
    with pytest.raises(ResultsError, match="file not found") as caught:
        read_results(missing)
    assert str(missing) in str(caught.value)


def test_read_results_invalid_json(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema_version": 1,\n "run_info": }', encoding="utf-8")
    with pytest.raises(ResultsError, match="invalid JSON at line 2, column 14") as caught:
        read_results(broken)
    assert caught.value.source == str(broken)


def test_read_results_names_file_and_path(tmp_path: Path) -> None:
    data = make_results(records=3, points=5)
    data["records"][1]["tier"] = "huge"
    path = tmp_path / "results.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ResultsError) as caught:
        read_results(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert "$.records[1].tier" in str(caught.value)


def test_make_record_is_valid() -> None:
    data = make_results(records=0)
    data["records"] = [make_record("ce.flow", case="two-epochs", tier="real", verdict="error")]
    validate_results(data)
