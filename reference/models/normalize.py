"""L2 normalization of the sentence embedding."""

from __future__ import annotations

from torch import Tensor, nn
from torch.nn import functional


class Normalize(nn.Module):
    """Scale ``sentence_embedding`` to unit L2 norm, so dot product equals cosine similarity.

    Example:
        >>> model = SentenceTransformer(modules=[transformer, pooling, Normalize()])
    """

    def forward(self, features: dict[str, Tensor]) -> dict[str, Tensor]:
        """Replace ``sentence_embedding`` with its normalized form."""
        features["sentence_embedding"] = functional.normalize(features["sentence_embedding"], p=2, dim=1)
        return features

    def save(self, output_path: str) -> None:
        """Write nothing: the module has no state, but the folder keeps the classic layout."""

    @classmethod
    def load(cls, input_path: str) -> Normalize:
        """Return a new instance; released models often lack the folder altogether."""
        return cls()
