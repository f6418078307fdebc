"""The package imports eagerly and serves the classic sentence_transformers import paths."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
import textwrap

import reference

# Scenario code written for sentence-transformers, run with the package aliased to reference.
CLASSIC_IMPORTS = """
import importlib, pkgutil, sys
import reference
sys.modules["sentence_transformers"] = reference
for info in pkgutil.walk_packages(reference.__path__, "reference."):
    module = importlib.import_module(info.name)
    sys.modules["sentence_transformers" + info.name[len("reference"):]] = module

from sentence_transformers import SentenceTransformer, InputExample, losses
from sentence_transformers import SentenceTransformerTrainer, SentenceTransformerTrainingArguments
from sentence_transformers.losses import MultipleNegativesRankingLoss
from sentence_transformers.training_args import BatchSamplers, MultiDatasetBatchSamplers
from sentence_transformers.models import Transformer, Pooling, Normalize
from sentence_transformers.readers import InputExample as ReaderExample
from sentence_transformers.util import cos_sim
from sentence_transformers.trainer import SentenceTransformerTrainer as TrainerFromModule
assert ReaderExample is InputExample
assert TrainerFromModule is SentenceTransformerTrainer
print("ok")
"""


def test_submodules_import_eagerly():
    names = [info.name for info in pkgutil.walk_packages(reference.__path__, "reference.")]

    for name in names:
        importlib.import_module(name)

    assert "reference.fit_mixin" in names
    assert "reference.legacy.schedulers" in names


def test_classic_import_paths_with_alias():
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CLASSIC_IMPORTS)], capture_output=True, text=True, timeout=120
    )

    assert result.stdout.strip() == "ok", result.stderr


def test_export_list():
    # Other parts of the package (CrossEncoder, evaluation) may add names; these must stay.
    assert set(reference.__all__) >= set(
        [
            "BatchSamplers",
            "InputExample",
            "MultiDatasetBatchSamplers",
            "SentenceTransformer",
            "SentenceTransformerDataCollator",
            "SentenceTransformerTrainer",
            "SentenceTransformerTrainingArguments",
            "__version__",
            "losses",
            "models",
            "util",
        ]
    )
    assert all(hasattr(reference, name) for name in reference.__all__)
