"""Results records: one per (row, case, target, device, tier), in the results.json format."""

from __future__ import annotations

import time
from typing import Any

from .targets import Target
from .verdict import Verdict

# Figures kept from the negative control: enough to draw its curves next to the two sides.
_CONTROL_CURVES = ("loss", "learning_rate")


def base_record(key: Any, target: Target) -> dict[str, Any]:
    """Build the parts of a record known before anything runs."""
    scenario, case = key.scenario, key.case
    expected = case.expect
    return {
        "id": key.id,
        "row": scenario.row.id,
        "case": case.name,
        "section": scenario.row.section,
        "title": scenario.row.title,
        "target": target.spec,
        "device": key.device,
        "tier": key.tier,
        "verdict": None,
        "expected_verdict": expected,
        "expected_reason": case.reason,
        "unexpected": False,
        "reason": "",
        "relation": scenario.relation,
        "implicit_arguments": dict(scenario.implicit_arguments),
        "legacy_code": scenario.source("legacy") + _kwargs_note(scenario.kwargs_for("legacy", case)),
        "new_code": scenario.source("new") + _kwargs_note(scenario.kwargs_for("new", case)),
        "negative_control": {
            "description": scenario.negative_control_for(key.tier).description,
            "code": "new invocation called with " + _format_kwargs(scenario.kwargs_for("negative_control", case, key.tier)),
            "verdict": None,
            "mismatches": [],
        },
        "tolerance": _planned_tolerance(key),
        "figures": {},
        "mismatches": [],
        "warnings": {"legacy": [], "new": [], "negative_control": []},
        "timings": {},
        "logs": {},
        "error": None,
    }


def fill_comparison(
    record: dict[str, Any],
    key: Any,
    sides: dict[str, Any],
    mismatches: list[dict[str, Any]],
    figures: dict[str, Any],
    control_mismatches: list[dict[str, Any]],
    control_figures: dict[str, Any],
) -> None:
    """Copy the comparison's outcome into the record."""
    record["mismatches"] = mismatches
    record["figures"] = figures
    for curve in _CONTROL_CURVES:
        if curve in figures and curve in control_figures:
            figures[curve]["negative_control"] = control_figures[curve]["new"]
    control = record["negative_control"]
    control["mismatches"] = control_mismatches
    control["verdict"] = "divergent" if control_mismatches else "equivalent"
    for side, result in sides.items():
        if hasattr(result, "artifacts"):
            record["warnings"][side] = result.artifacts.get("warnings", [])


def finish_record(record: dict[str, Any], verdict: Verdict, started: float) -> dict[str, Any]:
    if record["tolerance"] is None:
        from .compare.tolerance import select

        record["tolerance"] = select(record["device"]).as_dict()
    record["verdict"] = verdict.verdict
    record["reason"] = verdict.reason
    record["unexpected"] = verdict.unexpected
    record["timings"]["total_s"] = round(time.perf_counter() - started, 3)
    if record["negative_control"]["verdict"] is None:
        record["negative_control"]["verdict"] = "not run"
    return record


def _planned_tolerance(key: Any) -> dict[str, Any] | None:
    # Skipped records (no GPU, say) still show the policy their device and dtype would use.
    from .compare.tolerance import select
    from .errors import ConformanceError

    try:
        return select(key.device, key.case.dtype, key.scenario.tolerance, tier=key.tier).as_dict()
    except ConformanceError:
        return None


def _kwargs_note(kwargs: dict[str, Any]) -> str:
    return f"\n# called with {_format_kwargs(kwargs)}\n" if kwargs else ""


def _format_kwargs(kwargs: dict[str, Any]) -> str:
    if not kwargs:
        return "its defaults"
    return ", ".join(f"{name}={value!r}" for name, value in kwargs.items())
