"""The statistical tier: each side runs with several seeds and is compared in distribution.

For rows that cannot be made deterministic (mixed precision on a GPU, models trained with
dropout), legacy, new and the tier's negative control each run once per seed. Per declared
metric a TOST (`conformance.statistics`) decides whether new is equivalent to legacy within
the stated margin. The negative control must put at least one metric's estimate outside
its margin, else the record is `insensitive`. Observations declared seed-independent must
be equal on every run, and the warning promises are checked on the first seed's runs.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

from . import compare as comparison
from .compare.numeric import mismatch
from .compare.structured import warning_mismatches
from .errors import InvocationFailed
from .statistics import EQUIVALENT, OUTSIDE, Equivalence, Statistical, check_seeds, compare_runs, exact_observation_differences
from .verdict import Verdict, decide

SIDES = ("legacy", "new", "negative_control")


@dataclass
class SeedRuns:
    """The artifacts of every seed per side, and the failure of a negative control that raised."""

    results: dict[str, list[Any]] = field(default_factory=lambda: {side: [] for side in SIDES})
    control_failure: InvocationFailed | None = None

    def artifacts(self, side: str) -> list[dict[str, Any]]:
        return [result.artifacts for result in self.results[side]]


def judge_statistical(engine: Any, key: Any, tier: Any, model_path: Any, record: dict[str, Any]) -> Verdict:
    """Run every side once per seed, fill the record's figures and mismatches, and return the verdict."""
    declaration: Statistical = tier.statistical or Statistical()
    seeds = check_seeds(engine.options.statistical_seeds or declaration.seeds)
    runs, failed = _run_seeds(engine, key, tier, model_path, seeds, record)
    if failed is not None:
        return failed

    for side in ("legacy", "new"):
        for index, result in enumerate(runs.results[side]):
            problem = comparison.nan_failure(f"{side} (seed index {index})", result)
            if problem:
                record["error"] = {"side": side, "type": "NaN loss", "message": problem}
                return Verdict("error", f"{problem}; lower the learning rate or check the loss inputs")

    legacy, new = runs.artifacts("legacy"), runs.artifacts("new")
    tests = compare_runs(legacy, new, declaration)
    mismatches = [_statistics_mismatch(test) for test in tests if test.outcome != EQUIVALENT]
    for difference in exact_observation_differences(legacy, new, declaration.exact_observations):
        mismatches.append(mismatch("observations", "value", "every seed", difference))
    if "warnings" in key.scenario.artifacts:
        mismatches += warning_mismatches(
            legacy[0].get("warnings", []), new[0].get("warnings", []), key.scenario.warning_rules, key.scenario.ignore_warnings
        )

    control_tests, control_mismatches = _judge_control(runs, legacy, declaration)
    _fill(record, runs, seeds, engine.options.seed, declaration, tests, control_tests, mismatches, control_mismatches)
    return decide(key.case.expect, mismatches, control_mismatches)


def _run_seeds(engine: Any, key: Any, tier: Any, model_path: Any, seeds: int, record: dict[str, Any]) -> tuple[SeedRuns, Verdict | None]:
    runs = SeedRuns()
    for side in SIDES:
        began = time.perf_counter()
        for index in range(seeds):
            result = engine.invoke(key, tier, model_path, side, label=f"{side}-seed{index}", seed=engine.options.seed + index)
            if isinstance(result, InvocationFailed):
                record["logs"][side] = result.log_tail
                if side == "negative_control":
                    # Judged with the rest: a control that raises cannot show that the check can fail.
                    runs.control_failure = result
                    break
                record["error"] = {"side": side, "type": "raised", "message": result.message}
                return runs, Verdict("error", f"the {side} invocation raised with seed index {index}: {result.message}")
            runs.results[side].append(result)
        record["timings"][f"{side}_s"] = round(time.perf_counter() - began, 3)
    return runs, None


def _judge_control(runs: SeedRuns, legacy: list[dict[str, Any]], declaration: Statistical) -> tuple[list[Equivalence], list[dict[str, Any]]]:
    if runs.control_failure is not None:
        found = [mismatch("error", "exception", "negative control", f"negative control raised: {runs.control_failure.message}")]
        return [], found
    tests = compare_runs(legacy, runs.artifacts("negative_control"), declaration)
    # Sensitivity needs the estimate itself outside the margin; an interval that merely
    # reaches past it (inconclusive) could come from noise alone.
    return tests, [_statistics_mismatch(test) for test in tests if test.outcome == OUTSIDE]


def _statistics_mismatch(test: Equivalence) -> dict[str, Any]:
    difference = abs(test.estimate) if math.isfinite(test.estimate) else None
    relative = difference / abs(test.legacy_mean) if difference is not None and test.legacy_mean else None
    return mismatch(
        "statistics",
        "value",
        test.metric,
        test.sentence(),
        expected=_finite(test.legacy_mean),
        got=_finite(test.new_mean),
        max_abs_diff=difference,
        max_rel_diff=relative,
    )


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _fill(
    record: dict[str, Any],
    runs: SeedRuns,
    seeds: int,
    base_seed: int,
    declaration: Statistical,
    tests: list[Equivalence],
    control_tests: list[Equivalence],
    mismatches: list[dict[str, Any]],
    control_mismatches: list[dict[str, Any]],
) -> None:
    record["mismatches"] = mismatches
    control = record["negative_control"]
    control["mismatches"] = control_mismatches
    if runs.control_failure is not None:
        control["verdict"] = "error"
    else:
        control["verdict"] = "divergent" if control_mismatches else "equivalent"

    per_seed = {side: [_seed_summary(artifacts, declaration) for artifacts in runs.artifacts(side)] for side in SIDES}
    record["figures"]["statistics"] = {
        "method": "two one-sided Welch t-tests (TOST) on mean(new) - mean(legacy), per metric",
        "seeds": seeds,
        "seed_values": [base_seed + index for index in range(seeds)],
        "alpha": declaration.alpha,
        "margins": dict(declaration.margins),
        "metrics": [test.as_dict() for test in tests],
        "negative_control": [test.as_dict() for test in control_tests],
        "exact_observations": list(declaration.exact_observations),
        "runs": per_seed,
    }
    # The first seed's curves, so the report can draw them over each other.
    firsts = {side: runs.artifacts(side)[0] for side in SIDES if runs.results[side]}
    record["figures"]["loss"] = {side: _first_loss(artifacts) for side, artifacts in firsts.items()}
    for side, artifacts in firsts.items():
        record["warnings"][side] = artifacts.get("warnings", [])


def _seed_summary(artifacts: dict[str, Any], declaration: Statistical) -> dict[str, Any]:
    from .statistics import metric_value

    summary: dict[str, Any] = {"seed": artifacts.get("determinism", {}).get("seed")}
    for metric in declaration.margins:
        value = metric_value(artifacts, metric)
        summary[metric] = value if value == value else None
    for key in declaration.exact_observations:
        summary[key] = (artifacts.get("observations") or {}).get(key)
    return summary


def _first_loss(artifacts: dict[str, Any]) -> list[float]:
    series = artifacts.get("loss") or {}
    return list(series.get("loss") or next(iter(series.values()), []))
