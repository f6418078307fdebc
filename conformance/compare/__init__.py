"""Comparison of two invocations' artifacts: the mismatches and the figures a report shows."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..scenario import Scenario
from .numeric import compare_arrays, compare_curve, mismatch
from .structured import checkpoint_view, deep_mismatches, optimizer_view, warning_mismatches
from .tolerance import Tolerance

__all__ = ["SideResult", "compare_sides", "nan_failure", "Tolerance"]


@dataclass
class SideResult:
    """Artifacts of one invocation, read back from its output folder."""

    artifacts: dict[str, Any]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def load(cls, out_dir: Path) -> SideResult:
        import json

        artifacts = json.loads((out_dir / "artifacts.json").read_text())
        with np.load(out_dir / "arrays.npz") as archive:
            arrays = {name: archive[name] for name in archive.files}
        return cls(artifacts, arrays)

    def group(self, prefix: str) -> dict[str, np.ndarray]:
        return {name[len(prefix) + 1 :]: array for name, array in self.arrays.items() if name.startswith(prefix + "/")}

    def learning_rates(self) -> dict[str, list[float]]:
        """Per optimizer and parameter group, the learning rate each step used."""
        series: dict[str, list[float]] = {}
        for step in self.artifacts.get("optimizer_steps", []):
            for group, value in enumerate(step["lr"]):
                series.setdefault(f"optimizer {step['optimizer']} group {group}", []).append(value)
        return series


def nan_failure(side: str, result: SideResult) -> str | None:
    """Describe the first NaN or infinite training loss of a side, if any."""
    for name, values in result.artifacts.get("loss", {}).items():
        for step, value in enumerate(values, start=1):
            if not math.isfinite(value):
                return f"the {side} invocation's {name} became {value} at step {step}"
    return None


def compare_sides(scenario: Scenario, legacy: SideResult, new: SideResult, tolerance: Tolerance) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Compare the artifacts the scenario names; returns (mismatches, figures)."""
    found: list[dict[str, Any]] = []
    figures: dict[str, Any] = {}
    wanted = set(scenario.artifacts)

    if "loss" in wanted:
        left, right = legacy.artifacts.get("loss", {}), new.artifacts.get("loss", {})
        for name in sorted(set(left) | set(right)):
            found += compare_curve("loss", name, left.get(name, []), right.get(name, []), tolerance)
        figures["loss"] = {"legacy": _first_series(left), "new": _first_series(right)}

    # Learning rates and optimizer settings are set by the same formulas on both sides, and are
    # small numbers: the weights' absolute tolerance (1e-6 on CPU) would pass a learning rate of
    # 5e-6 against 4.5e-6, or an Adam eps of 1e-7 against 1e-8. They are compared relatively.
    relative = Tolerance(f"{tolerance.policy}, relative only", tolerance.rtol, 0.0, tolerance.override_reason)

    if "learning_rate" in wanted:
        left, right = legacy.learning_rates(), new.learning_rates()
        for name in sorted(set(left) | set(right)):
            found += compare_curve("learning_rate", name, left.get(name, []), right.get(name, []), relative)
        figures["learning_rate"] = {"legacy": _first_series(left), "new": _first_series(right)}

    if "optimizer" in wanted:
        found += deep_mismatches("optimizer", optimizer_view(legacy.artifacts), optimizer_view(new.artifacts), relative)

    if "weights" in wanted:
        weight_mismatches, summary = compare_arrays("weights", legacy.group("weights"), new.group("weights"), tolerance)
        found += weight_mismatches
        figures["weights"] = summary

    if "heldout" in wanted and ("heldout" in legacy.artifacts or "heldout" in new.artifacts):
        # The per-pair scores and embeddings are compared; Spearman and Pearson are shown only,
        # because a rank statistic over nearly tied scores jumps on differences far below tolerance.
        array_mismatches, _ = compare_arrays("heldout", legacy.group("heldout"), new.group("heldout"), tolerance)
        found += array_mismatches
        figures["heldout"] = {"legacy": legacy.artifacts.get("heldout", {}), "new": new.artifacts.get("heldout", {})}

    if "observations" in wanted:
        left, right = legacy.artifacts.get("observations", {}), new.artifacts.get("observations", {})
        found += deep_mismatches("observations", left, right, tolerance)
        figures["observations"] = {"legacy": left, "new": right}

    shown = {"legacy": legacy.artifacts.get("shown", {}), "new": new.artifacts.get("shown", {})}
    if shown["legacy"] or shown["new"]:
        figures["shown"] = shown

    if "checkpoints" in wanted:
        left, right = checkpoint_view(legacy.artifacts), checkpoint_view(new.artifacts)
        found += deep_mismatches("checkpoints", left, right, tolerance)
        figures["checkpoints"] = {
            side: {"step_series": view["step_series"], "final_folders": sorted(view["final_folders"])}
            for side, view in (("legacy", left), ("new", right))
        }

    if "progress" in wanted:
        left, right = legacy.artifacts.get("progress", {}), new.artifacts.get("progress", {})
        if left.get("shown") != right.get("shown"):
            found.append(mismatch("progress", "value", "progress bar shown", f"progress bar shown: legacy {left.get('shown')}, new {right.get('shown')}", expected=left.get("shown"), got=right.get("shown")))
        figures["progress"] = {"legacy": left, "new": right}

    if "warnings" in wanted:
        found += warning_mismatches(
            legacy.artifacts.get("warnings", []), new.artifacts.get("warnings", []), scenario.warning_rules, scenario.ignore_warnings
        )
    return found, figures


def _first_series(series: dict[str, list[float]]) -> list[float]:
    return next(iter(series.values()), []) if series else []
