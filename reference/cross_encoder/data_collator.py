"""Batch collation of the CrossEncoderTrainer: text columns as lists, the label column as a tensor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

DEFAULT_LABEL_COLUMNS = ("label", "labels", "score", "scores")


@dataclass
class CrossEncoderDataCollator:
    """Turn dataset rows into ``{"label": tensor, <text column>: [texts], ...}``.

    The texts stay untokenized: the loss tokenizes the pairs through ``model.preprocess``, as in
    sentence-transformers 6.3.0, so a loss receives the raw columns in dataset order. The first column
    named in ``valid_label_columns`` becomes ``"label"``, and a ``dataset_name`` column is dropped.

    Args:
        valid_label_columns: Column names accepted as the label, in order of preference.

    Example:
        >>> collator = CrossEncoderDataCollator()
        >>> collator([{"query": "q", "doc": "d", "label": 1}])
        {'label': tensor([1]), 'query': ['q'], 'doc': ['d']}
    """

    valid_label_columns: Sequence[str] = field(default_factory=lambda: list(DEFAULT_LABEL_COLUMNS))

    def __call__(self, features: list[dict[str, Any]]) -> dict[str, Any]:
        column_names = [name for name in features[0] if name != "dataset_name"]
        batch: dict[str, Any] = {}

        label_column = next((name for name in self.valid_label_columns if name in column_names), None)
        if label_column is not None:
            batch["label"] = _stack_labels([row[label_column] for row in features])
            column_names.remove(label_column)

        for name in column_names:
            batch[name] = [row[name] for row in features]
        return batch


def _stack_labels(labels: list[Any]) -> torch.Tensor:
    if isinstance(labels[0], torch.Tensor):
        return torch.stack(labels)
    return torch.tensor(labels)
