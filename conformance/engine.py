"""The engine: prepares fixtures, runs the three invocations of a record, compares and judges.

One `Engine` lives in each pytest process (each xdist worker has its own) and owns one warm
runner for the target. Records are independent, so workers never talk to each other; the
only shared state is the run folder, where fixture builds take a file lock.
"""

from __future__ import annotations

import fcntl
import logging
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import compare as comparison
from .compare import SideResult
from .compare.tolerance import Tolerance, select
from .errors import ConformanceError, FixtureError, InvocationFailed
from .runner.client import Runner
from .scenario import Case, Scenario, Tier
from .targets import Target
from .tiebreak import needs_tiebreak, run_tiebreak
from .verdict import Verdict, decide

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 300.0


@dataclass(frozen=True)
class RecordKey:
    scenario: Scenario
    case: Case
    tier: str
    device: str

    @property
    def id(self) -> str:
        return f"{self.scenario.row.id}::{self.case.name}[{self.tier}-{self.device}]"

    @property
    def slug(self) -> str:
        return self.id.replace("::", "__").replace("[", "__").replace("]", "").replace("+", "_")


@dataclass
class EngineOptions:
    run_dir: Path
    data_dir: Path | None
    seed: int = 12345
    timeout: float | None = None
    keep_workdirs: bool = False
    statistical_seeds: int | None = None
    float64_tiebreak: bool = True


