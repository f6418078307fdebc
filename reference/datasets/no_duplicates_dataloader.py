"""Legacy data loader whose batches never repeat a text."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..readers import InputExample


class NoDuplicatesDataLoader:
    """Batches of ``InputExample`` in which no text appears twice, for in-batch negatives losses.

    Texts are compared after ``strip().lower()``. An example that shares a text with the batch being
    filled is passed over, so it is used again only after the loader wraps around. The examples are
    shuffled once at construction and again each time the loader wraps around them, with Python's
    global ``random`` module, as in sentence-transformers 2.7.0 (``random.seed`` makes it
    reproducible). Unlike 2.7.0, the caller's list is copied rather than shuffled in place, and a
    batch that can never be filled raises instead of looping forever.

    The legacy ``fit`` sets ``collate_fn`` to the model's collate function; until then the loader
    yields lists of examples.

    Args:
        train_examples: The training examples.
        batch_size: Examples per batch; ``len(loader)`` is ``len(train_examples) // batch_size``.

    Raises:
        ValueError: during iteration, when the examples have too few distinct texts to fill a batch.

    Example:
        >>> loader = NoDuplicatesDataLoader(examples, batch_size=16)  # doctest: +SKIP
        >>> model.fit(train_objectives=[(loader, loss)])  # doctest: +SKIP
    """

    def __init__(self, train_examples: Sequence[InputExample], batch_size: int) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
        self.batch_size = batch_size
        self.collate_fn: Callable[[list[InputExample]], Any] | None = None
        self.train_examples = list(train_examples)
        self.data_pointer = 0
        random.shuffle(self.train_examples)

    def __iter__(self) -> Iterator[Any]:
        for _ in range(len(self)):
            batch = self._next_batch()
            yield self.collate_fn(batch) if self.collate_fn is not None else batch

    def _next_batch(self) -> list[InputExample]:
        batch: list[InputExample] = []
        texts_in_batch: set[str] = set()
        rejected_in_a_row = 0

        while len(batch) < self.batch_size:
            example = self.train_examples[self.data_pointer]
            keys = [text.strip().lower() for text in example.texts]
            if texts_in_batch.isdisjoint(keys):
                batch.append(example)
                texts_in_batch.update(keys)
                rejected_in_a_row = 0
            else:
                rejected_in_a_row += 1
            self._advance()

            # 2n rejections in a row span one whole shuffled pass, so every example has failed against
            # this partial batch and none will ever fit.
            if rejected_in_a_row >= 2 * len(self.train_examples):
                raise ValueError(
                    f"NoDuplicatesDataLoader cannot fill a batch of {self.batch_size}: the examples have too few "
                    f"distinct texts (batch stuck at {len(batch)}). Lower batch_size or add examples."
                )
        return batch

    def _advance(self) -> None:
        self.data_pointer += 1
        if self.data_pointer >= len(self.train_examples):
            self.data_pointer = 0
            random.shuffle(self.train_examples)

    def __len__(self) -> int:
        return math.floor(len(self.train_examples) / self.batch_size)
