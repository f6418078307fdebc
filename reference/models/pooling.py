"""Pooling of token embeddings into one sentence embedding."""

from __future__ import annotations

import json
import os
from typing import Any

import torch
from torch import Tensor, nn

# Concatenation order of the pooled vectors, as in the classic sentence-transformers layout.
POOLING_MODES = ("cls", "max", "mean", "mean_sqrt_len_tokens")

# Classic config keys of each mode.
MODE_CONFIG_KEYS = {
    "cls": "pooling_mode_cls_token",
    "max": "pooling_mode_max_tokens",
    "mean": "pooling_mode_mean_tokens",
    "mean_sqrt_len_tokens": "pooling_mode_mean_sqrt_len_tokens",
}


class Pooling(nn.Module):
    """Reduce ``token_embeddings`` to ``sentence_embedding`` with the attention mask.

    Args:
        word_embedding_dimension: Size of each token embedding.
        pooling_mode: ``"mean"``, ``"cls"``, ``"max"`` or ``"mean_sqrt_len_tokens"``, or ``None``
            to choose with the boolean flags below.
        pooling_mode_cls_token: Use the first token's embedding.
        pooling_mode_max_tokens: Use the element-wise maximum over the unmasked tokens.
        pooling_mode_mean_tokens: Use the mean over the unmasked tokens.
        pooling_mode_mean_sqrt_len_tokens: Use the sum over unmasked tokens divided by the square
            root of their count.

    With several flags on, the pooled vectors are concatenated in the order cls, max, mean,
    mean_sqrt_len_tokens.

    Example:
        >>> pooling = Pooling(transformer.get_word_embedding_dimension(), pooling_mode="mean")
    """

    def __init__(
        self,
        word_embedding_dimension: int,
        pooling_mode: str | None = None,
        pooling_mode_cls_token: bool = False,
        pooling_mode_max_tokens: bool = False,
        pooling_mode_mean_tokens: bool = True,
        pooling_mode_mean_sqrt_len_tokens: bool = False,
    ) -> None:
        super().__init__()
        self.word_embedding_dimension = word_embedding_dimension
        if pooling_mode is not None:
            self.modes = [self._check_mode(pooling_mode.lower())]
        else:
            flags = {
                "cls": pooling_mode_cls_token,
                "max": pooling_mode_max_tokens,
                "mean": pooling_mode_mean_tokens,
                "mean_sqrt_len_tokens": pooling_mode_mean_sqrt_len_tokens,
            }
            self.modes = [mode for mode in POOLING_MODES if flags[mode]]
        if not self.modes:
            raise ValueError("Pooling got no pooling mode: set pooling_mode or one of the pooling_mode_* flags.")

    @staticmethod
    def _check_mode(mode: str) -> str:
        if mode not in POOLING_MODES:
            raise ValueError(f"Invalid pooling_mode {mode!r}: use one of {', '.join(map(repr, POOLING_MODES))}.")
        return mode

    def get_sentence_embedding_dimension(self) -> int:
        """Return the size of the pooled vector."""
        return self.word_embedding_dimension * len(self.modes)

    def forward(self, features: dict[str, Tensor]) -> dict[str, Tensor]:
        """Add ``sentence_embedding`` (``[batch, dim]``) to ``features``."""
        tokens = features["token_embeddings"]  # [batch, seq, hidden]
        mask = features["attention_mask"].unsqueeze(-1).to(tokens.dtype)  # [batch, seq, 1]

        pooled = [self._pool(mode, tokens, mask) for mode in self.modes]
        features["sentence_embedding"] = torch.cat(pooled, dim=1)
        return features

    @staticmethod
    def _pool(mode: str, tokens: Tensor, mask: Tensor) -> Tensor:
        if mode == "cls":
            return tokens[:, 0]

        if mode == "max":
            masked = tokens.masked_fill(mask == 0, -1e9)
            return masked.max(dim=1).values

        summed = (tokens * mask).sum(dim=1)  # [batch, hidden]
        counts = mask.sum(dim=1).clamp(min=1e-9)  # [batch, 1]
        if mode == "mean":
            return summed / counts
        return summed / counts.sqrt()

    def get_config_dict(self) -> dict[str, Any]:
        """Return the classic ``config.json`` content of this module."""
        config: dict[str, Any] = {"word_embedding_dimension": self.word_embedding_dimension}
        for mode, key in MODE_CONFIG_KEYS.items():
            config[key] = mode in self.modes
        return config

    def save(self, output_path: str) -> None:
        """Write ``config.json`` into ``output_path``."""
        os.makedirs(output_path, exist_ok=True)
        with open(os.path.join(output_path, "config.json"), "w", encoding="utf-8") as handle:
            json.dump(self.get_config_dict(), handle, indent=2)

    @classmethod
    def load(cls, input_path: str) -> Pooling:
        """Load the classic config layout or the one written by sentence-transformers 5 and later."""
        with open(os.path.join(input_path, "config.json"), encoding="utf-8") as handle:
            config = json.load(handle)

        dimension = config.get("word_embedding_dimension", config.get("embedding_dimension"))
        mode = config.get("pooling_mode")
        if isinstance(mode, (list, tuple)):
            # NOTE: several modes from a newer config are concatenated in the classic order,
            # not in the listed one.
            flags = {key: name in mode for name, key in MODE_CONFIG_KEYS.items()}
            for name in mode:
                cls._check_mode(name)
            return cls(dimension, **flags)
        if mode is not None:
            return cls(dimension, pooling_mode=mode)

        flags = {key: bool(config.get(key, False)) for key in MODE_CONFIG_KEYS.values()}
        return cls(dimension, **flags)
