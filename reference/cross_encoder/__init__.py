"""The CrossEncoder side of the reference, importable as ``sentence_transformers.cross_encoder``.

The Trainer classes are imported on first access, because importing ``transformers.Trainer``
takes seconds and most users of the model never train it.
"""

from __future__ import annotations

import importlib
from typing import Any

from .model import CrossEncoder

_LAZY_EXPORTS = {
    "CrossEncoderDataCollator": ".data_collator",
    "CrossEncoderTrainer": ".trainer",
    "CrossEncoderTrainingArguments": ".training_args",
}

__all__ = ["CrossEncoder", *_LAZY_EXPORTS]


def __getattr__(name: str) -> Any:
    if name not in _LAZY_EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_LAZY_EXPORTS[name], __name__), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY_EXPORTS])
