"""Reference implementation of both sentence-transformers training paths.

The package mirrors the classic public import paths of ``sentence_transformers`` (``models``,
``losses``, ``evaluation``, ``training_args`` ...), so scenario code runs unchanged against it
when ``sentence_transformers`` is aliased to ``reference``.
"""

from __future__ import annotations

from . import losses, models, util
from .data_collator import SentenceTransformerDataCollator
from .model import SentenceTransformer
from .model_io import REFERENCE_VERSION as __version__
from .readers import InputExample
from .trainer import SentenceTransformerTrainer
from .training_args import BatchSamplers, MultiDatasetBatchSamplers, SentenceTransformerTrainingArguments

__all__ = [
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

from .cross_encoder import CrossEncoder, CrossEncoderTrainer, CrossEncoderTrainingArguments  # noqa: E402

__all__ += ["CrossEncoder", "CrossEncoderTrainer", "CrossEncoderTrainingArguments"]
