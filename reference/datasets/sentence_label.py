"""Legacy iterable data set that yields examples in groups of the same label."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from torch.utils.data import IterableDataset

from ..readers import InputExample

logger = logging.getLogger(__name__)


class SentenceLabelDataset(IterableDataset):
    """Yields ``samples_per_label`` examples of one label at a time, for the batch triplet losses.

    Labels with fewer than ``samples_per_label`` examples are dropped. Iteration runs in rounds: each
    round visits every label once, in an order shuffled per round, and draws ``samples_per_label``
    distinct examples of it at random. Iteration stops once ``len(self)`` examples (the number of
    usable examples) have been yielded, so a DataLoader with a batch size divisible by
    ``samples_per_label`` gets batches made of whole label groups.

    Randomness comes from NumPy's global random state, as in sentence-transformers 2.7.0:
    ``np.random.shuffle`` orders the labels (once at construction, then at every new round) and
    ``np.random.choice(..., replace=False)`` draws each group. With the same seed, the yielded order
    equals 2.7.0's.

    Args:
        examples: ``InputExample`` objects with one text and a hashable label each.
        samples_per_label: Examples drawn per label visit; the batch size should be a multiple of it.
        with_replacement: When False, a draw skips examples already drawn for the label in the
            current round. A round visits each label once, so in practice both settings draw
            alike; the flag is kept for the 2.7.0 signature.

    Example:
        >>> dataset = SentenceLabelDataset(examples, samples_per_label=2)  # doctest: +SKIP
        >>> loader = DataLoader(dataset, batch_size=8)  # doctest: +SKIP
    """

    def __init__(self, examples: Sequence[InputExample], samples_per_label: int = 2, with_replacement: bool = False) -> None:
        super().__init__()
        if samples_per_label < 1:
            raise ValueError(f"samples_per_label must be a positive integer, got {samples_per_label!r}.")
        self.samples_per_label = samples_per_label
        self.with_replacement = with_replacement

        by_label: dict[Any, list[InputExample]] = {}
        for example in examples:
            by_label.setdefault(example.label, []).append(example)

        # Usable examples are stored label by label; group g spans [group_starts[g], group_ends[g]).
        self.grouped_inputs: list[InputExample] = []
        self.group_ends: list[int] = []
        for label_examples in by_label.values():
            if len(label_examples) >= samples_per_label:
                self.grouped_inputs.extend(label_examples)
                self.group_ends.append(len(self.grouped_inputs))
        self.group_starts = [0, *self.group_ends[:-1]]

        self.label_order = np.arange(len(self.group_ends))
        np.random.shuffle(self.label_order)
        logger.info(
            "SentenceLabelDataset: %d of %d examples usable, in %d labels with at least %d examples each",
            len(self.grouped_inputs), len(examples), len(self.group_ends), samples_per_label,
        )  # fmt: skip

    def __iter__(self) -> Iterator[InputExample]:
        if not self.group_ends:
            return

        yielded = 0
        position = 0
        drawn_this_round: dict[int, set[int]] = {}
        while yielded < len(self.grouped_inputs):
            group = int(self.label_order[position])
            drawn = drawn_this_round.setdefault(group, set())
            for index in self._draw(group, drawn):
                drawn.add(index)
                yielded += 1
                yield self.grouped_inputs[index]

            position += 1
            if position == len(self.label_order):
                position = 0
                drawn_this_round = {}
                np.random.shuffle(self.label_order)

    def _draw(self, group: int, drawn: set[int]) -> list[int]:
        candidates = list(range(self.group_starts[group], self.group_ends[group]))
        if not self.with_replacement:
            candidates = [index for index in candidates if index not in drawn]
        if len(candidates) < self.samples_per_label:
            return []
        return [int(index) for index in np.random.choice(candidates, self.samples_per_label, replace=False)]

    def __len__(self) -> int:
        return len(self.grouped_inputs)
