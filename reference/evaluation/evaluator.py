"""Base class of the SentenceTransformer evaluators and the helpers they share."""

from __future__ import annotations

import csv
import logging
import os
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

logger = logging.getLogger(__name__)


class SentenceEvaluator:
    """Base class of every evaluator: call it with a model and get a dict of metrics.

    Subclasses implement ``__call__`` and set ``primary_metric`` to the key of the metric that ranks
    models (the legacy ``fit`` keeps the model with the best value, the Trainer reads it for
    ``metric_for_best_model``). ``greater_is_better`` is True when higher values of that metric are better.
    Metric keys carry the evaluator's ``name`` as a prefix, e.g. ``sts-dev_spearman_cosine``.

    Example:
        >>> class ConstantEvaluator(SentenceEvaluator):
        ...     def __call__(self, model, output_path=None, epoch=-1, steps=-1):
        ...         self.primary_metric = "score"
        ...         return {"score": 1.0}
        >>> ConstantEvaluator()(model=None)
        {'score': 1.0}
    """

    def __init__(self) -> None:
        self.name = ""
        self.greater_is_better = True
        self.primary_metric: str | None = None

    def __call__(
        self, model: Any, output_path: str | None = None, epoch: int = -1, steps: int = -1
    ) -> dict[str, float]:
        """Evaluate ``model`` and return its metrics.

        Args:
            model: The SentenceTransformer to evaluate.
            output_path: Folder for the CSV results, or None to write nothing.
            epoch: Epoch index at the time of the call, -1 outside of training.
            steps: Steps done within the epoch, -1 at the end of an epoch.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement __call__(model, output_path, epoch, steps)")

    def prefix_name_to_metrics(self, metrics: dict[str, Any], name: str) -> dict[str, float]:
        """Return ``metrics`` as floats with keys prefixed by ``name_``, and prefix ``primary_metric`` alike."""
        floats = {key: float(value) for key, value in metrics.items()}
        if not name:
            return floats

        if self.primary_metric and not self.primary_metric.startswith(name + "_"):
            self.primary_metric = f"{name}_{self.primary_metric}"
        return {f"{name}_{key}": value for key, value in floats.items()}

    @property
    def description(self) -> str:
        """Readable form of the class name, e.g. ``Embedding Similarity``."""
        class_name = type(self).__name__.removesuffix("Evaluator")
        return re.sub(r"([a-z])([A-Z])", r"\1 \2", class_name)

    def get_config_dict(self) -> dict[str, Any]:
        """Return the settings worth recording next to the metrics (none by default)."""
        return {}


def describe_call(epoch: int, steps: int) -> str:
    """Return the log suffix that states when an evaluation ran, e.g. `` in epoch 1 after 20 steps``."""
    if epoch == -1:
        return ""
    if steps == -1:
        return f" after epoch {epoch}"
    return f" in epoch {epoch} after {steps} steps"


def encode_texts(model: Any, texts: Sequence[str], batch_size: int, show_progress_bar: bool = False) -> torch.Tensor:
    """Encode ``texts`` with the model in eval mode and without gradients; return a float32 CPU tensor.

    The model's train/eval mode is restored afterwards, because evaluators run in the middle of
    training and dropout must be active again for the next step.
    """
    is_module = isinstance(model, torch.nn.Module)
    was_training = is_module and model.training
    if is_module:
        model.eval()

    try:
        with torch.no_grad():
            embeddings = model.encode(
                list(texts), batch_size=batch_size, show_progress_bar=show_progress_bar, convert_to_numpy=True
            )
    finally:
        if is_module:
            model.train(was_training)

    return torch.from_numpy(np.asarray(embeddings, dtype=np.float32))


def append_csv_row(output_path: str, file_name: str, headers: list[str], row: list[Any]) -> str:
    """Append ``row`` to ``output_path/file_name``, writing ``headers`` first when the file is new.

    Returns the path of the CSV file.
    """
    os.makedirs(output_path, exist_ok=True)
    csv_path = os.path.join(output_path, file_name)
    is_new = not os.path.isfile(csv_path)

    with open(csv_path, mode="w" if is_new else "a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        if is_new:
            writer.writerow(headers)
        writer.writerow(row)
    return csv_path


def validate_same_length(**columns: Sequence[Any]) -> None:
    """Raise ValueError unless every named column has the same number of entries."""
    lengths = {name: len(values) for name, values in columns.items()}
    if len(set(lengths.values())) > 1:
        raise ValueError(f"Evaluator inputs must have the same length, got {lengths}; pass one entry per example in each.")
