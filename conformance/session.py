"""State of one conformance run inside one pytest process, and the run's output files."""

from __future__ import annotations

import json
import logging
import os
import secrets
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from . import __version__
from .errors import ConformanceError, RunnerUnavailable, TargetError
from .rows import ROW_ORDER

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RESULTS_SCHEMA_VERSION = 1


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def default_data_dir(option: str | None) -> Path | None:
    value = option or os.environ.get("CONFORMANCE_DATA_DIR")
    if value:
        return Path(value).resolve()
    candidate = PROJECT_ROOT.parent / "shared" / "data"
    return candidate if candidate.is_dir() else None


def check_writable(folder: Path) -> None:
    """Raise `pytest.UsageError` when `folder` cannot be created or written."""
    probe = folder
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir() or not os.access(probe, os.W_OK | os.X_OK):
        raise pytest.UsageError(
            f"reports folder {folder} is not writable (checked {probe}); pass --report-dir with a writable folder "
            "or set CONFORMANCE_REPORT_DIR"
        )


def new_run_id(report_dir: Path) -> str:
    while True:
        run_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(2)
        if not (report_dir / run_id).exists():
            return run_id


@dataclass
class RunState:
    target_spec: str
    target: Any
    target_error: str | None
    devices: list[str]
    tiers: list[str]
    data_dir: Path | None
    run_dir: Path | None
    seed: int
    timeout: float | None
    keep_workdirs: bool
    started_at: str
    worker: str
    command_line: str
    outputs: dict[str, Path] = field(default_factory=dict)
    targets: Any = None
    stale_expectations: list[str] = field(default_factory=list)
    statistical_seeds: int | None = None
    float64_tiebreak: bool = True
    _engine: Any = None
    _counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: pytest.Config) -> RunState:
        from .targets import resolve

        option = config.getoption
        spec = option("--target") or os.environ.get("CONFORMANCE_TARGET") or "reference"
        target, target_error = None, None
        try:
            target = resolve(spec, option("--target-python"))
        except TargetError as error:
            target_error = str(error)
        from .run_targets import RunTargets

        targets = RunTargets.from_config(config, target, target_error)
        target, target_error = targets.target, targets.error

        worker_input = getattr(config, "workerinput", None)
        if worker_input is not None:
            run_dir = Path(worker_input["conformance_run_dir"]) if worker_input.get("conformance_run_dir") else None
            started_at = worker_input["conformance_started_at"]
            worker = worker_input.get("workerid", "worker")
        else:
            report_dir = Path(option("--report-dir") or os.environ.get("CONFORMANCE_REPORT_DIR") or PROJECT_ROOT / "reports").resolve()
            check_writable(report_dir)
            run_id = option("--run-id") or new_run_id(report_dir)
            run_dir = report_dir / run_id
            if option("--run-id") and run_dir.exists():
                raise pytest.UsageError(f"run folder {run_dir} already exists; choose another --run-id so no earlier report is overwritten")
            started_at = _now()
            worker = "main"
        devices = [d.strip() for d in option("--device").split(",") if d.strip()]
        unknown = sorted(set(devices) - {"cpu", "cuda"})
        if unknown:
            raise pytest.UsageError(f"unknown --device value(s) {unknown}; use cpu, cuda or both (cpu,cuda)")
        tiers = [t.strip() for t in option("--tier").split(",") if t.strip()]
        unknown = sorted(set(tiers) - {"tiny", "real", "statistical"})
        if unknown:
            raise pytest.UsageError(f"unknown --tier value(s) {unknown}; use tiny, real or statistical, comma-separated")
        if option("--statistical-seeds") is not None and option("--statistical-seeds") < 2:
            raise pytest.UsageError(f"--statistical-seeds must be at least 2 to estimate a variance, got {option('--statistical-seeds')}")
        return cls(
            target_spec=spec,
            target=target,
            target_error=target_error,
            devices=devices,
            tiers=tiers,
            data_dir=default_data_dir(option("--data-dir")),
            run_dir=run_dir,
            seed=option("--seed"),
            timeout=option("--invocation-timeout"),
            keep_workdirs=option("--keep-workdirs"),
            started_at=started_at,
            worker=worker,
            command_line=shlex.join([Path(sys.argv[0]).name, *sys.argv[1:]]),
            targets=targets,
            statistical_seeds=option("--statistical-seeds"),
            float64_tiebreak=not option("--no-float64-tiebreak"),
        )

    # Judging ------------------------------------------------------------------------
    def engine(self) -> Any:
        if self._engine is None:
            from .engine import Engine, EngineOptions

            self.run_dir.mkdir(parents=True, exist_ok=True)
            options = EngineOptions(
                self.run_dir,
                self.data_dir,
                self.seed,
                self.timeout,
                self.keep_workdirs,
                statistical_seeds=self.statistical_seeds,
                float64_tiebreak=self.float64_tiebreak,
            )
            self._engine = Engine(self.target, options, legacy_target=self.targets.legacy)
        return self._engine

    def judge(self, key: Any) -> dict[str, Any]:
        from .record import base_record, finish_record
        from .verdict import Verdict
        import time

        started = time.perf_counter()
        if self.target is None:
            record = base_record(key, _UnresolvedTarget(self.target_spec))
            record["error"] = {"side": "harness", "type": "TargetError", "message": self.target_error}
            return self._store(finish_record(record, Verdict("error", self.target_error), started))
        planned = self.targets.planned_skip(key, base_record(key, self.target))
        if planned is not None:
            return self._store(finish_record(planned[0], Verdict("skipped", planned[1]), started))
        engine = self.engine()
        try:
            available = engine.device_available(key.device)
        except (RunnerUnavailable, ConformanceError) as error:
            record = base_record(key, self.target)
            record["error"] = {"side": "harness", "type": type(error).__name__, "message": str(error)}
            return self._store(finish_record(record, Verdict("error", str(error)), started))
        if not available:
            record = base_record(key, self.target)
            reason = f"device {key.device!r} is not available: " + _device_description(engine, key.device)
            return self._store(finish_record(record, Verdict("skipped", reason), started))
        return self._store(engine.judge(key))

    def _store(self, record: dict[str, Any]) -> dict[str, Any]:
        record = self.targets.finish(record)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        parts = self.run_dir / "parts"
        parts.mkdir(exist_ok=True)
        with (parts / f"{self.worker}.jsonl").open("a") as handle:
            handle.write(json.dumps(record, default=str) + "\n")
        if self._engine is not None and self._engine._environment is not None:
            (parts / f"{self.worker}.environment.json").write_text(json.dumps(self._engine._environment))
        return record

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()

    # Output -------------------------------------------------------------------------
    def write_outputs(self, config: pytest.Config) -> None:
        parts = self.run_dir / "parts" if self.run_dir else None
        if parts is None or not parts.is_dir():
            return
        records = []
        for part in sorted(parts.glob("*.jsonl")):
            records.extend(json.loads(line) for line in part.read_text().splitlines() if line.strip())
        records.sort(key=lambda record: (ROW_ORDER.get(record["row"], 999), record["id"]))
        results = {"schema_version": RESULTS_SCHEMA_VERSION, "run_info": self.run_info(parts), "records": records}
        self.outputs = write_run_outputs(results, self.run_dir)
        for verdict in (record["verdict"] for record in records):
            self._counts[verdict] = self._counts.get(verdict, 0) + 1
        self.stale_expectations = self.targets.stale_messages(records)
        for message in self.stale_expectations:
            logger.warning(message)

    def run_info(self, parts: Path) -> dict[str, Any]:
        from .compare.tolerance import flat_policy, load_policy
        from .determinism import run_info_settings

        environment: dict[str, Any] = {}
        applied: dict[str, Any] = {}
        for path in sorted(parts.glob("*.environment.json")):
            found = json.loads(path.read_text())
            environment = environment or found
            # Each worker notes the settings its children applied per device; merge them.
            for device, settings in found.get("determinism", {}).items():
                applied.setdefault(device, settings)
        if not environment:
            environment = harness_environment()
        target_info = environment.get("target", {})
        target = {
            "spec": self.target_spec,
            "name": target_info.get("name", "unknown"),
            "version": target_info.get("version", "unknown"),
            "path": target_info.get("path"),
            "python": self.target.python if self.target else None,
            "commit": None,
        }
        info = {
            "run_id": self.run_dir.name,
            "suite": {"version": __version__, "git_commit": _git_commit()},
            "target": target,
            "legacy_target": None,
            "versions": environment.get("versions", {}),
            "devices": environment.get("devices", []),
            "determinism": run_info_settings(applied),
            "tolerance_policy": flat_policy(load_policy()),
            "seeds": {"base_seed": self.seed, "statistical_seeds": self.statistical_seeds},
            "tiers": self.tiers,
            "data_dir": str(self.data_dir) if self.data_dir else None,
            "command_line": self.command_line,
            "started_at": self.started_at,
            "finished_at": _now(),
            "expectations_file": None,
        }
        return self.targets.fill_run_info(info, environment)

    def summary_lines(self) -> list[str]:
        counts = ", ".join(f"{count} {verdict}" for verdict, count in sorted(self._counts.items()))
        lines = [f"target {self.target_spec}: {counts}"]
        lines += self.stale_expectations
        lines += [f"{name}: {path}" for name, path in self.outputs.items()]
        return lines


