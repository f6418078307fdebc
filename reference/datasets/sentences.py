"""Deprecated wrapper that turns a list of examples into a map-style data set."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch.utils.data import Dataset

from ..readers import InputExample


class SentencesDataset(Dataset):
    """List of ``InputExample`` as a ``torch`` data set; a plain list works as well.

    Kept because 2.x training scripts still wrap their examples in it.

    Args:
        examples: The examples.
        model: Ignored; accepted for the 2.x signature.

    Example:
        >>> dataset = SentencesDataset([InputExample(texts=["a", "b"])], model=None)
        >>> len(dataset)
        1
    """

    def __init__(self, examples: Sequence[InputExample], model: Any = None) -> None:
        self.examples = list(examples)

    def __getitem__(self, index: int) -> InputExample:
        return self.examples[index]

    def __len__(self) -> int:
        return len(self.examples)
