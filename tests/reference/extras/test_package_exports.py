"""Export lists of the evaluation and datasets packages, and their classic sentence_transformers import paths."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import reference.datasets
import reference.evaluation
import reference.losses

# Scenario code written for sentence-transformers 2.x/3.x, run with the package aliased to reference.
CLASSIC_IMPORTS = """
import importlib, pkgutil, sys
import reference
sys.modules["sentence_transformers"] = reference
for info in pkgutil.walk_packages(reference.__path__, "reference."):
    sys.modules["sentence_transformers" + info.name[len("reference"):]] = importlib.import_module(info.name)

from sentence_transformers.evaluation import (
    EmbeddingSimilarityEvaluator, InformationRetrievalEvaluator, NanoBEIREvaluator, SentenceEvaluator,
    SequentialEvaluator, SimilarityFunction, TripletEvaluator,
)
from sentence_transformers.datasets import (
    DenoisingAutoEncoderDataset, NoDuplicatesDataLoader, ParallelSentencesDataset, SentenceLabelDataset,
)
from sentence_transformers.sampler import GroupByLabelBatchSampler, NoDuplicatesBatchSampler
from sentence_transformers.losses import (
    BatchAllTripletLoss, BatchHardTripletLoss, BatchHardTripletLossDistanceFunction, BatchSemiHardTripletLoss,
    CosineSimilarityLoss, DenoisingAutoEncoderLoss, MSELoss, SoftmaxLoss,
)
print("ok")
"""


def test_evaluation_exports():
    assert reference.evaluation.__all__ == [
        "EmbeddingSimilarityEvaluator",
        "InformationRetrievalEvaluator",
        "NanoBEIREvaluator",
        "SentenceEvaluator",
        "SequentialEvaluator",
        "SimilarityFunction",
        "TripletEvaluator",
    ]


def test_datasets_exports():
    assert reference.datasets.__all__ == [
        "DenoisingAutoEncoderDataset",
        "NoDuplicatesDataLoader",
        "ParallelSentencesDataset",
        "SentenceLabelDataset",
        "SentencesDataset",
    ]


def test_losses_expose_extra_losses():
    names = ["BatchAllTripletLoss", "BatchHardTripletLoss", "BatchSemiHardTripletLoss", "CosineSimilarityLoss",
             "DenoisingAutoEncoderLoss", "MSELoss", "SoftmaxLoss"]  # fmt: skip

    missing = [name for name in names if not hasattr(reference.losses, name)]

    assert missing == []


def test_classic_paths_with_alias():
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(CLASSIC_IMPORTS)], capture_output=True, text=True, timeout=120
    )

    assert result.stdout.strip() == "ok", result.stderr