def harness_environment() -> dict[str, Any]:
    """Versions as installed beside the harness, for runs whose target never started."""
    import platform
    from importlib import metadata

    versions = {"python": platform.python_version()}
    for name in ("torch", "transformers", "datasets", "accelerate", "numpy"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    devices = [
        {"name": "cpu", "available": True, "description": f"{platform.machine()}, {os.cpu_count()} cores"},
        {"name": "cuda", "available": False, "description": "not probed: the target did not start"},
    ]
    return {"versions": versions, "devices": devices}


@dataclass(frozen=True)
class _UnresolvedTarget:
    spec: str
    python: str | None = None


def _device_description(engine: Any, device: str) -> str:
    for entry in engine.environment()["devices"]:
        if entry["name"] == device:
            return entry["description"]
    return "unknown device name; use cpu or cuda"


def _git_commit() -> str | None:
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def write_run_outputs(results: dict[str, Any], run_dir: Path) -> dict[str, Path]:
    """Write results.json, index.html and junit.xml through the report package."""
    from .report import write_run_outputs as write

    return write(results, run_dir)


def describe_failure(record: dict[str, Any], config: pytest.Config) -> str:
    """Format the text pytest prints for an unexpected verdict: the verdict, its numbers and a repro line."""
    lines = [f"{record['id']}: {record['verdict']}", f"  reason: {record['reason']}"]
    for item in record.get("mismatches", [])[:8]:
        numbers = ""
        if item.get("max_abs_diff") is not None:
            numbers = f" (max abs {item['max_abs_diff']:.3g}"
            if item.get("max_rel_diff") is not None:
                numbers += f", max rel {item['max_rel_diff']:.3g}"
            numbers += ")"
        lines.append(f"  - [{item['artifact']}] {item['message']}{numbers}")
    if record.get("error"):
        lines.append(f"  error in {record['error']['side']}: {record['error']['message']}")
    for side, log in record.get("logs", {}).items():
        if log:
            lines.append(f"  --- {side} log tail ---")
            lines.extend("  " + line for line in log.strip().splitlines()[-15:])
    lines.append(
        f"  repro: python -m pytest scenarios -k '{record['row']}' --target {record['target']} --device {record['device']} "
        f"--tier {record['tier']}  (inside the suite's environment, e.g. .nox/conformance/bin/python, "
        f"or: python3 -m nox -R -s conformance -- -k '{record['row']}' ...)"
    )
    return "\n".join(lines)
