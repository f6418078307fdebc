"""Comparison of two results files: verdict changes, added and removed records, moved figures.

Records are matched by id. A new failure is a record that is unexpected in NEW and was not
unexpected in OLD, including a record that OLD does not have at all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from conformance.report.formatting import format_number


@dataclass(frozen=True)
class VerdictChange:
    """A record present in both files whose verdict changed, or a record in only one of them."""

    id: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None

    @property
    def old_verdict(self) -> str | None:
        return self.old["verdict"] if self.old else None

    @property
    def new_verdict(self) -> str | None:
        return self.new["verdict"] if self.new else None


@dataclass(frozen=True)
class FigureChange:
    """A compared figure that moved by more than the record's tolerance (atol + rtol * |old|)."""

    id: str
    figure: str
    old: float
    new: float
    allowed: float


@dataclass
class Comparison:
    """Differences between an OLD and a NEW results file, each list in the order of its file."""

    new_failures: list[VerdictChange] = field(default_factory=list)
    fixed: list[VerdictChange] = field(default_factory=list)
    changed: list[VerdictChange] = field(default_factory=list)
    added: list[VerdictChange] = field(default_factory=list)
    removed: list[VerdictChange] = field(default_factory=list)
    figures: list[FigureChange] = field(default_factory=list)
    matched: int = 0
    old_target: str = ""
    new_target: str = ""

    @property
    def has_new_failure(self) -> bool:
        return bool(self.new_failures)


def key_figures(record: dict[str, Any]) -> dict[str, float]:
    """Collect the figures of a record that compare watches, keyed by a dotted name.

    These are the largest absolute weight difference, the last loss and learning-rate value of each side, and
    every numeric held-out score.
    """
    figures = record["figures"]
    found: dict[str, float] = {}

    # The relative gap is left out: it divides noise by near-zero weights and jumps between runs.
    value = (figures.get("weights") or {}).get("max_abs_diff")
    if _is_number(value):
        found["weights.max_abs_diff"] = float(value)

    for curve in ("loss", "learning_rate"):
        for side, values in (figures.get(curve) or {}).items():
            if values and _is_number(values[-1]):
                found[f"{curve}.{side}[last]"] = float(values[-1])

    for side, scores in (figures.get("heldout") or {}).items():
        for metric, value in (scores or {}).items():
            if _is_number(value):
                found[f"heldout.{side}.{metric}"] = float(value)
    return found


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _moved(old: float, new: float, rtol: float, atol: float) -> tuple[bool, float]:
    allowed = atol + rtol * abs(old)
    if math.isnan(old) or math.isnan(new):
        return math.isnan(old) != math.isnan(new), allowed
    if math.isinf(old) or math.isinf(new):
        return old != new, allowed
    return abs(new - old) > allowed, allowed


def _figure_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FigureChange]:
    tolerance = new["tolerance"]
    old_figures = key_figures(old)
    changes = []
    for name, new_value in key_figures(new).items():
        if name not in old_figures:
            continue
        # A weight gap is itself a difference near zero, so it is held to atol alone.
        rtol = 0.0 if name.startswith("weights.") else tolerance["rtol"]
        moved, allowed = _moved(old_figures[name], new_value, rtol, tolerance["atol"])
        if moved:
            changes.append(FigureChange(new["id"], name, old_figures[name], new_value, allowed))
    return changes


def compare_results(old: dict[str, Any], new: dict[str, Any]) -> Comparison:
    """Compare two validated results dicts record by record (matched by id)."""
    old_records = {record["id"]: record for record in old["records"]}
    new_ids = {record["id"] for record in new["records"]}
    comparison = Comparison(old_target=_target_label(old), new_target=_target_label(new))

    for record in new["records"]:
        before = old_records.get(record["id"])
        change = VerdictChange(record["id"], before, record)
        if before is None:
            comparison.added.append(change)
            if record["unexpected"]:
                comparison.new_failures.append(change)
            continue

        comparison.matched += 1
        if record["unexpected"] and not before["unexpected"]:
            comparison.new_failures.append(change)
        elif before["unexpected"] and not record["unexpected"]:
            comparison.fixed.append(change)
        elif before["verdict"] != record["verdict"]:
            comparison.changed.append(change)
        comparison.figures.extend(_figure_changes(before, record))

    comparison.removed = [
        VerdictChange(record["id"], record, None) for record in old["records"] if record["id"] not in new_ids
    ]
    return comparison


def _target_label(results: dict[str, Any]) -> str:
    target = results["run_info"]["target"]
    return f"{target['spec']} {target.get('version') or ''}".strip()


def _verdict_line(change: VerdictChange) -> str:
    if change.old is None:
        return f"  {change.id}: not in OLD, {change.new_verdict} in NEW: {change.new['reason']}"
    if change.new is None:
        return f"  {change.id}: {change.old_verdict} in OLD, not in NEW"
    return f"  {change.id}: {change.old_verdict} -> {change.new_verdict}: {change.new['reason']}"


def format_comparison(comparison: Comparison, old_name: str, new_name: str) -> str:
    """Describe a comparison as plain text, new failures first."""
    lines = [
        f"OLD {old_name} (target {comparison.old_target})",
        f"NEW {new_name} (target {comparison.new_target})",
        f"{comparison.matched} records in both; {len(comparison.new_failures)} new failures, "
        f"{len(comparison.fixed)} fixed, {len(comparison.changed)} other verdict changes, "
        f"{len(comparison.added)} added, {len(comparison.removed)} removed, "
        f"{len(comparison.figures)} figures moved past tolerance.",
    ]
    groups = [
        ("New failures", comparison.new_failures),
        ("Fixed", comparison.fixed),
        ("Other verdict changes", comparison.changed),
        ("Added", comparison.added),
        ("Removed", comparison.removed),
    ]
    for title, changes in groups:
        if changes:
            lines.append(f"{title} ({len(changes)}):")
            lines.extend(_verdict_line(change) for change in changes)

    if comparison.figures:
        lines.append(f"Figures moved past tolerance ({len(comparison.figures)}):")
        for item in comparison.figures:
            lines.append(
                f"  {item.id}: {item.figure} {format_number(item.old)} -> {format_number(item.new)} "
                f"(changed by {format_number(abs(item.new - item.old))}, allowed {format_number(item.allowed)})"
            )
    return "\n".join(lines) + "\n"
