"""Rendering of one self-contained HTML report from one or more validated results dicts.

Everything the page needs (CSS, script, charts) is inlined, and a Content-Security-Policy
meta tag forbids the browser to load anything else, so the file opens from disk with no
request to any host.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from conformance.report import svg
from conformance.report.formatting import format_json, format_number, format_value
from conformance.report.view import VERDICTS, RecordView, build_report

logger = logging.getLogger(__name__)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"

# Long mismatch lists (one entry per tensor, say) would bloat the page, so it shows the first
# ones and results.json keeps all.
MAX_MISMATCH_ROWS = 40

# Figures with their own view in a record's detail. The page shows any other figure as JSON.
SHOWN_FIGURES = frozenset(
    {"loss", "learning_rate", "weights", "heldout", "evaluations", "checkpoints", "observations", "statistics", "float64_tiebreak"}
)


def curve_chart(view: RecordView, figure: str, title: str) -> Markup:
    """Draw a record's loss or learning-rate curves of all sides over each other."""
    curves = view.record["figures"].get(figure) or {}
    series = [svg.Series(side, curves[side]) for side in ("legacy", "new", "negative_control") if curves.get(side)]

    # Mark where legacy and new part, as the comparison found it.
    marker = None
    for mismatch in view.record["mismatches"]:
        if mismatch["artifact"] == figure and mismatch.get("first_divergent_step") is not None:
            marker = mismatch["first_divergent_step"]
            break
    return Markup(svg.line_chart(series, title, marker_step=marker))


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = format_number
    env.filters["value"] = format_value
    env.filters["pretty_json"] = format_json
    env.globals["curve_chart"] = curve_chart
    env.globals["verdicts"] = VERDICTS
    env.globals["max_mismatch_rows"] = MAX_MISMATCH_ROWS
    env.globals["shown_figures"] = SHOWN_FIGURES
    return env


def _inline_asset(name: str) -> Markup:
    # The assets are this package's own files, so they are trusted as markup. They must not
    # contain "</style" or "</script", which would end the inline element early.
    text = (TEMPLATES_DIR / name).read_text(encoding="utf-8")
    return Markup(text)


def render_html(results: list[dict[str, Any]]) -> str:
    """Render validated results dicts (one per run) as one self-contained HTML page.

    Args:
        results: results dicts of format version 1; validate them first (read_results and
            validate_results do).

    Returns:
        The page as text.
    """
    if not results:
        raise ValueError("render_html needs at least one results dict, got an empty list")

    report = build_report(results)
    template = _environment().get_template("report.html.j2")
    page = template.render(
        report=report,
        css=_inline_asset("report.css"),
        script=_inline_asset("report.js"),
    )
    logger.debug("rendered %d records into %d characters of HTML", len(report.records), len(page))
    return page


def write_html(results: list[dict[str, Any]], path: str | Path) -> Path:
    """Render the report and write it to ``path`` (UTF-8); return the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_html(results), encoding="utf-8")
    return out
