"""The float64 tie-break: rerun both sides in float64 on CPU when they disagree beyond tolerance.

Two float32 runs can part for two reasons: the two code paths compute different functions
(a real API difference), or they compute the same function with different rounding (a
different reduction order, an extra cast). Float64 has 29 more mantissa bits, so rounding
differences shrink by about eight orders of magnitude while a real difference stays. The
tie-break reruns both invocations in float64 on CPU from a float64 copy of the same
initial model, then reports:

- whether the float64 runs agree within the fp64-cpu tolerance (conclusion "rounding")
  or still differ ("api-difference");
- which float32 side is closer to the float64 reference, the float64 legacy run.

Held-out scores are left out: the harness stores them as float32 arrays on every run, so
their float64 reruns carry float32 rounding. The loss curves and the final weights keep
float64 precision.
"""

from __future__ import annotations

import fcntl
import json
import logging
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ConformanceError, FixtureError, InvocationFailed

logger = logging.getLogger(__name__)

FLOAT64_SUFFIX = "@float64"
COMPARED = ("loss", "weights")
# Mismatches on these artifacts can come from rounding; the others (warnings, a config, a
# step count) cannot, so they never start a tie-break.
NUMERIC_ARTIFACTS = frozenset({"loss", "learning_rate", "weights", "heldout"})
_CONFIG_DTYPE_KEYS = ("dtype", "torch_dtype")


# Child side ---------------------------------------------------------------------------
def enter_float64() -> None:
    """Make float64 the default dtype of this process, before the invocation builds anything.

    transformers 5.x loads the weights in the dtype the saved config names (float64 in the
    float64 fixture); 4.x loads them in torch's default dtype, which this sets.
    """
    import torch

    torch.set_default_dtype(torch.float64)


def state_arrays64(state_dict: dict[str, Any]) -> dict[str, np.ndarray]:
    """Turn a state dict into float64 arrays keyed by normalized name; integer buffers are skipped."""
    from .artifacts import normalize_parameter_name

    arrays: dict[str, np.ndarray] = {}
    for name, tensor in state_dict.items():
        if tensor.is_floating_point():
            arrays[normalize_parameter_name(name)] = tensor.detach().to("cpu").double().numpy().copy()
    return arrays


# Harness side -------------------------------------------------------------------------
def write_float64_copy(source: Path, folder: Path) -> None:
    """Copy a saved model folder with every floating tensor and every config dtype turned to float64.

    Needs safetensors weights; a folder with `pytorch_model.bin` raises `FixtureError`.
    """
    from safetensors.numpy import load_file, save_file

    if any(source.rglob("pytorch_model.bin")):
        raise FixtureError(f"the float64 tie-break needs safetensors weights, but {source} contains pytorch_model.bin")
    shutil.rmtree(folder, ignore_errors=True)
    # Symbolic links (the real model's fixture links the installed package) become copies,
    # so the conversion never writes into the package.
    shutil.copytree(source, folder, symlinks=False, ignore=shutil.ignore_patterns(".complete"))

    for weights in folder.rglob("*.safetensors"):
        tensors = load_file(str(weights))
        converted = {name: array.astype(np.float64) if array.dtype.kind == "f" else array for name, array in tensors.items()}
        weights.unlink()
        save_file(converted, str(weights), metadata={"format": "pt"})
    for config_file in folder.rglob("config.json"):
        config = json.loads(config_file.read_text())
        keys = [key for key in _CONFIG_DTYPE_KEYS if key in config]
        if not keys and "model_type" in config:
            keys = ["dtype"]  # a transformers config without a dtype entry loads as float32
        for key in keys:
            config[key] = "float64"
        if keys:
            config_file.write_text(json.dumps(config, indent=2))


def float64_fixture(engine: Any, name: str) -> Path:
    """Build the float64 copy of model fixture `name` once per run (under a file lock); return its folder."""
    source = engine.fixture_path(name)
    folder = engine.options.run_dir / "fixtures" / f"{name}{FLOAT64_SUFFIX}"
    done = folder / ".complete"
    lock_path = engine.options.run_dir / "fixtures" / f".{name}{FLOAT64_SUFFIX}.lock"
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            write_float64_copy(source, folder)
            done.write_text("ok\n")
    return folder


def needs_tiebreak(dtype: str, tier: str, mismatches: list[dict[str, Any]]) -> bool:
    """Tell whether a record's mismatches call for a float64 rerun.

    Only float32 (and TF32) cases: a float16 or bfloat16 case differs from float64 by design.
    """
    if dtype not in ("fp32", "tf32") or tier == "statistical":
        return False
    return any(item["artifact"] in NUMERIC_ARTIFACTS and item["kind"] == "value" for item in mismatches)


