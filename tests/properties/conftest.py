"""Fixtures of the property-based tier: a tiny model saved once, the st.fit data, determinism settings."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SEED = 12345

# The runs reduce evaluations with the scenarios' own helper, so both tiers normalize alike.
sys.path.insert(0, str(PROJECT_ROOT / "scenarios"))


@pytest.fixture(scope="module")
def tiny_model_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The suite's tiny-bert fixture model (2 layers, hidden size 32, dropout off), built once per module."""
    from conformance.fixtures import models

    folder = tmp_path_factory.mktemp("tiny-bert")
    models.build("tiny-bert", folder, SEED)
    return folder


@pytest.fixture(scope="module")
def fit_data() -> dict:
    from conformance.fixtures import data

    return data.load("st-fit-tiny", None)


@pytest.fixture(scope="module", autouse=True)
def deterministic_torch():
    """One thread and deterministic kernels while the module runs, restored afterwards."""
    threads = torch.get_num_threads()
    deterministic = torch.are_deterministic_algorithms_enabled()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    yield
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(deterministic)
