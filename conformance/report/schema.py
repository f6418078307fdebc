"""Validation and loading of results files (format version 1).

The JSON Schema in conformance/schema/results.schema.json checks the shape of one run. A few
rules that a schema cannot express (unique record ids, ids composed from their parts, records
naming the run's target) are checked here after the schema passes.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import jsonschema

from conformance.errors import ConformanceError

logger = logging.getLogger(__name__)

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "results.schema.json"

# Listing every violation of a badly broken file adds noise. The first few locate the bug.
_MAX_REPORTED_ERRORS = 5


class ResultsError(ConformanceError, ValueError):
    """A results file or dict that is missing, unreadable or violates the results format.

    Args:
        message: what is wrong, naming the offending value.
        path: JSON path of the offending value, e.g. ``$.records[3].verdict``; None when the
            problem is not tied to one value (unreadable file, invalid JSON).
        source: file the data came from, when known.
    """

    def __init__(self, message: str, path: str | None = None, source: str | Path | None = None):
        self.path = path
        self.source = str(source) if source is not None else None
        prefix = f"{self.source}: " if self.source else ""
        super().__init__(prefix + message)


def json_path(parts: Iterable[Any]) -> str:
    """Format a sequence of keys and indices as a JSON path such as ``$.records[0]['a.b']``."""
    text = "$"
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        elif isinstance(part, str) and part.isidentifier():
            text += f".{part}"
        else:
            text += f"[{part!r}]"
    return text


@functools.cache
def load_schema() -> dict[str, Any]:
    """Read the results JSON Schema shipped with the package."""
    with SCHEMA_PATH.open(encoding="utf-8") as handle:
        return json.load(handle)


@functools.cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = load_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def validate_results(data: Any, source: str | Path | None = None) -> None:
    """Raise ResultsError unless ``data`` is a valid results dict of format version 1.

    The message names the JSON path of each violation (at most five are listed) and the
    offending value. ``ResultsError.path`` contains the first path.
    """
    _check_version(data, source)

    errors = sorted(_validator().iter_errors(data), key=_error_sort_key)
    if errors:
        raise _schema_error(errors, source)

    _check_record_ids(data["records"], source)
    _check_record_targets(data, source)


def _check_version(data: Any, source: str | Path | None) -> None:
    # A clear version message beats the generic const violation the schema would report.
    if not isinstance(data, dict):
        raise ResultsError(
            f"results must be a JSON object at $, got {type(data).__name__}", "$", source
        )
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ResultsError(
            f"unsupported schema_version {version!r} at $.schema_version: this reader "
            f"understands version {SCHEMA_VERSION}; regenerate the file with a matching suite",
            "$.schema_version",
            source,
        )


def _error_sort_key(error: jsonschema.ValidationError) -> tuple[int, str]:
    # Deeper errors are more specific than the oneOf/if failures that wrap them.
    return (-len(error.absolute_path), json_path(error.absolute_path))


def _schema_error(errors: Sequence[jsonschema.ValidationError], source: str | Path | None) -> ResultsError:
    first_path = json_path(errors[0].absolute_path)
    lines = [f"{json_path(error.absolute_path)}: {_describe(error)}" for error in errors[:_MAX_REPORTED_ERRORS]]
    more = len(errors) - _MAX_REPORTED_ERRORS
    if more > 0:
        lines.append(f"... and {more} more")
    message = "invalid results (format version 1):\n  " + "\n  ".join(lines)
    return ResultsError(message, first_path, source)


def _describe(error: jsonschema.ValidationError) -> str:
    text = error.message
    if len(text) > 300:
        text = text[:297] + "..."
    return text


def _check_record_ids(records: list[dict[str, Any]], source: str | Path | None) -> None:
    seen: dict[str, int] = {}
    for index, record in enumerate(records):
        expected = f"{record['row']}::{record['case']}[{record['tier']}-{record['device']}]"
        if record["id"] != expected:
            path = json_path(["records", index, "id"])
            raise ResultsError(
                f"record id {record['id']!r} at {path} does not match its row, case, tier and "
                f"device; expected {expected!r}",
                path,
                source,
            )
        if record["id"] in seen:
            path = json_path(["records", index, "id"])
            raise ResultsError(
                f"duplicate record id {record['id']!r} at {path} "
                f"(first at $.records[{seen[record['id']]}]); ids must be unique within a run",
                path,
                source,
            )
        seen[record["id"]] = index


def _check_record_targets(data: dict[str, Any], source: str | Path | None) -> None:
    spec = data["run_info"]["target"]["spec"]
    for index, record in enumerate(data["records"]):
        if record["target"] != spec:
            path = json_path(["records", index, "target"])
            raise ResultsError(
                f"record target {record['target']!r} at {path} differs from the run's target "
                f"spec {spec!r} at $.run_info.target.spec; one results file holds one target",
                path,
                source,
            )


def read_results(path: str | Path) -> dict[str, Any]:
    """Read and validate one results file; a folder stands for the results.json inside it.

    Raises:
        ResultsError: the file is missing or unreadable, is not valid JSON, or violates the
            format. The message names the file.
    """
    file_path = Path(path)
    if file_path.is_dir():
        file_path = file_path / "results.json"

    try:
        text = file_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ResultsError("file not found; pass a results.json or its run folder", None, file_path) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ResultsError(f"cannot read the file: {error}", None, file_path) from error

    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ResultsError(
            f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}", None, file_path
        ) from error

    validate_results(data, source=file_path)
    logger.debug("read %d records from %s", len(data["records"]), file_path)
    return data