class Engine:
    """Judges records for one target in one process."""

    def __init__(self, target: Target, options: EngineOptions, legacy_target: Target | None = None) -> None:
        self.target = target
        self.options = options
        self.runner = Runner(target.as_runner_spec(), python=target.python, cwd=options.run_dir)
        # A cross-version run has a second runner in the legacy target's environment; artifacts
        # cross over as files, so the two sides may come from two environments.
        self.legacy_runner = self.runner
        if legacy_target is not None:
            self.legacy_runner = Runner(legacy_target.as_runner_spec(), python=legacy_target.python, cwd=options.run_dir)
        self._environment: dict[str, Any] | None = None

    # Environment --------------------------------------------------------------------
    def environment(self) -> dict[str, Any]:
        """Target info, library versions and devices, asked of the runner once."""
        if self._environment is None:
            info = self.runner.start()
            out_dir = self.options.run_dir / "work" / f"environment-{time.monotonic_ns()}"
            devices = self.runner.call({"job": "environment", "out_dir": str(out_dir)}, timeout=120)
            shutil.rmtree(out_dir, ignore_errors=True)
            self._environment = {"target": info["target"], "versions": info["versions"], "devices": devices["devices"]}
            if self.legacy_runner is not self.runner:
                self._environment["legacy_target"] = self.legacy_runner.start()["target"]
        return self._environment

    def device_available(self, device: str) -> bool:
        return any(entry["name"] == device and entry["available"] for entry in self.environment()["devices"])

    # Fixtures -----------------------------------------------------------------------
    def fixture_path(self, name: str) -> Path:
        """Build a model fixture once per run (under a file lock) and return its folder."""
        folder = self.options.run_dir / "fixtures" / name
        done = folder / ".complete"
        lock_path = self.options.run_dir / "fixtures" / f".{name}.lock"
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not done.exists():
                shutil.rmtree(folder, ignore_errors=True)
                out_dir = self.options.run_dir / "work" / f"fixture-{name}"
                request = {"job": "fixture", "fixture": name, "folder": str(folder), "seed": self.options.seed, "out_dir": str(out_dir)}
                try:
                    # The older environment builds fixtures in a cross-version run: newer
                    # transformers releases read older saved files, not always the reverse.
                    self.legacy_runner.call(request, timeout=600, side="fixture")
                except InvocationFailed as failure:
                    if "FixtureError" in failure.message:
                        raise FixtureError(failure.message.split(": ", 1)[-1]) from None
                    raise
                done.write_text("ok\n")
        return folder

    def check_data(self, tier: Tier) -> None:
        """Load the tier's data sets here first, so missing data skips the record before anything runs."""
        from .fixtures import data

        for name in filter(None, (tier.data, tier.heldout)):
            data.load(name, self.options.data_dir)

    # Judging ------------------------------------------------------------------------
    def judge(self, key: RecordKey) -> dict[str, Any]:
        """Run legacy, new and negative control for one record and return its results record."""
        from .record import base_record, finish_record

        record = base_record(key, self.target)
        started = time.perf_counter()
        tier: Tier = key.scenario.tiers[key.tier]
        tolerance = self.tolerance(key)
        record["tolerance"] = tolerance.as_dict()
        skip_reason = key.case.skip_reason(key.tier, key.device)
        if skip_reason:
            record["expected_verdict"], record["expected_reason"] = "skipped", skip_reason
            return finish_record(record, Verdict("skipped", skip_reason), started)
        try:
            self.check_data(tier)
            model_path = self.fixture_path(tier.model)
            if key.tier == "statistical":
                from .statistical_tier import judge_statistical

                return finish_record(record, judge_statistical(self, key, tier, model_path, record), started)
            sides = self._run_sides(key, tier, model_path, record)
        except FixtureError as error:
            return finish_record(record, Verdict("skipped", str(error)), started)
        except InvocationFailed as failure:
            if failure.kind == "skipped":
                return finish_record(record, Verdict("skipped", f"the {failure.side} invocation skipped itself: {failure.message}"), started)
            record["logs"][failure.side] = failure.log_tail
            return self._failed(record, key, failure, started)
        except ConformanceError as error:
            record["error"] = {"side": "harness", "type": type(error).__name__, "message": str(error)}
            return finish_record(record, Verdict("error", str(error)), started)

        verdict = self._compare(key, sides, tolerance, record)
        # The rerun explains an unexpected disagreement; a divergence the scenario already expects
        # has its reason written down, so it is not rerun.
        if verdict.verdict == "divergent" and self.options.float64_tiebreak and record["figures"] and needs_tiebreak(key.case.dtype, key.tier, record["mismatches"]):
            began = time.perf_counter()
            record["figures"]["float64_tiebreak"] = run_tiebreak(self, key, tier, sides, record["mismatches"])
            record["timings"]["tiebreak_s"] = round(time.perf_counter() - began, 3)
        if not verdict.unexpected and not self.options.keep_workdirs:
            shutil.rmtree(self.options.run_dir / "work" / key.slug, ignore_errors=True)
        return finish_record(record, verdict, started)

    def tolerance(self, key: RecordKey) -> Tolerance:
        """Return the policy of the record's device and its case's dtype, or an override that applies to it."""
        return select(key.device, key.case.dtype, key.scenario.tolerance, tier=key.tier)

    def _run_sides(self, key: RecordKey, tier: Tier, model_path: Path, record: dict[str, Any]) -> dict[str, Any]:
        sides = {}
        for side in ("legacy", "new", "negative_control"):
            began = time.perf_counter()
            try:
                sides[side] = self.invoke(key, tier, model_path, side)
            finally:
                record["timings"][f"{side}_s"] = round(time.perf_counter() - began, 3)
        return sides

    def invoke(self, key: RecordKey, tier: Tier, model_path: Path, side: str, label: str | None = None, **overrides: Any) -> SideResult | InvocationFailed:
        """Run one side of a record in a child and load its artifacts.

        Args:
            label: the folder under the record's work folder (default: the side), so reruns
                of a side (seeds, float64) keep their own artifacts.
            overrides: request fields replaced for this run, e.g. seed, device, dtype, float64.

        Returns:
            The side's artifacts, or the `InvocationFailed` when the invocation itself raised;
            any other failure (timeout, crash, harness error, a skip) is raised.
        """
        base = self.options.run_dir / "work" / key.slug / (label or side)
        shutil.rmtree(base, ignore_errors=True)
        request = {
            "job": "invoke",
            "scenario_file": key.scenario.source_file,
            "case": key.case.name,
            "side": side,
            "tier": key.tier,
            "device": key.device,
            "dtype": key.case.dtype,
            "seed": self.options.seed,
            "model_path": str(model_path),
            "data": tier.data,
            "heldout": tier.heldout,
            "data_dir": str(self.options.data_dir) if self.options.data_dir else None,
            "workdir": str(base / "cwd"),
            "out_dir": str(base / "out"),
        }
        request.update(overrides)
        timeout = self.options.timeout or key.scenario.timeout or DEFAULT_TIMEOUT
        runner = self.legacy_runner if side == "legacy" else self.runner
        try:
            runner.call(request, timeout=timeout, side=side)
        except InvocationFailed as failure:
            if failure.kind != "raised":
                raise
            return failure
        result = SideResult.load(base / "out")
        if not (base / "cwd").exists() or not self.options.keep_workdirs:
            shutil.rmtree(base / "cwd", ignore_errors=True)
        self._note_determinism(request["device"], result.artifacts.get("determinism"))
        return result

    def _note_determinism(self, device: str, applied: dict[str, Any] | None) -> None:
        # The first settings a child applied on each device go to run_info, as read back there.
        if applied and self._environment is not None:
            self._environment.setdefault("determinism", {}).setdefault(device, applied)

    def _failed(self, record: dict[str, Any], key: RecordKey, failure: InvocationFailed, started: float) -> dict[str, Any]:
        from .record import finish_record

        record["error"] = {"side": failure.side, "type": failure.kind, "message": failure.message}
        hint = " (raise --invocation-timeout if the machine is slow)" if failure.kind == "timed out" else ""
        return finish_record(record, Verdict("error", f"{failure}{hint}"), started)

    def _compare(self, key: RecordKey, sides: dict[str, Any], tolerance: Tolerance, record: dict[str, Any]) -> Verdict:
        from .record import fill_comparison

        began = time.perf_counter()
        raised = {side: value for side, value in sides.items() if isinstance(value, InvocationFailed)}
        for side, failure in raised.items():
            record["logs"][side] = failure.log_tail
        if "legacy" in raised or "new" in raised:
            verdict = _judge_exceptions(key, raised)
            record["mismatches"] = [_exception_mismatch(raised, sides)] if verdict.verdict != "equivalent" else []
            record["timings"]["compare_s"] = round(time.perf_counter() - began, 3)
            return verdict
        if key.case.expect_exception:
            # A bad-input case whose calls both succeed accepted the bad input: that is the finding.
            record["mismatches"] = [_exception_mismatch(raised, sides)]
            record["timings"]["compare_s"] = round(time.perf_counter() - began, 3)
            return Verdict("divergent", "both invocations ran without error, but this bad-input case expects both to raise")

        for side in ("legacy", "new"):
            problem = comparison.nan_failure(side, sides[side])
            if problem:
                record["error"] = {"side": side, "type": "NaN loss", "message": problem}
                return Verdict("error", f"{problem}; lower the learning rate or check the loss inputs")

        mismatches, figures = comparison.compare_sides(key.scenario, sides["legacy"], sides["new"], tolerance)
        control = sides["negative_control"]
        if isinstance(control, InvocationFailed):
            control_mismatches = [{"artifact": "error", "kind": "exception", "message": f"negative control raised: {control.message}"}]
            control_figures: dict[str, Any] = {}
        else:
            control_mismatches, control_figures = comparison.compare_sides(key.scenario, sides["legacy"], control, tolerance)
        fill_comparison(record, key, sides, mismatches, figures, control_mismatches, control_figures)
        record["timings"]["compare_s"] = round(time.perf_counter() - began, 3)
        return decide(key.case.expect, mismatches, control_mismatches)

    def close(self) -> None:
        self.runner.stop()
        if self.legacy_runner is not self.runner:
            self.legacy_runner.stop()


def _judge_exceptions(key: RecordKey, raised: dict[str, InvocationFailed]) -> Verdict:
    if "legacy" in raised and "new" in raised:
        same_type = raised["legacy"].message.split(":")[0] == raised["new"].message.split(":")[0]
        if key.case.expect_exception and same_type:
            return Verdict("equivalent", f"both sides raise {raised['legacy'].message.split(':')[0]} as expected")
        return Verdict("error", f"both invocations raised: legacy {raised['legacy'].message}; new {raised['new'].message}")
    side = "legacy" if "legacy" in raised else "new"
    if key.case.expect == "expected-divergence":
        return Verdict("expected-divergence", f"only the {side} invocation raised, a divergence the case expects: {raised[side].message}")
    return Verdict("divergent", f"only the {side} invocation raised: {raised[side].message}")


def _exception_mismatch(raised: dict[str, InvocationFailed], sides: dict[str, Any]) -> dict[str, Any]:
    from .compare.numeric import mismatch

    legacy = raised["legacy"].message if "legacy" in raised else "ran without error"
    new = raised["new"].message if "new" in raised else "ran without error"
    return mismatch("error", "exception", "invocation", f"legacy: {legacy}; new: {new}", expected=legacy, got=new)
