"""Modules that a SentenceTransformer chains: encoder, pooling and normalization."""

from __future__ import annotations

from .normalize import Normalize
from .pooling import Pooling
from .transformer import Transformer

__all__ = ["Normalize", "Pooling", "Transformer"]
