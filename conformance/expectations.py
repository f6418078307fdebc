"""Expectations files: the known divergences of one target, kept by the maintainers of that target.

A TOML file lists one `[[divergence]]` entry per row (optionally narrowed to a case, a device and a
tier) with the reason and a link::

    [[divergence]]
    row = "st.fit.warmup_steps"
    device = "cuda"                      # optional: every device when absent
    tier = "tiny"                        # optional: every tier when absent
    case = "default"                     # optional: every case when absent
    reason = "our fork warms up per epoch, not per run"
    link = "https://example.org/fork/issues/12"

A divergent record that an entry matches becomes `expected-divergence`; an equivalent one becomes
`unexpected-pass` (the entry is out of date). With `skip` set, matched records are skipped before
they run. Entries that match no record of a run are stale and reported as warnings.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from .errors import ConformanceError
from .rows import ROW_ORDER
from .verdict import Verdict

EXPECTATIONS_ENV = "CONFORMANCE_EXPECTATIONS"
_KEYS = {"row", "case", "device", "tier", "reason", "link"}
_DEVICES = ("cpu", "cuda")
_TIERS = ("tiny", "real", "statistical")


class ExpectationsError(ConformanceError, ValueError):
    """An expectations file cannot be read, or one of its entries is invalid."""


@dataclass(frozen=True)
class Entry:
    """One known divergence.

    Args:
        row: the row id, e.g. "st.fit.warmup_steps".
        reason: why the target diverges there.
        link: where the divergence is tracked, or None.
        case, device, tier: narrow the entry; None matches every value.
        index: the entry's position in the file (1-based), for messages.
    """

    row: str
    reason: str
    link: str | None = None
    case: str | None = None
    device: str | None = None
    tier: str | None = None
    index: int = 0

    def matches(self, row: str, case: str, device: str, tier: str) -> bool:
        return (
            self.row == row
            and self.case in (None, case)
            and self.device in (None, device)
            and self.tier in (None, tier)
        )

    def label(self) -> str:
        narrowing = ", ".join(f"{name} {value}" for name, value in (("case", self.case), ("device", self.device), ("tier", self.tier)) if value)
        return f"entry {self.index} ({self.row}{'; ' + narrowing if narrowing else ''})"

    def explanation(self) -> str:
        return self.reason + (f" ({self.link})" if self.link else "")


@dataclass(frozen=True)
class Expectations:
    """The parsed expectations file and how matched records are treated."""

    path: Path
    entries: tuple[Entry, ...]
    skip: bool = False

    def find(self, row: str, case: str, device: str, tier: str) -> Entry | None:
        return next((entry for entry in self.entries if entry.matches(row, case, device, tier)), None)

    def skip_reason(self, key: Any) -> Entry | None:
        """Return the entry that skips this record before it runs (only with `skip` set), or None."""
        if not self.skip:
            return None
        return self.find(key.scenario.row.id, key.case.name, key.device, key.tier)

    def apply(self, record: dict[str, Any]) -> dict[str, Any]:
        """Turn a judged record into what this file expects of it; records no entry matches are unchanged."""
        entry = self.find(record["row"], record["case"], record["device"], record["tier"])
        # A divergence the scenario itself documents keeps the scenario's reason; errors and
        # skips are no divergence, so an entry does not excuse them.
        if entry is None or record["expected_verdict"] == "expected-divergence":
            return record
        if record["verdict"] not in ("divergent", "equivalent"):
            return record
        record["expected_verdict"] = "expected-divergence"
        record["expected_reason"] = entry.explanation()
        if record["verdict"] == "divergent":
            verdict = Verdict("expected-divergence", f"{record['reason']} (known divergence, {self.path.name} {entry.label()})")
        elif record["verdict"] == "equivalent":
            verdict = Verdict(
                "unexpected-pass",
                f"{self.path.name} {entry.label()} lists a known divergence, but legacy and new now agree; remove the entry",
            )
        record["verdict"], record["reason"], record["unexpected"] = verdict.verdict, verdict.reason, verdict.unexpected
        return record

    def stale(self, records: list[dict[str, Any]]) -> list[Entry]:
        """Entries that match none of the records."""
        return [
            entry
            for entry in self.entries
            if not any(entry.matches(r["row"], r["case"], r["device"], r["tier"]) for r in records)
        ]


def load(path: str | Path, skip: bool = False) -> Expectations:
    """Read and check an expectations file; raise `ExpectationsError` naming the file and the entry."""
    path = Path(path).resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ExpectationsError(f"expectations file {str(path)!r} cannot be read: {error.strerror}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ExpectationsError(f"expectations file {str(path)!r} is not valid TOML: {error}") from None

    unknown_tables = sorted(set(data) - {"divergence"})
    if unknown_tables:
        raise ExpectationsError(f"{path}: unknown top-level key(s) {unknown_tables}; list entries as [[divergence]] tables")
    raw = data.get("divergence", [])
    if not isinstance(raw, list):
        raise ExpectationsError(f"{path}: 'divergence' must be an array of tables ([[divergence]])")
    entries = tuple(_entry(item, index, path) for index, item in enumerate(raw, start=1))
    _reject_duplicates(entries, path)
    return Expectations(path, entries, skip)


def _entry(item: Any, index: int, path: Path) -> Entry:
    where = f"{path}: entry {index}"
    if not isinstance(item, dict):
        raise ExpectationsError(f"{where} must be a table with row and reason")
    unknown = sorted(set(item) - _KEYS)
    if unknown:
        raise ExpectationsError(f"{where}: unknown key(s) {unknown}; allowed keys are {sorted(_KEYS)}")
    for name in _KEYS:
        if name in item and not isinstance(item[name], str):
            raise ExpectationsError(f"{where}: {name} must be a string, got {item[name]!r}")

    row = item.get("row")
    if not row:
        raise ExpectationsError(f"{where} has no row; add row = \"<row id>\", e.g. row = \"st.fit.warmup_steps\"")
    if row not in ROW_ORDER:
        raise ExpectationsError(f"{where}: unknown row id {row!r}; {_near_ids(row)}")
    if not item.get("reason", "").strip():
        raise ExpectationsError(f"{where} ({row}) has no reason; say why the target diverges there")
    if item.get("device") not in (None, *_DEVICES):
        raise ExpectationsError(f"{where} ({row}): unknown device {item['device']!r}; use {' or '.join(_DEVICES)}, or leave it out")
    if item.get("tier") not in (None, *_TIERS):
        raise ExpectationsError(f"{where} ({row}): unknown tier {item['tier']!r}; use one of {', '.join(_TIERS)}, or leave it out")
    return Entry(row, item["reason"].strip(), item.get("link") or None, item.get("case"), item.get("device"), item.get("tier"), index)


def _near_ids(row: str) -> str:
    import difflib

    near = difflib.get_close_matches(row, list(ROW_ORDER), n=3, cutoff=0.5)
    if near:
        return "did you mean " + " or ".join(repr(name) for name in near) + "?"
    return "row ids are those of the migration guide's rows, e.g. 'st.flow' or 'ce.fit.loss_fct'"


def _reject_duplicates(entries: tuple[Entry, ...], path: Path) -> None:
    seen: dict[tuple[Any, ...], Entry] = {}
    for entry in entries:
        key = (entry.row, entry.case, entry.device, entry.tier)
        if key in seen:
            raise ExpectationsError(f"{path}: {entry.label()} repeats {seen[key].label()}; keep one of them")
        seen[key] = entry


# Drafting ----------------------------------------------------------------------------------
def draft(results: dict[str, Any], source: str) -> str:
    """Write a draft expectations file listing every divergent record of a results file."""
    target = results["run_info"]["target"]
    lines = [
        f"# Known divergences of {target['spec']} ({target['name']} {target['version']}),",
        f"# drafted from {source}. Replace each reason with the cause and add a link to where it is tracked.",
        "",
    ]
    divergent = [record for record in results["records"] if record["verdict"] == "divergent"]
    for record in divergent:
        lines += [
            "[[divergence]]",
            f"row = {_toml_string(record['row'])}",
            f"case = {_toml_string(record['case'])}",
            f"device = {_toml_string(record['device'])}",
            f"tier = {_toml_string(record['tier'])}",
            f"reason = {_toml_string(record['reason'])}",
            '# link = "https://..."',
            "",
        ]
    if not divergent:
        lines.append("# The results file has no divergent record, so there is nothing to list.")
    return "\n".join(lines).rstrip("\n") + "\n"


def _toml_string(value: str) -> str:
    # JSON's escapes (\", \\, \n, \uXXXX) are valid in a TOML basic string; non-ASCII stays as UTF-8.
    return json.dumps(value, ensure_ascii=False)
