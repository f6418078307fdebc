"""Merging of the partial results that pytest-xdist workers of one run write."""

from __future__ import annotations

import copy
import logging
from datetime import datetime
from typing import Any

from conformance.report.schema import ResultsError, json_path

logger = logging.getLogger(__name__)

# Workers start and stop at slightly different moments, so these run_info keys may differ
# between parts. The merged run spans the earliest start to the latest finish.
_PER_WORKER_KEYS = ("started_at", "finished_at")


def merge_results(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Merge the results of several workers of the same run into one results dict.

    Every part must carry the same run_info, except started_at and finished_at: the merged
    run takes the earliest start and the latest finish. Records are concatenated in the order
    of the parts. The parts are not modified.

    Args:
        parts: results dicts of format version 1, one per worker.

    Returns:
        A new results dict with the shared run_info and all records.

    Raises:
        ResultsError: no parts were given, the parts come from different runs (the message
            names the first differing run_info key), or two parts hold the same record id.

    Example:
        >>> merged = merge_results([worker0, worker1])  # doctest: +SKIP
        >>> len(merged["records"]) == len(worker0["records"]) + len(worker1["records"])  # doctest: +SKIP
        True
    """
    if not parts:
        raise ResultsError("merge_results needs at least one results dict, got an empty list")

    base_info = parts[0]["run_info"]
    for index, part in enumerate(parts[1:], start=1):
        _check_same_run(base_info, part["run_info"], index)

    merged = {
        "schema_version": parts[0]["schema_version"],
        "run_info": _merged_run_info(parts),
        "records": _concatenated_records(parts),
    }
    logger.debug("merged %d parts into %d records", len(parts), len(merged["records"]))
    return merged


def _check_same_run(base: dict[str, Any], other: dict[str, Any], index: int) -> None:
    for key in sorted(set(base) | set(other)):
        if key in _PER_WORKER_KEYS:
            continue
        if base.get(key) != other.get(key):
            path = json_path(["run_info", key])
            raise ResultsError(
                f"part {index} comes from another run: {path} is {other.get(key)!r} there but "
                f"{base.get(key)!r} in part 0; merge only the workers of one run",
                path,
            )


def _merged_run_info(parts: list[dict[str, Any]]) -> dict[str, Any]:
    info = copy.deepcopy(parts[0]["run_info"])

    starts = [part["run_info"]["started_at"] for part in parts]
    finishes = [part["run_info"].get("finished_at") for part in parts]
    info["started_at"] = min(starts, key=parse_timestamp)

    # A worker that never finished leaves the whole run unfinished.
    info["finished_at"] = None if None in finishes else max(finishes, key=parse_timestamp)
    return info


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 timestamp; a trailing Z means UTC (Python 3.10 rejects the Z)."""
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text)


def _concatenated_records(parts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    origin: dict[str, tuple[int, int]] = {}
    for part_index, part in enumerate(parts):
        for record_index, record in enumerate(part["records"]):
            record_id = record["id"]
            if record_id in origin:
                first_part, first_index = origin[record_id]
                raise ResultsError(
                    f"duplicate record id {record_id!r}: part {part_index} "
                    f"$.records[{record_index}] and part {first_part} $.records[{first_index}]; "
                    "each (row, case, tier, device) must run on one worker only",
                    json_path(["records", record_index, "id"]),
                )
            origin[record_id] = (part_index, record_index)
            records.append(copy.deepcopy(record))
    return records
