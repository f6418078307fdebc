"""Compact text forms of figures and JSON values, shared by the HTML, JUnit and compare output."""

from __future__ import annotations

import json
import math
from typing import Any

# Table cells hold one line; longer values stay complete in results.json.
MAX_VALUE_CHARS = 160


def format_number(value: Any) -> str:
    """Format a figure for a table cell: integers as is, floats with 6 significant digits."""
    if value is None:
        return "\N{EM DASH}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return str(value)
    # Tiny differences and huge counts need their magnitude more than their last digits.
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e6):
        return f"{value:.4g}"
    return f"{value:.6g}"


def format_value(value: Any) -> str:
    """Format any JSON value compactly for a table cell, cut to a readable length."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return format_number(value)
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 1] + "\N{HORIZONTAL ELLIPSIS}"
    return text


def format_json(value: Any) -> str:
    """Pretty-print a JSON value for a <pre> block."""
    return json.dumps(value, indent=2, sort_keys=True, default=str)
