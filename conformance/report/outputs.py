"""The report's entry point for the engine: write results.json, index.html and junit.xml."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

from conformance.report.html import write_html
from conformance.report.junit import write_junit
from conformance.report.schema import ResultsError, validate_results

logger = logging.getLogger(__name__)

RESULTS_NAME = "results.json"
HTML_NAME = "index.html"
JUNIT_NAME = "junit.xml"
# File for results that fail validation. It keeps a failed run's data for debugging, and its
# name keeps `compare` and `report` from taking it for a valid results.json.
INVALID_RESULTS_NAME = "results.invalid.json"


def write_run_outputs(results: dict[str, Any], out_dir: Path) -> dict[str, Path]:
    """Validate one run's results and write results.json, index.html and junit.xml.

    Args:
        results: the run's results dict, format version 1 (see docs/results-format.md).
        out_dir: the run's folder, e.g. ``reports/<run_id>``; created if missing.

    NaN and infinite numbers are written as null because strict JSON has no literal for them.
    A field that does not accept null then fails validation, and the error names its path.

    Returns:
        The written paths keyed ``"results"``, ``"html"`` and ``"junit"``.

    Raises:
        ResultsError: the results violate the format. The data is then written to
            results.invalid.json in ``out_dir``, and no other file is written.

    Example:
        >>> paths = write_run_outputs(results, Path("reports") / results["run_info"]["run_id"])  # doctest: +SKIP
        >>> sorted(paths)  # doctest: +SKIP
        ['html', 'junit', 'results']
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = replace_non_finite(results)

    # 1. Validate, keeping the invalid data for inspection.
    try:
        validate_results(results)
    except ResultsError as error:
        invalid_path = _write_json(results, out_dir / INVALID_RESULTS_NAME)
        logger.error("results of run in %s are invalid, wrote them to %s: %s", out_dir, invalid_path, error)
        raise ResultsError(f"{error} (the data was written to {invalid_path})", error.path) from error

    # 2. Write the machine-readable file first, so it exists even if rendering fails.
    paths = {"results": _write_json(results, out_dir / RESULTS_NAME)}

    # 3. Render the human and CI views.
    paths["html"] = write_html([results], out_dir / HTML_NAME)
    paths["junit"] = write_junit([results], out_dir / JUNIT_NAME)
    logger.info("wrote %s", ", ".join(str(path) for path in paths.values()))
    return paths


def replace_non_finite(value: Any) -> Any:
    """Return a copy of a JSON value with NaN and infinities replaced by None.

    Strict JSON has no literal for them, and other tools reject Python's NaN extension.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: replace_non_finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [replace_non_finite(item) for item in value]
    return value


def _write_json(data: Any, path: Path) -> Path:
    # default=str keeps a stray non-JSON value (a Path, say) from losing the whole file.
    text = json.dumps(data, indent=1, ensure_ascii=False, default=str, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path
