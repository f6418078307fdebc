"""Batch collation of the SentenceTransformerTrainer: tokenize each text column, keep the labels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import torch
from torch import Tensor

# Column names treated as labels rather than text, in lookup order.
LABEL_COLUMNS = ("label", "score", "labels", "scores")

# Column added by the trainer to rows of a DatasetDict, so that compute_loss can pick the loss of
# the dataset a batch came from.
DATASET_NAME_COLUMN = "dataset_name"

# Keys a tokenizer may return; compute_loss regroups ``<column>_<key>`` entries with them.
TOKENIZER_OUTPUT_KEYS = ("input_ids", "attention_mask", "token_type_ids", "position_ids")


@dataclass
class SentenceTransformerDataCollator:
    """Turn dataset rows into one batch dict: ``<column>_<tokenizer key>`` tensors plus ``label``.

    Every column except the label column and the dataset name is tokenized, in column order.
    The first column named ``label``, ``score``, ``labels`` or ``scores`` becomes the ``label``
    tensor.

    Args:
        tokenize_fn: Function that tokenizes a list of texts, usually ``model.tokenize``.
        valid_label_columns: Column names that hold labels, checked in order.

    Example:
        >>> collator = SentenceTransformerDataCollator(tokenize_fn=model.tokenize)
        >>> batch = collator([{"anchor": "a", "positive": "b"}, {"anchor": "c", "positive": "d"}])
        >>> sorted(batch)[:2]
        ['anchor_attention_mask', 'anchor_input_ids']
    """

    tokenize_fn: Callable[[list[str]], dict[str, Tensor]]
    valid_label_columns: list[str] = field(default_factory=lambda: list(LABEL_COLUMNS))

    def __call__(self, rows: list[dict[str, Any]]) -> dict[str, Any]:
        columns = list(rows[0].keys())
        batch: dict[str, Any] = {}

        if DATASET_NAME_COLUMN in columns:
            batch[DATASET_NAME_COLUMN] = rows[0][DATASET_NAME_COLUMN]
            columns.remove(DATASET_NAME_COLUMN)

        label_column = next((name for name in self.valid_label_columns if name in columns), None)
        if label_column is not None:
            batch["label"] = torch.tensor([row[label_column] for row in rows])
            columns.remove(label_column)

        for column in columns:
            tokenized = self.tokenize_fn([row[column] for row in rows])
            for key, value in tokenized.items():
                batch[f"{column}_{key}"] = value
        return batch


def split_features(batch: dict[str, Any]) -> list[dict[str, Tensor]]:
    """Regroup a collated batch into one tokenizer-output dict per text column, in column order."""
    columns = [key[: -len("_input_ids")] for key in batch if key.endswith("_input_ids")]

    features = []
    for column in columns:
        feature = {key: batch[f"{column}_{key}"] for key in TOKENIZER_OUTPUT_KEYS if f"{column}_{key}" in batch}
        features.append(feature)
    return features
