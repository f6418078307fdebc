"""Numeric comparison of curves and tensors under a tolerance, with the numbers a report needs."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .tolerance import Tolerance


def mismatch(artifact: str, kind: str, where: str, message: str, **numbers: Any) -> dict[str, Any]:
    """Build one mismatch record in the results format."""
    record = {
        "artifact": artifact,
        "kind": kind,
        "where": where,
        "expected": None,
        "got": None,
        "max_abs_diff": None,
        "max_rel_diff": None,
        "count": None,
        "total": None,
        "first_divergent_step": None,
        "message": message,
    }
    record.update(numbers)
    return record


def _differences(expected: np.ndarray, got: np.ndarray, tolerance: Tolerance) -> tuple[np.ndarray, float, float]:
    expected = expected.astype(np.float64)
    got = got.astype(np.float64)
    absolute = np.abs(expected - got)
    relative = absolute / np.maximum(np.abs(expected), 1e-30)
    outside = ~np.isclose(got, expected, rtol=tolerance.rtol, atol=tolerance.atol, equal_nan=True)
    return outside, float(absolute.max(initial=0.0)), float(relative.max(initial=0.0))


def compare_curve(artifact: str, name: str, expected: list[float], got: list[float], tolerance: Tolerance) -> list[dict[str, Any]]:
    """Compare two per-step series: lengths first, then values; report the first step that parts."""
    if len(expected) != len(got):
        return [
            mismatch(
                artifact,
                "length",
                name,
                f"{name}: legacy recorded {len(expected)} steps, new recorded {len(got)}",
                expected=len(expected),
                got=len(got),
            )
        ]
    if not expected:
        return []
    outside, max_abs, max_rel = _differences(np.asarray(expected), np.asarray(got), tolerance)
    if not outside.any():
        return []
    first = int(np.argmax(outside))
    return [
        mismatch(
            artifact,
            "value",
            f"{name} step {first + 1}",
            f"{name} parts at step {first + 1}: legacy {expected[first]:.8g}, new {got[first]:.8g} "
            f"({int(outside.sum())} of {len(expected)} steps outside tolerance)",
            expected=expected[first],
            got=got[first],
            max_abs_diff=max_abs,
            max_rel_diff=max_rel,
            count=int(outside.sum()),
            total=len(expected),
            first_divergent_step=first + 1,
        )
    ]


def compare_arrays(artifact: str, expected: dict[str, np.ndarray], got: dict[str, np.ndarray], tolerance: Tolerance) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Compare two named tensor sets; returns mismatches and a summary of the differences."""
    found: list[dict[str, Any]] = []
    missing = sorted(set(expected) - set(got))
    extra = sorted(set(got) - set(expected))
    if missing:
        found.append(mismatch(artifact, "missing", ", ".join(missing[:5]), f"{len(missing)} tensors of the legacy side are missing on the new side", count=len(missing)))
    if extra:
        found.append(mismatch(artifact, "extra", ", ".join(extra[:5]), f"{len(extra)} tensors exist on the new side only", count=len(extra)))

    worst_name, worst_abs, worst_rel, elements_out, elements = None, 0.0, 0.0, 0, 0
    tensors_out = 0
    for name in sorted(set(expected) & set(got)):
        left, right = expected[name], got[name]
        if left.shape != right.shape:
            found.append(mismatch(artifact, "structure", name, f"{name}: shape {left.shape} on legacy, {right.shape} on new", expected=list(left.shape), got=list(right.shape)))
            continue
        outside, max_abs, max_rel = _differences(left, right, tolerance)
        elements += outside.size
        if outside.any():
            tensors_out += 1
            elements_out += int(outside.sum())
        if max_abs >= worst_abs:
            worst_name, worst_abs, worst_rel = name, max_abs, max(max_rel, worst_rel if worst_name == name else 0.0)
    summary = {"tensors": len(set(expected) & set(got)), "max_abs_diff": worst_abs, "max_rel_diff": worst_rel, "worst_tensor": worst_name}
    if elements_out:
        found.append(
            mismatch(
                artifact,
                "value",
                str(worst_name),
                f"{elements_out} of {elements} elements in {tensors_out} tensors differ beyond tolerance; "
                f"largest difference {worst_abs:.3g} in {worst_name}",
                max_abs_diff=worst_abs,
                max_rel_diff=worst_rel,
                count=elements_out,
                total=elements,
            )
        )
    return found, summary


def compare_scalars(artifact: str, expected: dict[str, float], got: dict[str, float], tolerance: Tolerance) -> list[dict[str, Any]]:
    found = []
    for key in sorted(set(expected) | set(got)):
        if key not in expected or key not in got:
            found.append(mismatch(artifact, "missing", key, f"{key} present on one side only"))
            continue
        left, right = float(expected[key]), float(got[key])
        both_nan = math.isnan(left) and math.isnan(right)
        if not both_nan and not abs(left - right) <= tolerance.atol + tolerance.rtol * abs(left):
            found.append(
                mismatch(
                    artifact,
                    "value",
                    key,
                    f"{key}: legacy {left:.8g}, new {right:.8g}",
                    expected=left,
                    got=right,
                    max_abs_diff=abs(left - right),
                    max_rel_diff=abs(left - right) / max(abs(left), 1e-30),
                    count=1,
                    total=1,
                )
            )
    return found
