"""JUnit XML output for CI systems: one testsuite per run, one testcase per record.

Unexpected verdicts become ``<failure>`` (divergent, insensitive, unexpected-pass) or
``<error>`` (error), skipped and expected-divergence become ``<skipped>``, and every
testcase carries its key figures in ``<system-out>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from conformance.report.formatting import format_number, format_value
from conformance.report.view import target_label

# XML 1.0 forbids most control characters; captured logs may contain them.
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

SKIPPED_VERDICTS = frozenset({"skipped", "expected-divergence"})


def _clean(text: str) -> str:
    return _INVALID_XML_CHARS.sub("\N{REPLACEMENT CHARACTER}", text)


def _record_seconds(record: dict[str, Any]) -> float:
    timings = record["timings"]
    if "total_s" in timings:
        return float(timings["total_s"])
    return float(sum(timings.values()))


def _mismatch_lines(mismatches: list[dict[str, Any]]) -> list[str]:
    lines = []
    for item in mismatches:
        figures = [
            f"max abs diff {format_number(item.get('max_abs_diff'))}",
            f"max rel diff {format_number(item.get('max_rel_diff'))}",
        ]
        if item.get("count") is not None:
            figures.append(f"{item['count']} of {format_number(item.get('total'))} out of tolerance")
        if item.get("first_divergent_step") is not None:
            figures.append(f"first divergent step {item['first_divergent_step']}")
        lines.append(f"- {item['artifact']} {item['kind']} at {item.get('where') or 'the whole artifact'}: {item['message']} ({', '.join(figures)})")
        if "expected" in item or "got" in item:
            lines.append(f"  expected {format_value(item.get('expected'))}, got {format_value(item.get('got'))}")
    return lines


def _outcome(record: dict[str, Any]) -> ET.Element | None:
    verdict = record["verdict"]
    message = _clean(f"{verdict}: {record['reason']}")

    if record["unexpected"]:
        tag = "error" if verdict == "error" else "failure"
        element = ET.Element(tag, {"message": message, "type": verdict})
        lines = [record["reason"]]
        if record.get("error"):
            error = record["error"]
            lines.append(f"{error['type']} in {error['side']}: {error['message']}")
        if record["mismatches"]:
            lines.append("Mismatches (legacy vs new):")
            lines.extend(_mismatch_lines(record["mismatches"]))
        control = record.get("negative_control")
        if verdict == "insensitive" and control:
            lines.append(f"Negative control ({control['description']}) was {control['verdict']}.")
        element.text = _clean("\n".join(lines))
        return element

    if verdict in SKIPPED_VERDICTS:
        reason = record.get("expected_reason") or record["reason"]
        return ET.Element("skipped", {"message": _clean(f"{verdict}: {reason}")})
    return None


def _system_out(record: dict[str, Any]) -> str:
    figures = record["figures"]
    lines = [
        f"verdict: {record['verdict']} (expected {record['expected_verdict']})",
        f"reason: {record['reason']}",
        f"tolerance: {record['tolerance']['policy']} rtol {format_number(record['tolerance']['rtol'])} "
        f"atol {format_number(record['tolerance']['atol'])}",
    ]
    weights = figures.get("weights")
    if weights:
        lines.append(
            f"weights: {format_number(weights.get('tensors'))} tensors, "
            f"max abs diff {format_number(weights.get('max_abs_diff'))}, "
            f"max rel diff {format_number(weights.get('max_rel_diff'))}"
        )
    for side, values in (figures.get("loss") or {}).items():
        if values:
            lines.append(f"loss {side}: {len(values)} steps, last {format_number(values[-1])}")
    for side, scores in (figures.get("heldout") or {}).items():
        if scores:
            text = ", ".join(f"{name}={format_number(value)}" for name, value in scores.items())
            lines.append(f"heldout {side}: {text}")
    if record["negative_control"]:
        lines.append(f"negative control: {record['negative_control']['verdict']}")
    lines.append("timings: " + ", ".join(f"{key} {value:.2f}" for key, value in record["timings"].items()))
    return _clean("\n".join(lines))


def _testsuite(results: dict[str, Any]) -> ET.Element:
    info = results["run_info"]
    records = results["records"]
    unexpected = [record for record in records if record["unexpected"]]
    suite = ET.Element("testsuite", {
        "name": target_label(info),
        "id": info["run_id"],
        "tests": str(len(records)),
        "failures": str(sum(1 for record in unexpected if record["verdict"] != "error")),
        "errors": str(sum(1 for record in unexpected if record["verdict"] == "error")),
        "skipped": str(sum(1 for record in records if not record["unexpected"] and record["verdict"] in SKIPPED_VERDICTS)),
        "time": f"{sum(_record_seconds(record) for record in records):.3f}",
        "timestamp": info["started_at"],
    })

    properties = ET.SubElement(suite, "properties")
    pairs = [("run_id", info["run_id"]), ("target.spec", info["target"]["spec"]),
             ("target.version", info["target"].get("version")), ("command_line", info["command_line"])]
    pairs += [(f"versions.{name}", version) for name, version in info["versions"].items()]
    for name, value in pairs:
        ET.SubElement(properties, "property", {"name": name, "value": _clean(str(value))})

    for record in records:
        case = ET.SubElement(suite, "testcase", {
            "classname": record["section"],
            "name": record["id"],
            "time": f"{_record_seconds(record):.3f}",
        })
        outcome = _outcome(record)
        if outcome is not None:
            case.append(outcome)
        ET.SubElement(case, "system-out").text = _system_out(record)
    return suite


def render_junit(results: list[dict[str, Any]]) -> str:
    """Render validated results dicts (one per run) as a JUnit XML document."""
    root = ET.Element("testsuites", {"name": "migration-guide conformance"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    seconds = 0.0
    for data in results:
        suite = _testsuite(data)
        root.append(suite)
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
        seconds += float(suite.get("time", "0"))

    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{seconds:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(results: list[dict[str, Any]], path: str | Path) -> Path:
    """Write the JUnit XML of the given runs to ``path``; return the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_junit(results), encoding="utf-8")
    return out
