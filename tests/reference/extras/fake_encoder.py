"""A stand-in model whose ``encode`` returns fixed vectors, so evaluator metrics can be computed by hand."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


class FixedEmbeddingModel:
    """Maps each known text to a fixed vector; ``encode`` calls are counted."""

    def __init__(self, vectors: dict[str, Sequence[float]], similarity_fn_name: str = "cosine") -> None:
        self.vectors = {text: np.asarray(vector, dtype=np.float32) for text, vector in vectors.items()}
        self.similarity_fn_name = similarity_fn_name
        self.encode_calls = 0

    def encode(self, sentences: list[str], batch_size: int = 32, show_progress_bar: bool = False, convert_to_numpy: bool = True) -> np.ndarray:
        self.encode_calls += 1
        return np.stack([self.vectors[text] for text in sentences])


def unit(angle_degrees: float) -> list[float]:
    """Return the 2-D unit vector at ``angle_degrees`` from the x axis."""
    radians = math.radians(angle_degrees)
    return [math.cos(radians), math.sin(radians)]
