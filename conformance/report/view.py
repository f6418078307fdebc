"""The report's view model: runs, matrix columns, matrix rows grouped by section, anchors.

One HTML report shows one or more runs. A matrix row is a (row, case) pair of the migration
guide, and a column is a (run, device, tier) triple. Runs of other targets, versions or
devices therefore sit side by side.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# Summary and filter order: passing verdicts first, then the ones that fail a run.
VERDICTS = (
    "equivalent",
    "expected-divergence",
    "skipped",
    "divergent",
    "insensitive",
    "unexpected-pass",
    "error",
)
UNEXPECTED_VERDICTS = frozenset({"divergent", "error", "insensitive", "unexpected-pass"})


@dataclass
class RunView:
    """One results file as the report shows it.

    Args:
        index: position among the rendered runs.
        key: identifier unique among the rendered runs (the run_id, suffixed when repeated).
        label: target label shown in column headers and filters.
        info: the run_info dict.
        records: the run's record dicts.
    """

    index: int
    key: str
    label: str
    info: dict[str, Any]
    records: list[dict[str, Any]]


@dataclass
class Column:
    """One matrix column: a run's records on one device and tier."""

    run: RunView
    device: str
    tier: str

    @property
    def label(self) -> str:
        return f"{self.device} / {self.tier}"


@dataclass
class RecordView:
    """One record with what the page needs to place and link it."""

    record: dict[str, Any]
    run: RunView
    anchor: str
    column: int
    row_anchor: bool = False


@dataclass
class MatrixRow:
    """One (row, case) line of the matrix; ``cells[i]`` contains the records of column i."""

    row: str
    case: str
    title: str
    section: str
    cells: list[list[RecordView]] = field(default_factory=list)

    @property
    def records(self) -> list[RecordView]:
        return [view for cell in self.cells for view in cell]


@dataclass
class Report:
    """Everything the template renders."""

    runs: list[RunView]
    columns: list[Column]
    sections: list[tuple[str, list[MatrixRow]]]
    counts: dict[str, int]
    unexpected: list[RecordView]

    @property
    def records(self) -> list[RecordView]:
        return [view for _, rows in self.sections for row in rows for view in row.records]

    def facet_values(self, facet: str) -> list[str]:
        """Distinct values of a record field, in order of first appearance."""
        values = dict.fromkeys(view.record[facet] for view in self.records)
        return list(values)


def target_label(info: dict[str, Any]) -> str:
    """Describe a run's target as ``spec version``, prefixed by its legacy target if any."""
    label = _describe_target(info["target"])
    legacy = info.get("legacy_target")
    if legacy:
        label = f"{_describe_target(legacy)} \N{RIGHTWARDS ARROW} {label}"
    return label


def _describe_target(target: dict[str, Any]) -> str:
    spec = target["spec"]
    version = target.get("version")
    if version and version not in spec:
        return f"{spec} {version}"
    return spec


def build_runs(results: list[dict[str, Any]]) -> list[RunView]:
    """Wrap results dicts as runs with unique keys and distinguishable labels."""
    runs: list[RunView] = []
    key_uses: Counter[str] = Counter()
    label_uses = Counter(target_label(data["run_info"]) for data in results)

    for index, data in enumerate(results):
        info = data["run_info"]
        key = info["run_id"]
        key_uses[key] += 1
        if key_uses[key] > 1:
            key = f"{key}-{key_uses[key]}"

        label = target_label(info)
        # Two runs of the same target (say cpu and cuda machines) need their run id to tell apart.
        if label_uses[label] > 1:
            label = f"{label} ({key})"
        runs.append(RunView(index, key, label, info, data["records"]))
    return runs


def build_report(results: list[dict[str, Any]]) -> Report:
    """Arrange validated results dicts into the matrix and lists the page shows."""
    runs = build_runs(results)
    columns = _build_columns(runs)
    column_index = {(col.run.key, col.device, col.tier): i for i, col in enumerate(columns)}
    single_run = len(runs) == 1

    rows: dict[tuple[str, str], MatrixRow] = {}
    for run in runs:
        for record in run.records:
            key = (record["row"], record["case"])
            if key not in rows:
                rows[key] = MatrixRow(record["row"], record["case"], record["title"], record["section"])
                rows[key].cells = [[] for _ in columns]
            anchor = record["id"] if single_run else f"{run.key}/{record['id']}"
            column = column_index[(run.key, record["device"], record["tier"])]
            rows[key].cells[column].append(RecordView(record, run, anchor, column))

    sections = _group_by_section(list(rows.values()))
    _mark_row_anchors(sections)
    report = Report(runs, columns, sections, {}, [])
    report.counts = _count_verdicts(report.records)
    report.unexpected = [view for view in report.records if view.record["unexpected"]]
    return report


def _build_columns(runs: list[RunView]) -> list[Column]:
    columns: list[Column] = []
    for run in runs:
        pairs = dict.fromkeys((record["device"], record["tier"]) for record in run.records)
        columns.extend(Column(run, device, tier) for device, tier in pairs)
    return columns


def _group_by_section(rows: list[MatrixRow]) -> list[tuple[str, list[MatrixRow]]]:
    # Sections and rows keep their order of first appearance, which is the guide's order
    # because the engine runs rows in that order.
    sections: dict[str, list[MatrixRow]] = {}
    for row in rows:
        sections.setdefault(row.section, []).append(row)
    return list(sections.items())


def _mark_row_anchors(sections: list[tuple[str, list[MatrixRow]]]) -> None:
    seen: set[str] = set()
    for _, rows in sections:
        for row in rows:
            for view in row.records:
                if row.row not in seen:
                    view.row_anchor = True
                    seen.add(row.row)


def _count_verdicts(views: list[RecordView]) -> dict[str, int]:
    counter = Counter(view.record["verdict"] for view in views)
    return {verdict: counter[verdict] for verdict in VERDICTS if counter[verdict]}
