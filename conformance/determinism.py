"""Determinism settings, applied in each child before anything touches a device."""

from __future__ import annotations

import os
import random
from typing import Any

# CUBLAS needs a fixed workspace for deterministic matmuls on CUDA 10.2 and newer.
CUBLAS_WORKSPACE = ":4096:8"

SETTINGS: dict[str, Any] = {
    "torch.use_deterministic_algorithms": True,
    "cudnn.deterministic": True,
    "cudnn.benchmark": False,
    "allow_tf32": False,
    "CUBLAS_WORKSPACE_CONFIG": CUBLAS_WORKSPACE,
    "torch.num_threads": 1,
    "dropout": "off in every fixture model config",
    "python, numpy and torch seeds": "the run's --seed, set before each invocation",
}


def apply_determinism(seed: int, device: str) -> dict[str, Any]:
    """Seed every generator and switch on deterministic kernels; returns what was set."""
    import numpy as np
    import torch

    if device == "cpu":
        # The warm parent never initialized CUDA, so hiding the devices here takes effect.
        os.environ["CUDA_VISIBLE_DEVICES"] = ""
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", CUBLAS_WORKSPACE)
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    # One thread: reductions then run in a fixed order, and xdist workers do not compete for cores.
    torch.set_num_threads(1)
    return dict(SETTINGS, seed=seed, CUBLAS_WORKSPACE_CONFIG=os.environ["CUBLAS_WORKSPACE_CONFIG"])
