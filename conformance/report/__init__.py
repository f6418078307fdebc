"""Conformance report: the results format, HTML, JUnit XML, merging and comparing runs.

The engine calls :func:`write_run_outputs` at the end of a run. Nothing here imports torch,
so reports can be rendered and compared on a machine without it.
"""

from __future__ import annotations

from conformance.report.compare import Comparison, compare_results, format_comparison
from conformance.report.html import render_html, write_html
from conformance.report.junit import render_junit, write_junit
from conformance.report.merge import merge_results
from conformance.report.outputs import write_run_outputs
from conformance.report.schema import ResultsError, read_results, validate_results

__all__ = [
    "Comparison",
    "ResultsError",
    "compare_results",
    "format_comparison",
    "merge_results",
    "read_results",
    "render_html",
    "render_junit",
    "validate_results",
    "write_html",
    "write_junit",
    "write_run_outputs",
]
