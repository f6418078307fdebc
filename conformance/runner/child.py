"""The code that runs inside one forked child: one invocation, or one fixture build.

The child owns its working directory and its output files; the warm parent only waits
for it. Everything an invocation produces is written to files (`artifacts.json` and
`arrays.npz`) so that the two sides of a scenario may come from two environments.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from .. import artifacts
from ..capture import OptimizerProbe, WarningCapture
from ..determinism import apply_determinism
from .context import InvocationContext, InvocationSkipped

_TQDM_LINE = re.compile(r"\d+%\|")
# Bars transformers 5 prints whenever a model is loaded or saved, and the bar sentence-transformers
# 6.3.0 prints while it collects model card examples at the start of training; none is training progress.
_MODEL_IO_BARS = re.compile(r"^\s*(?:Loading weights|Writing model shards|Loading checkpoint shards|Computing widget examples):")


class InvocationRaised(Exception):
    """The scenario's invocation itself raised: the library's behaviour, not a harness fault."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def redirect_output(log_path: Path) -> None:
    """Send this process's stdout and stderr to one log file."""
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    sys.stdout = os.fdopen(1, "w", buffering=1)
    sys.stderr = os.fdopen(2, "w", buffering=1)


def load_scenario(path: str) -> Any:
    # Scenario files import shared helpers from their own folder (`import _st_fit`).
    folder = str(Path(path).resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    spec = importlib.util.spec_from_file_location(f"conformance_scenario_{Path(path).stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.scenario


def run_invocation(request: dict[str, Any]) -> dict[str, Any]:
    """Run one side of one scenario case and write its artifacts; returns the summary."""
    from ..fixtures import data as data_fixtures

    out_dir = Path(request["out_dir"])
    workdir = Path(request["workdir"])
    workdir.mkdir(parents=True, exist_ok=True)
    os.chdir(workdir)
    determinism = apply_determinism(request["seed"], request["device"], request.get("dtype", "fp32"))
    if request.get("float64"):
        from ..tiebreak import enter_float64

        enter_float64()

    scenario = load_scenario(request["scenario_file"])
    case = next(case for case in scenario.cases if case.name == request["case"])
    side = request["side"]
    data_dir = Path(request["data_dir"]) if request.get("data_dir") else None
    ctx = InvocationContext(
        model_path=request["model_path"],
        data=data_fixtures.load(request["data"], data_dir),
        device=request["device"],
        seed=request["seed"],
        tier=request["tier"],
        workdir=workdir,
        fixtures=request.get("fixtures", {}),
    )
    function = scenario.invocation(side)
    kwargs = scenario.kwargs_for(side, case, request.get("tier"))

    # 1. Run the invocation with every probe installed.
    optimizer_probe = OptimizerProbe()
    optimizer_probe.install()
    started = time.perf_counter()
    with WarningCapture() as captured:
        try:
            model = function(ctx, **kwargs)
        except InvocationSkipped:
            raise
        except Exception as error:
            raise InvocationRaised(error) from error
    elapsed = time.perf_counter() - started
    optimizer_probe.remove()
    ctx.loss_probe.detach()

    # 2. Reduce what it left behind to artifacts.
    arrays: dict[str, np.ndarray] = {}
    summary: dict[str, Any] = {
        "side": side,
        "seconds": elapsed,
        "determinism": determinism,
        "loss": ctx.loss_probe.values,
        "optimizer_steps": optimizer_probe.steps,
        "optimizers": optimizer_probe.optimizers,
        "observations": _jsonable(ctx.observations),
        "shown": _jsonable(ctx.shown),
        "warnings": captured.entries,
        "checkpoints": artifacts.checkpoint_manifest(workdir),
        "progress": _progress(request.get("log_path")),
    }
    if model is not None:
        # CrossEncoder before v4 is no torch module; its transformer lives in `.model`.
        module = model if hasattr(model, "state_dict") else model.model
        state = module.state_dict()
        if request.get("float64"):
            from ..tiebreak import state_arrays64

            weights = state_arrays64(state)
        else:
            weights = artifacts.state_arrays(state)
        for name, array in weights.items():
            arrays[f"weights/{name}"] = array
        names_by_id = {id(p): artifacts.normalize_parameter_name(n) for n, p in module.named_parameters()}
        summary["optimizer_groups"] = optimizer_probe.group_names(names_by_id)
        if request.get("heldout"):
            heldout = data_fixtures.load(request["heldout"], data_dir)
            summary["heldout"], heldout_arrays = _evaluate_heldout(model, heldout, scenario.kind)
            arrays.update(heldout_arrays)
    np.savez(out_dir / "arrays.npz", **arrays)
    (out_dir / "artifacts.json").write_text(json.dumps(summary, indent=1, default=str))
    return {"ok": True, "seconds": elapsed}


def _evaluate_heldout(model: Any, heldout: dict[str, Any], kind: str) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Score the trained model on the held-out pairs the same way for both sides."""
    from scipy.stats import pearsonr, spearmanr

    if kind == "cross-encoder":
        pairs = list(zip(heldout["sentences1"], heldout["sentences2"]))
        predicted = np.asarray(model.predict(pairs, batch_size=64, show_progress_bar=False), dtype=np.float64)
        arrays = {"heldout/scores": predicted.astype(np.float32)}
        if predicted.ndim != 1:
            # A model with several labels returns one row of class scores per pair: the array is
            # compared as it is, and a correlation with the gold scores has no meaning for it.
            return {"mean_score": float(predicted.mean())}, arrays
    else:
        first = np.asarray(model.encode(heldout["sentences1"], batch_size=64, show_progress_bar=False, convert_to_numpy=True))
        second = np.asarray(model.encode(heldout["sentences2"], batch_size=64, show_progress_bar=False, convert_to_numpy=True))
        norms = np.linalg.norm(first, axis=1) * np.linalg.norm(second, axis=1)
        predicted = (first * second).sum(axis=1) / np.maximum(norms, 1e-12)
        arrays = {
            "heldout/embeddings1": first.astype(np.float32),
            "heldout/embeddings2": second.astype(np.float32),
            "heldout/cosine": predicted.astype(np.float32),
        }
    gold = np.asarray(heldout["scores"], dtype=np.float64)
    scores = {
        "spearman": float(spearmanr(predicted, gold).statistic),
        "pearson": float(pearsonr(predicted, gold).statistic),
        "mean_score": float(predicted.mean()),
    }
    return scores, arrays


def _progress(log_path: str | None) -> dict[str, Any]:
    if not log_path or not Path(log_path).exists():
        return {"shown": False, "updates": 0}
    text = Path(log_path).read_text(errors="replace")
    segments = re.split(r"[\r\n]", text)
    updates = sum(len(_TQDM_LINE.findall(segment)) for segment in segments if not _MODEL_IO_BARS.match(segment))
    return {"shown": updates > 0, "updates": updates}


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=_to_builtin))


def _to_builtin(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if hasattr(value, "tolist"):
        return value.tolist()
    return repr(value)


def run_fixture(request: dict[str, Any]) -> dict[str, Any]:
    """Build one model fixture into its folder."""
    from ..fixtures import models

    apply_determinism(request["seed"], "cpu")
    models.build(request["fixture"], Path(request["folder"]), request["seed"])
    return {"ok": True}


def describe_environment(_request: dict[str, Any]) -> dict[str, Any]:
    """Report devices and versions; runs in a child so the warm parent never touches CUDA."""
    import platform

    import torch

    cuda = torch.cuda.is_available()
    devices = [{"name": "cpu", "available": True, "description": f"{platform.machine()}, {os.cpu_count()} cores"}]
    if cuda:
        devices.append({"name": "cuda", "available": True, "description": _cuda_description(torch)})
    else:
        devices.append({"name": "cuda", "available": False, "description": "torch.cuda.is_available() is False"})
    return {"ok": True, "devices": devices}


def _cuda_description(torch: Any) -> str:
    major, minor = torch.cuda.get_device_capability(0)
    bf16 = "bf16 supported" if torch.cuda.is_bf16_supported() else "no bf16"
    return f"{torch.cuda.get_device_name(0)}, compute capability {major}.{minor}, {bf16}, CUDA {torch.version.cuda}"


JOBS = {"invoke": run_invocation, "fixture": run_fixture, "environment": describe_environment}


def main(request: dict[str, Any]) -> int:
    """Entry point of a forked child: run the job, record any exception, return an exit code."""
    out_dir = Path(request["out_dir"])
    out_dir.mkdir(parents=True, exist_ok=True)
    log_path = out_dir / "output.log"
    request["log_path"] = str(log_path)
    redirect_output(log_path)
    try:
        result = JOBS[request["job"]](request)
        (out_dir / "result.json").write_text(json.dumps(result, default=str))
        return 0
    except BaseException as error:  # the child reports every failure as data, then exits
        raised = isinstance(error, InvocationRaised)
        original = error.error if raised else error
        phase = "invocation" if raised else "harness"
        if isinstance(error, InvocationSkipped):
            phase = "skipped"
        failure = {
            "ok": False,
            "phase": phase,
            "type": type(original).__name__,
            "message": str(original)[:2000],
            "traceback": traceback.format_exc()[-6000:],
        }
        (out_dir / "result.json").write_text(json.dumps(failure))
        traceback.print_exc()
        return 1
