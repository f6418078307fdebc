"""Determinism settings, applied in each child before anything touches a device.

The warm runner never initializes CUDA, so every forked child starts without a CUDA context
and `apply_determinism` runs before the scenario is even imported. What it returns is read
back from torch after setting, so a results file shows what was in force, not what was meant.
"""

from __future__ import annotations

import os
import random
from typing import Any

# cuBLAS needs a fixed workspace for deterministic matmuls from CUDA 10.2 on, as the
# documentation of torch.use_deterministic_algorithms says. ":4096:8" is one of the two values it names.
CUBLAS_WORKSPACE = ":4096:8"
CUBLAS_WORKSPACE_SINCE = (10, 2)

# The settings every invocation gets, as the report header describes them before any child ran.
SETTINGS: dict[str, Any] = {
    "torch.use_deterministic_algorithms": True,
    "deterministic_warn_only": "on cuda only: an op without a deterministic kernel warns instead of raising",
    "cudnn.deterministic": True,
    "cudnn.benchmark": False,
    "allow_tf32": "False unless the case's dtype is tf32 on cuda",
    "float32_matmul_precision": "highest unless the case's dtype is tf32 on cuda",
    "CUBLAS_WORKSPACE_CONFIG": f"{CUBLAS_WORKSPACE} when torch is built with CUDA 10.2 or newer",
    "torch.num_threads": 1,
    "dropout": "off in every fixture model, except the dropout fixtures of the statistical tier",
    "python, numpy and torch seeds": "the run's --seed (plus the seed index in the statistical tier), set before each invocation",
}


def needs_cublas_workspace(cuda_version: str | None) -> bool:
    """Tell whether a torch build with this CUDA runtime needs CUBLAS_WORKSPACE_CONFIG for determinism."""
    if not cuda_version:
        return False
    try:
        major, minor = (int(part) for part in cuda_version.split(".")[:2])
    except ValueError:
        return True  # an unparsable version is a recent one in practice; setting it is harmless
    return (major, minor) >= CUBLAS_WORKSPACE_SINCE


def apply_determinism(seed: int, device: str, dtype: str = "fp32") -> dict[str, Any]:
    """Seed every generator and switch on deterministic kernels; return the settings read back.

    Args:
        seed: seed of python's, numpy's and torch's generators.
        device: "cpu" hides every GPU from this process; "cuda" leaves them visible.
        dtype: the case's compute dtype; TF32 is allowed only for "tf32" on cuda.
    """
    import numpy as np
    import torch

    # Read before anything below could touch CUDA: a True here means the settings came too late.
    cuda_initialized_before = bool(torch.cuda.is_initialized())
    if device == "cpu":
        # The warm parent never initialized CUDA, so hiding the devices here takes effect.
        os.environ["CUDA_VISIBLE_DEVICES"] = ""
    if needs_cublas_workspace(torch.version.cuda):
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", CUBLAS_WORKSPACE)

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)

    # NOTE: on CUDA an op without a deterministic kernel only warns, so one such op does not
    # turn every GPU record into an error. The float32 CUDA tolerance is meant to absorb its noise.
    torch.use_deterministic_algorithms(True, warn_only=device == "cuda")
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    tf32 = device == "cuda" and dtype == "tf32"
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.backends.cudnn.allow_tf32 = tf32
    torch.set_float32_matmul_precision("high" if tf32 else "highest")
    # One thread: reductions then run in a fixed order, and xdist workers do not compete for cores.
    torch.set_num_threads(1)
    return read_back(seed, device, dtype, cuda_initialized_before)


def read_back(seed: int, device: str, dtype: str, cuda_initialized_before: bool) -> dict[str, Any]:
    """Return the determinism settings as torch and the environment report them now."""
    import torch

    return {
        "torch.use_deterministic_algorithms": torch.are_deterministic_algorithms_enabled(),
        "deterministic_warn_only": torch.is_deterministic_algorithms_warn_only_enabled(),
        "cudnn.deterministic": bool(torch.backends.cudnn.deterministic),
        "cudnn.benchmark": bool(torch.backends.cudnn.benchmark),
        "allow_tf32": bool(torch.backends.cuda.matmul.allow_tf32),
        "cudnn.allow_tf32": bool(torch.backends.cudnn.allow_tf32),
        "float32_matmul_precision": torch.get_float32_matmul_precision(),
        "CUBLAS_WORKSPACE_CONFIG": os.environ.get("CUBLAS_WORKSPACE_CONFIG"),
        "CUDA_VISIBLE_DEVICES": os.environ.get("CUDA_VISIBLE_DEVICES"),
        "torch.version.cuda": torch.version.cuda,
        "cuda_initialized_before_settings": cuda_initialized_before,
        "torch.num_threads": torch.get_num_threads(),
        "seed": seed,
        "device": device,
        "dtype": dtype,
    }


def run_info_settings(applied: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Flatten `SETTINGS` and the settings children applied per device into results.json's form.

    Args:
        applied: device name -> what `apply_determinism` returned in a child on that device.
    """
    flat: dict[str, Any] = dict(SETTINGS)
    for device in sorted(applied):
        for key, value in applied[device].items():
            if key == "seed":
                continue  # the run's seeds are recorded under run_info.seeds
            flat[f"applied on {device}: {key}"] = value
    return flat
