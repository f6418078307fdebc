"""The legacy training example type used with ``DataLoader`` and ``fit``."""

from __future__ import annotations

from typing import Any


class InputExample:
    """One training example of the legacy ``fit`` API: a few texts and a label.

    Args:
        guid: Optional identifier, kept only for the caller's bookkeeping.
        texts: The texts of the example, one per input column (e.g. anchor, positive, negative).
        label: The label; the collate function turns the labels of a batch into one tensor.

    Example:
        >>> example = InputExample(texts=["A man eats.", "Someone eats food."], label=0.9)
    """

    def __init__(self, guid: str = "", texts: list[str] | None = None, label: Any = 0) -> None:
        self.guid = guid
        self.texts = texts
        self.label = label

    def __repr__(self) -> str:
        return f"InputExample(guid={self.guid!r}, texts={self.texts!r}, label={self.label!r})"
