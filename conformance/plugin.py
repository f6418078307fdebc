"""The pytest plugin: options, collection of scenario files, one test item per record, reports.

`pytest scenarios --target installed -k st.flow -n 2` collects every `scenarios/*.py` file,
makes one item per (case, tier, device) of its scenario, and judges each item through the
engine. Each process appends its records to `parts/<worker>.jsonl` in the run folder; the
controlling process merges them into results.json, index.html and junit.xml at the end.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from .errors import ConformanceError, ScenarioDefinitionError, TargetError
from .rows import ROW_ORDER
from .scenario import Scenario

logger = logging.getLogger(__name__)

DATA_DIR_ENV = "CONFORMANCE_DATA_DIR"
REPORT_DIR_ENV = "CONFORMANCE_REPORT_DIR"
_STATE_KEY = pytest.StashKey["RunState"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("conformance", "migration-guide conformance")
    group.addoption("--target", default=None, help="implementation under test: reference (default), installed, or a spec nox installs; env CONFORMANCE_TARGET")
    group.addoption("--target-python", default=None, help="interpreter of the environment that holds the target; env CONFORMANCE_TARGET_PYTHON")
    group.addoption("--legacy-target", default=None, help="cross-version run: run the legacy invocations on this target spec instead; env CONFORMANCE_LEGACY_TARGET")
    group.addoption("--legacy-target-python", default=None, help="interpreter of the environment that holds the legacy target; env CONFORMANCE_LEGACY_TARGET_PYTHON")
    group.addoption("--expectations", default=None, metavar="FILE", help="TOML file of the target's known divergences; env CONFORMANCE_EXPECTATIONS")
    group.addoption("--expectations-skip", action="store_true", help="skip the records the expectations file lists instead of running them")
    group.addoption("--device", default="cpu,cuda", help="comma-separated devices to judge on; cuda is skipped with a reason when absent (default: cpu,cuda)")
    group.addoption("--tier", default="tiny,real", help="comma-separated tiers: tiny (built-in model and data), real (MiniLM and the shared data sets), statistical (several seeds per side, compared in distribution; only scenarios that declare it)")
    group.addoption("--data-dir", default=None, help=f"folder of the real data sets; env {DATA_DIR_ENV}; default ../shared/data beside the project when it exists")
    group.addoption("--report-dir", default=None, help=f"folder that receives one sub-folder per run (default: reports/); env {REPORT_DIR_ENV}")
    group.addoption("--run-id", default=None, help="name of this run's folder under --report-dir (default: a timestamp); an existing folder is never reused")
    group.addoption("--seed", type=int, default=12345, help="seed of the fixture models and of every invocation (default: 12345)")
    group.addoption("--invocation-timeout", type=float, default=None, help="seconds one invocation may run before it is killed (default: the scenario's, else 300)")
    group.addoption("--keep-workdirs", action="store_true", help="keep every invocation's working directory (default: only those of unexpected verdicts)")
    group.addoption("--statistical-seeds", type=int, default=None, help="seeds per side in the statistical tier, at least 2 (default: the scenario's, else 5)")
    group.addoption("--no-float64-tiebreak", action="store_true", help="do not rerun disagreeing float32 records in float64 on CPU to tell rounding from a real difference")


def pytest_configure(config: pytest.Config) -> None:
    from .session import RunState

    config.addinivalue_line("markers", "conformance: a migration-guide record judged by the engine")
    state = RunState.from_config(config)
    config.stash[_STATE_KEY] = state
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistHooks(state), "conformance-xdist")


class _XdistHooks:
    def __init__(self, state: Any) -> None:
        self.state = state

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["conformance_run_dir"] = str(self.state.run_dir) if self.state.run_dir else ""
        node.workerinput["conformance_started_at"] = self.state.started_at
        node.workerinput["conformance_targets"] = self.state.targets.to_worker()


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if file_path.suffix == ".py" and file_path.parent.name == "scenarios" and not file_path.name.startswith(("_", "conftest", "test_")):
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


def load_scenario_module(path: Path) -> Scenario:
    """Import a scenario file and return its `scenario`, validated."""
    _add_scenario_folder(path)
    spec = importlib.util.spec_from_file_location(f"conformance_scenario_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    scenario = getattr(module, "scenario", None)
    if not isinstance(scenario, Scenario):
        raise ScenarioDefinitionError(f"{path} defines no `scenario = Scenario(...)` at module level")
    scenario.source_file = str(path)
    scenario.validate()
    return scenario


def _add_scenario_folder(path: Path) -> None:
    """Put the scenario's folder on sys.path, so its files can share helpers (`import _st_fit`)."""
    folder = str(Path(path).resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)


class ScenarioFile(pytest.File):
    def collect(self):  # type: ignore[override]
        from .engine import RecordKey

        state: Any = self.config.stash[_STATE_KEY]
        scenario = load_scenario_module(self.path)
        for case in scenario.cases:
            for tier in scenario.tiers:
                if tier not in state.tiers:
                    continue
                for device in state.devices:
                    key = RecordKey(scenario, case, tier, device)
                    item = ScenarioItem.from_parent(self, name=key.id, key=key)
                    item.add_marker(pytest.mark.conformance)
                    if tier == "real":
                        item.add_marker(pytest.mark.real)
                    yield item


class ConformanceFailure(Exception):
    """An unexpected verdict; carries the record so the failure text can show its numbers."""

    def __init__(self, record: dict[str, Any]) -> None:
        super().__init__(record["reason"])
        self.record = record


class ScenarioItem(pytest.Item):
    def __init__(self, *, key: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.key = key

    def runtest(self) -> None:
        state: Any = self.config.stash[_STATE_KEY]
        record = state.judge(self.key)
        self.user_properties.append(("verdict", record["verdict"]))
        if record["unexpected"]:
            raise ConformanceFailure(record)
        if record["verdict"] == "skipped":
            pytest.skip(record["reason"])
        if record["verdict"] == "expected-divergence":
            pytest.xfail(record["reason"])

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        if isinstance(excinfo.value, ConformanceFailure):
            from .session import describe_failure

            return describe_failure(excinfo.value.record, self.config)
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, None, str]:
        # A domain that is not the end of the node id keeps pytest from rewriting "st.flow" as "st::flow".
        return self.path, None, f"record {self.name}"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Migration-guide order, so terminal output and reports read like the guide.
    def order(item: pytest.Item) -> tuple[int, str]:
        key = getattr(item, "key", None)
        return (ROW_ORDER.get(key.scenario.row.id, 999), key.id) if key else (1000, item.nodeid)

    items.sort(key=order)


def pytest_report_teststatus(report: pytest.TestReport, config: pytest.Config) -> tuple[str, str, str] | None:
    verdict = dict(report.user_properties).get("verdict") if report.when == "call" else None
    if verdict is None:
        return None
    letters = {"equivalent": ".", "expected-divergence": "x", "skipped": "s", "divergent": "D", "error": "E", "insensitive": "I", "unexpected-pass": "U"}
    if report.passed:
        outcome = "passed"
    elif report.skipped:
        outcome = "skipped"
    else:
        outcome = "failed"
    return outcome, letters.get(verdict, "?"), verdict.upper()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    state: Any = session.config.stash.get(_STATE_KEY, None)
    if state is None:
        return
    state.close()
    if not hasattr(session.config, "workerinput"):
        state.write_outputs(session.config)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    state: Any = config.stash.get(_STATE_KEY, None)
    if state is None or not state.outputs:
        return
    terminalreporter.section("conformance report")
    for line in state.summary_lines():
        terminalreporter.write_line(line)
