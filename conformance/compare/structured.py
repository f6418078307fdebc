"""Comparison of structured artifacts (observations, optimizer settings, checkpoints, warnings)."""

from __future__ import annotations

import re
from typing import Any

from deepdiff import DeepDiff

from ..scenario import WarningRule
from .numeric import mismatch
from .tolerance import Tolerance

# Optimizer group settings that a migration must keep; the scheduled `lr` is compared as a curve.
OPTIMIZER_SETTINGS = ("initial_lr", "weight_decay", "eps", "betas", "amsgrad", "momentum", "num_params")

# Warnings that come from the environment, not from the API under test.
AMBIENT_WARNINGS = (
    r"TOKENIZERS_PARALLELISM",
    r"huggingface/tokenizers",
    r"CUDA initialization",
    r"torch\.utils\._pytree",
    r"pkg_resources",
    r"torch_dtype.* is deprecated",
    r"No device_map",
    r"'pin_memory' argument is set as true but no accelerator",
)


def deep_mismatches(artifact: str, expected: Any, got: Any, tolerance: Tolerance) -> list[dict[str, Any]]:
    """DeepDiff of two JSON values; numbers equal within atol count as equal."""
    diff = DeepDiff(expected, got, math_epsilon=tolerance.atol, ignore_numeric_type_changes=True, verbose_level=2)
    found = []
    for kind, entries in diff.items():
        items = entries.items() if isinstance(entries, dict) else ((entry, None) for entry in entries)
        for where, detail in items:
            old = detail.get("old_value") if isinstance(detail, dict) else None
            new = detail.get("new_value") if isinstance(detail, dict) else detail
            numbers = {}
            if kind == "values_changed" and _is_number(old) and _is_number(new):
                if abs(old - new) <= tolerance.atol + tolerance.rtol * abs(old):
                    continue
                numbers = {"max_abs_diff": abs(new - old), "max_rel_diff": abs(new - old) / max(abs(old), 1e-30)}
            found.append(
                mismatch(
                    artifact,
                    _KIND.get(kind, "structure"),
                    str(where),
                    f"{artifact} {where}: {kind.replace('_', ' ')}",
                    expected=_short(old),
                    got=_short(new),
                    **numbers,
                )
            )
    return found


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


_KIND = {
    "values_changed": "value",
    "type_changes": "type",
    "dictionary_item_added": "extra",
    "dictionary_item_removed": "missing",
    "iterable_item_added": "extra",
    "iterable_item_removed": "missing",
}


def _short(value: Any) -> Any:
    if isinstance(value, (int, float, bool)) or value is None:
        return value
    text = repr(value)
    return text if len(text) <= 300 else text[:297] + "..."


def optimizer_view(artifacts: dict[str, Any]) -> list[dict[str, Any]]:
    """The optimizer settings that must survive a migration, per optimizer and group."""
    view = []
    names = artifacts.get("optimizer_groups") or []
    for index, optimizer in enumerate(artifacts.get("optimizers", [])):
        groups = []
        for group_index, group in enumerate(optimizer["groups"]):
            settings = {key: group[key] for key in OPTIMIZER_SETTINGS if key in group}
            if index < len(names) and group_index < len(names[index]):
                settings["parameters"] = names[index][group_index]
            groups.append(settings)
        view.append({"class": optimizer["class"], "groups": groups})
    return view


def checkpoint_view(artifacts: dict[str, Any]) -> dict[str, Any]:
    """Checkpoints keyed by what matters: step series (parent folder names dropped) and final folders."""
    manifest = artifacts.get("checkpoints") or {}
    by_step = {}
    finals = {}
    for folder in manifest.get("folders", []):
        entry = {"modules": folder["modules"], "config": folder["config"], "tokenizer": folder["tokenizer"], "tensors": folder["tensors"]}
        if folder["step"] is not None:
            by_step[str(folder["step"])] = entry
        else:
            finals[folder["path"]] = entry
    series = sorted(manifest.get("step_series", {}).values())
    return {"step_series": series, "steps": by_step, "final_folders": finals}


def warning_mismatches(
    legacy: list[dict[str, Any]],
    new: list[dict[str, Any]],
    rules: tuple[WarningRule, ...],
    ignore: tuple[str, ...],
) -> list[dict[str, Any]]:
    """Check the warning promises: the row's rules, and no deprecation warning from the new side."""
    ignored = [re.compile(pattern) for pattern in AMBIENT_WARNINGS + ignore]
    sides = {"legacy": legacy, "new": new}
    for entries in sides.values():
        for entry in entries:
            if any(pattern.search(entry["raw"]) for pattern in ignored):
                entry["classification"] = "ambient"

    found = []
    for rule in rules:
        pattern = re.compile(rule.pattern)
        matching = [entry for entry in sides[rule.side] if pattern.search(entry["raw"])]
        for entry in matching:
            entry["expected"] = rule.must_emit
        if rule.must_emit and not matching:
            found.append(mismatch("warnings", "missing", rule.side, f"{rule.side} side emitted no warning matching {rule.pattern!r}: {rule.description}", expected=rule.pattern))
        if not rule.must_emit and matching:
            found.append(mismatch("warnings", "extra", rule.side, f"{rule.side} side emitted {matching[0]['raw']!r}: {rule.description}", got=matching[0]["raw"]))
    for entry in new:
        if entry["classification"] == "deprecation" and entry["expected"] is None:
            entry["expected"] = False
            found.append(mismatch("warnings", "extra", "new", f"the new invocation emitted a deprecation warning: {entry['raw'][:200]!r}", got=entry["raw"][:300]))
    return found
