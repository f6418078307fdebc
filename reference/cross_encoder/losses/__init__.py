"""CrossEncoder losses, importable as ``sentence_transformers.cross_encoder.losses``."""

from __future__ import annotations

from .binary_cross_entropy import BinaryCrossEntropyLoss
from .cross_entropy import CrossEntropyLoss
from .mse import MSELoss

__all__ = ["BinaryCrossEntropyLoss", "CrossEntropyLoss", "MSELoss"]