def run_tiebreak(engine: Any, key: Any, tier: Any, sides: dict[str, Any], mismatches: list[dict[str, Any]]) -> dict[str, Any]:
    """Rerun legacy and new in float64 on CPU and summarize which float32 side is closer.

    Returns the `float64_tiebreak` figure. A tie-break that cannot run stores "not run" under
    "status" and the reason under "message"; it never fails the record.
    """
    try:
        model_path = float64_fixture(engine, tier.model)
    except (ConformanceError, OSError, ValueError) as error:
        logger.warning("float64 tie-break of %s not run: %s", key.id, error)
        return {"status": "not run", "message": f"float64 copy of {tier.model!r} failed: {error}"}

    reruns = {}
    for side in ("legacy", "new"):
        try:
            result = engine.invoke(key, tier, model_path, side, label=f"{side}-float64", device="cpu", dtype="fp64", float64=True)
        except ConformanceError as error:  # a timeout or crash of the rerun leaves the record's verdict as it is
            logger.warning("float64 rerun of %s (%s) failed: %s", key.id, side, error)
            return {"status": "not run", "message": f"the float64 rerun of the {side} invocation failed: {error}"}
        if isinstance(result, InvocationFailed):
            return {"status": "not run", "message": f"the float64 rerun of the {side} invocation raised: {result.message}"}
        reruns[side] = result
    first = next((item["artifact"] for item in mismatches if item["artifact"] in COMPARED and item["kind"] == "value"), None)
    return summarize(sides["legacy"], sides["new"], reruns["legacy"], reruns["new"], first)


def summarize(legacy32: Any, new32: Any, legacy64: Any, new64: Any, primary: str | None = None) -> dict[str, Any]:
    """Compare the four runs artifact by artifact and conclude rounding or API difference.

    Args:
        legacy32, new32: the record's own runs (`SideResult`s).
        legacy64, new64: their float64 reruns; `legacy64` is the reference.
        primary: the artifact whose float32 mismatch decides "closer" (default: the first compared).
    """
    from .compare.tolerance import select

    tolerance = select("cpu", "fp64")
    artifacts: dict[str, dict[str, Any]] = {}
    for name in COMPARED:
        arrays = [_arrays(run, name) for run in (legacy32, new32, legacy64, new64)]
        if not any(arrays[0]) and not any(arrays[2]):
            continue
        artifacts[name] = _artifact_figures(*arrays, tolerance)

    agree = all(figure["float64_agree"] for figure in artifacts.values())
    primary = primary if primary in artifacts else next(iter(artifacts), None)
    closer = artifacts[primary]["closer"] if primary else "unknown"
    conclusion = "rounding" if agree else "api-difference"
    return {
        "status": "ran",
        "reference": "the float64 rerun of the legacy invocation, on CPU",
        "tolerance": tolerance.as_dict(),
        "conclusion": conclusion,
        "closer": closer,
        "decided_on": primary,
        "artifacts": artifacts,
        "summary": _sentence(conclusion, closer, primary, artifacts),
    }


def _arrays(run: Any, name: str) -> dict[str, np.ndarray]:
    if name == "weights":
        return run.group("weights")
    series = run.artifacts.get("loss", {})
    return {key: np.asarray(values, dtype=np.float64) for key, values in series.items()}


def _artifact_figures(
    legacy32: dict[str, np.ndarray],
    new32: dict[str, np.ndarray],
    legacy64: dict[str, np.ndarray],
    new64: dict[str, np.ndarray],
    tolerance: Any,
) -> dict[str, Any]:
    legacy_error = _max_difference(legacy32, legacy64)
    new_error = _max_difference(new32, legacy64)
    if legacy_error is None or new_error is None:
        # A side whose loss curve has another length than the reference's cannot be ranked.
        closer = "unknown"
    elif legacy_error == new_error:
        closer = "tie"
    else:
        closer = "legacy" if legacy_error < new_error else "new"
    return {
        "float32_difference": _max_difference(legacy32, new32),
        "float64_difference": _max_difference(legacy64, new64),
        "float64_agree": _all_close(legacy64, new64, tolerance),
        "legacy_to_reference": legacy_error,
        "new_to_reference": new_error,
        "closer": closer,
    }


def _max_difference(left: dict[str, np.ndarray], right: dict[str, np.ndarray]) -> float | None:
    """Largest absolute difference over the names both hold; None when a name or a shape differs."""
    if set(left) != set(right):
        return None
    worst = 0.0
    for name in left:
        a, b = np.asarray(left[name], dtype=np.float64), np.asarray(right[name], dtype=np.float64)
        if a.shape != b.shape:
            return None
        worst = max(worst, float(np.abs(a - b).max(initial=0.0)))
    return worst


def _all_close(left: dict[str, np.ndarray], right: dict[str, np.ndarray], tolerance: Any) -> bool:
    if set(left) != set(right):
        return False
    for name in left:
        a, b = np.asarray(left[name], dtype=np.float64), np.asarray(right[name], dtype=np.float64)
        if a.shape != b.shape or not np.allclose(b, a, rtol=tolerance.rtol, atol=tolerance.atol):
            return False
    return True


def _sentence(conclusion: str, closer: str, primary: str | None, artifacts: dict[str, dict[str, Any]]) -> str:
    if primary is None:
        return "no loss or weights to compare in the float64 reruns"
    figure = artifacts[primary]
    numbers = (
        f"{primary}: float32 legacy vs new {_number(figure['float32_difference'])}, "
        f"float64 legacy vs new {_number(figure['float64_difference'])}"
    )
    if conclusion == "rounding":
        verdict = "the sides agree in float64, so the float32 disagreement is rounding"
    else:
        verdict = "the sides still differ in float64, so they compute different things"
    nearer = {"tie": "both float32 sides are equally close", "unknown": "closeness unknown"}.get(
        closer, f"the {closer} float32 run is closer to the float64 reference"
    )
    distances = f"(legacy {_number(figure['legacy_to_reference'])}, new {_number(figure['new_to_reference'])})"
    return f"{verdict}; {nearer} {distances}; {numbers}"


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3g}"
