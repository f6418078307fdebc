"""Reduction of what an invocation leaves behind to canonical, comparable artifacts.

Parameter names are normalized so that the same tensor compares across layouts and
releases: `0.auto_model.encoder.layer.0...` (sentence-transformers 4.x), `0.model.encoder...`
(6.x) and `encoder...` (a plain transformers folder) all become `encoder...`.
Checkpoint folders are keyed by step, so `<checkpoint_path>/<step>` and
`<output_dir>/checkpoint-<step>` compare as the same thing.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import numpy as np

_PREFIX = re.compile(r"^(?:\d+\.|auto_model\.|model\.)")
_STEP_DIR = re.compile(r"^(?:checkpoint-)?(\d+)$")
_VOLATILE_CONFIG_KEYS = {"_name_or_path", "transformers_version", "torch_dtype", "dtype", "_attn_implementation_autoset"}
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def normalize_parameter_name(name: str) -> str:
    """Strip module indices and wrapper attributes from the front of a parameter name."""
    previous = None
    while previous != name:
        previous = name
        name = _PREFIX.sub("", name)
    return name


def state_arrays(state_dict: dict[str, Any]) -> dict[str, np.ndarray]:
    """Turn a state dict into float arrays keyed by normalized name; buffers of ints are skipped."""
    arrays: dict[str, np.ndarray] = {}
    for name, tensor in state_dict.items():
        if not tensor.is_floating_point():
            continue
        arrays[normalize_parameter_name(name)] = tensor.detach().to("cpu").float().numpy().copy()
    return arrays


def fingerprint(arrays: dict[str, np.ndarray]) -> dict[str, list[float]]:
    """Summarize each tensor by (sum, L2 norm, max abs) in float64: small and still sensitive."""
    summary = {}
    for name, array in sorted(arrays.items()):
        values = array.astype(np.float64)
        summary[name] = [float(values.sum()), float(np.sqrt((values**2).sum())), float(np.abs(values).max(initial=0.0))]
    return summary


def find_model_folders(root: Path) -> list[Path]:
    """Find every folder below `root` that contains saved transformer weights."""
    folders = set()
    for weights in _WEIGHT_FILES:
        for path in root.rglob(weights):
            folders.add(path.parent)
    return sorted(folders)


def load_folder_arrays(folder: Path) -> dict[str, np.ndarray]:
    """Load a saved folder's weights, including sub-module folders of the sentence-transformers layout."""
    arrays: dict[str, np.ndarray] = {}
    for weights in sorted(folder.rglob("*")):
        if weights.name not in _WEIGHT_FILES:
            continue
        relative = weights.parent.relative_to(folder)
        if relative.parts and _STEP_DIR.match(relative.parts[0]):
            continue  # a nested checkpoint belongs to its own manifest entry
        prefix = "" if not relative.parts else ".".join(relative.parts) + "."
        for name, array in _read_weights(weights).items():
            arrays[prefix + normalize_parameter_name(name)] = array
    return arrays


def _read_weights(path: Path) -> dict[str, np.ndarray]:
    if path.suffix == ".safetensors":
        from safetensors.numpy import load_file

        return {name: array.astype(np.float32) for name, array in load_file(str(path)).items() if array.dtype.kind == "f"}
    import torch

    state = torch.load(str(path), map_location="cpu", weights_only=True)
    return state_arrays(state)


def folder_manifest(folder: Path, root: Path) -> dict[str, Any]:
    """Describe one saved model folder: its step, modules, config, tokenizer and tensor fingerprints."""
    relative = folder.relative_to(root).as_posix() or "."
    match = _STEP_DIR.match(folder.name)
    return {
        "path": relative,
        "parent": folder.parent.relative_to(root).as_posix() if folder != root else None,
        "step": int(match.group(1)) if match else None,
        "modules": _module_classes(folder),
        "config": _normalized_config(folder),
        "tokenizer": _tokenizer_digest(folder),
        "tensors": fingerprint(load_folder_arrays(folder)),
    }


def checkpoint_manifest(root: Path) -> dict[str, Any]:
    """Manifest of every model folder an invocation wrote below its working directory.

    Steps are grouped per parent folder, so a legacy `checkpoints/<step>` series and a
    Trainer `output/checkpoint-<step>` series both become `{"steps": [...], ...}`.
    """
    folders = [folder_manifest(folder, root) for folder in find_model_folders(root)]
    series: dict[str, list[int]] = {}
    for entry in folders:
        if entry["step"] is not None:
            series.setdefault(entry["parent"], []).append(entry["step"])
    return {
        "folders": folders,
        "step_series": {parent: sorted(steps) for parent, steps in series.items()},
    }


def _module_classes(folder: Path) -> list[str] | None:
    modules_file = folder / "modules.json"
    if not modules_file.exists():
        return None
    modules = json.loads(modules_file.read_text())
    return [entry.get("type", "").rsplit(".", 1)[-1] for entry in modules]


def _normalized_config(folder: Path) -> dict[str, Any] | None:
    config_file = folder / "config.json"
    if not config_file.exists():
        return None
    config = json.loads(config_file.read_text())
    return {key: value for key, value in sorted(config.items()) if key not in _VOLATILE_CONFIG_KEYS}


def _tokenizer_digest(folder: Path) -> dict[str, str]:
    digest = {}
    # tokenizer.json is left out: its formatting changes between tokenizers releases.
    for name in ("vocab.txt", "special_tokens_map.json"):
        path = folder / name
        if path.exists():
            digest[name] = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    return digest
