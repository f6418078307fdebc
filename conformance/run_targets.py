"""What one run judges: the target, the legacy target of a cross-version run, and the expectations file.

`RunState` (session.py) keeps one `RunTargets`. In the controlling pytest process it resolves the
specs, inspects each target's environment once (version, commit, packages, available APIs) and
loads the expectations file. xdist workers receive the inspections through their `workerinput`,
so no worker inspects again. It then decides which records are skipped before they run, applies the
expectations to every judged record, and fills the target fields of `run_info`.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

import pytest

from .errors import TargetError
from .expectations import EXPECTATIONS_ENV, Expectations, ExpectationsError
from .expectations import load as load_expectations
from .inspection import inspect_interpreter, unavailable_reason
from .targets import LEGACY_TARGET_ENV, Target, resolve

logger = logging.getLogger(__name__)

WORKER_KEY = "conformance_targets"


@dataclass
class RunTargets:
    """The targets of one run and the expectations they are judged against.

    Args:
        target: the resolved target, or None when it could not be resolved or imported.
        error: why the run cannot judge anything (every record then gets the `error` verdict).
        legacy: the legacy target of a cross-version run, or None.
        inspections: "target" and "legacy" -> what `inspection.describe` reported (absent for the reference).
        expectations: the loaded expectations file, or None.
    """

    target: Target | None
    error: str | None = None
    legacy: Target | None = None
    inspections: dict[str, dict[str, Any]] = field(default_factory=dict)
    expectations: Expectations | None = None

    @classmethod
    def from_config(cls, config: pytest.Config, target: Target | None, target_error: str | None) -> RunTargets:
        """Resolve the legacy target and the expectations file, and inspect both targets once."""
        option = config.getoption
        expectations = _load_expectations(option("--expectations"), option("--expectations-skip"))
        run = cls(target, target_error, expectations=expectations)

        legacy_spec = option("--legacy-target") or os.environ.get(LEGACY_TARGET_ENV)
        if legacy_spec and run.error is None:
            try:
                run.legacy = resolve(legacy_spec, option("--legacy-target-python"), role="legacy")
            except TargetError as error:
                run.error = str(error)

        worker_input = getattr(config, "workerinput", None)
        if worker_input is not None and WORKER_KEY in worker_input:
            shared = json.loads(worker_input[WORKER_KEY])
            run.inspections, run.error = shared["inspections"], run.error or shared["error"]
        elif run.error is None:
            run._inspect()
        if run.error is not None:
            run.target = None
        return run

    def to_worker(self) -> str:
        """Serialize what xdist workers receive, so that they neither inspect again nor disagree."""
        return json.dumps({"inspections": self.inspections, "error": self.error})

    def _inspect(self) -> None:
        for role, target in (("target", self.target), ("legacy", self.legacy)):
            if target is None or target.kind == "reference":
                continue
            started = time.monotonic()
            description = inspect_interpreter(target.python)
            if not description.get("ok"):
                option = "--legacy-target" if role == "legacy" else "--target"
                self.error = (
                    f"{option} {target.spec!r} failed to import sentence_transformers with {target.python}: "
                    f"{description.get('error')}"
                )
                return
            description["spec"] = target.spec
            self.inspections[role] = description
            logger.info("inspected %s %r in %.1f s: %s %s", role, target.spec, time.monotonic() - started, description["name"], description["version"])

    # Records -----------------------------------------------------------------------------
    def planned_skip(self, key: Any, base: dict[str, Any]) -> tuple[dict[str, Any], str] | None:
        """Return the record and the reason when a record is skipped before it runs, else None."""
        entry = self.expectations.skip_reason(key) if self.expectations else None
        if entry is not None:
            base["expected_verdict"] = "skipped"
            base["expected_reason"] = entry.explanation()
            return base, f"skipped by --expectations-skip: {self.expectations.path.name} {entry.label()}: {entry.explanation()}"

        reason = unavailable_reason(key.scenario.row.id, self.inspections.get("target"), self._legacy_inspection())
        if reason is not None:
            return base, reason
        return None

    def _legacy_inspection(self) -> dict[str, Any] | None:
        if self.legacy is None:
            return None
        # The reference has every API and no release era, so a legacy reference rules nothing out.
        return self.inspections.get("legacy")

    def finish(self, record: dict[str, Any]) -> dict[str, Any]:
        """Apply the expectations file to a judged record."""
        if self.expectations is None:
            return record
        return self.expectations.apply(record)

    # Run info ----------------------------------------------------------------------------
    def fill_run_info(self, info: dict[str, Any], environment: dict[str, Any]) -> dict[str, Any]:
        """Add what the inspections found to `run_info`: versions, commits and the legacy target."""
        target = self.inspections.get("target")
        if target is not None:
            _merge_target(info["target"], target)
            # The inspection ran in the target's environment; without a started runner the
            # versions in `info` are the harness's own.
            info["versions"].update(target["packages"])
            info["versions"]["target"] = _freeze_line(target)
        if self.legacy is not None:
            runner_info = environment.get("legacy_target", {})
            legacy = {
                "spec": self.legacy.spec,
                "name": runner_info.get("name", "unknown"),
                "version": runner_info.get("version", "unknown"),
                "path": runner_info.get("path"),
                "python": self.legacy.python,
                "commit": None,
            }
            inspection = self.inspections.get("legacy")
            if inspection is not None:
                _merge_target(legacy, inspection)
                info["versions"]["legacy-target"] = _freeze_line(inspection)
                for name, version in inspection["packages"].items():
                    info["versions"][f"legacy:{name}"] = version
            info["legacy_target"] = legacy
        if self.expectations is not None:
            info["expectations_file"] = str(self.expectations.path)
        return info

    def stale_messages(self, records: list[dict[str, Any]]) -> list[str]:
        if self.expectations is None:
            return []
        return [
            f"stale expectation: {self.expectations.path.name} {entry.label()} matches no record of this run; "
            "remove it, or check its row id, case, device and tier"
            for entry in self.expectations.stale(records)
        ]


def _load_expectations(path: str | None, skip: bool) -> Expectations | None:
    path = path or os.environ.get(EXPECTATIONS_ENV)
    if not path:
        if skip:
            raise pytest.UsageError("--expectations-skip needs an expectations file; pass --expectations FILE")
        return None
    try:
        return load_expectations(path, skip)
    except ExpectationsError as error:
        raise pytest.UsageError(str(error)) from None


def _merge_target(entry: dict[str, Any], inspection: dict[str, Any]) -> None:
    entry["name"] = inspection["name"]
    entry["version"] = inspection["version"]
    entry["path"] = inspection.get("path") or entry.get("path")
    entry["commit"] = inspection.get("commit")


def _freeze_line(inspection: dict[str, Any]) -> str:
    """Format the target's line as `pip freeze` writes it: NAME==VERSION, or NAME @ URL for direct installs."""
    direct = inspection.get("direct_url")
    if direct and direct.get("vcs_info"):
        vcs = direct["vcs_info"]
        return f"{inspection['name']} @ {vcs.get('vcs', 'git')}+{direct['url']}@{vcs.get('commit_id')}"
    if direct and direct.get("url"):
        return f"{inspection['name']} @ {direct['url']}"
    return f"{inspection['name']}=={inspection['version']}"
