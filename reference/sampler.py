"""Batch samplers of the SentenceTransformerTrainer and the registries that select them.

``BATCH_SAMPLERS`` maps a ``BatchSamplers`` value to a class that batches one dataset.
``MULTI_DATASET_BATCH_SAMPLERS`` maps a ``MultiDatasetBatchSamplers`` value to a class that
interleaves the batches of several datasets. Every batch sampler class takes
``(dataset, batch_size, drop_last, valid_label_columns=None, generator=None, seed=0)``, and more
samplers plug in by adding an entry.
"""

from __future__ import annotations

import logging
from typing import Any, Iterator

import torch
from torch.utils.data import BatchSampler, ConcatDataset, RandomSampler, Sampler

from .data_collator import DATASET_NAME_COLUMN

logger = logging.getLogger(__name__)

# Extra shuffled passes NoDuplicatesBatchSampler may make to reach len(self) batches, as
# sentence-transformers 6.3.0 does.
_EXTRA_PASSES = 2


class DefaultBatchSampler(BatchSampler):
    """Shuffle the rows with ``generator`` and cut them into consecutive batches.

    Args:
        dataset: The dataset to batch.
        batch_size: Rows per batch.
        drop_last: Drop the last batch when it is smaller than ``batch_size``.
        valid_label_columns: Unused; part of the common constructor signature.
        generator: Random generator of the shuffle; the trainer seeds it with ``args.seed``.
        seed: Unused; part of the common constructor signature.

    Example:
        >>> sampler = DefaultBatchSampler(dataset, batch_size=16, drop_last=False)
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int,
        drop_last: bool,
        valid_label_columns: list[str] | None = None,
        generator: torch.Generator | None = None,
        seed: int = 0,
    ) -> None:
        super().__init__(RandomSampler(dataset, generator=generator), batch_size=batch_size, drop_last=drop_last)
        self.dataset = dataset


class RoundRobinBatchSampler(Sampler[list[int]]):
    """Take one batch of each dataset in turn; stop as soon as one dataset has no batch left.

    Args:
        dataset: The ``ConcatDataset`` of all datasets; batches are offset into its index space.
        batch_samplers: One batch sampler per dataset, in the order of ``dataset.datasets``.
        generator: Unused; part of the common constructor signature.
        seed: Unused; part of the common constructor signature.

    Example:
        >>> sampler = RoundRobinBatchSampler(ConcatDataset([first, second]), [sampler_a, sampler_b])
    """

    def __init__(
        self,
        dataset: ConcatDataset,
        batch_samplers: list[Sampler[list[int]]],
        generator: torch.Generator | None = None,
        seed: int = 0,
    ) -> None:
        self.dataset = dataset
        self.batch_samplers = batch_samplers
        self.offsets = [0, *dataset.cumulative_sizes[:-1]]

    def __iter__(self) -> Iterator[list[int]]:
        iterators = [iter(sampler) for sampler in self.batch_samplers]
        for _ in range(min(len(sampler) for sampler in self.batch_samplers)):
            for offset, iterator in zip(self.offsets, iterators):
                yield [offset + index for index in next(iterator)]

    def __len__(self) -> int:
        return min(len(sampler) for sampler in self.batch_samplers) * len(self.batch_samplers)


class ProportionalBatchSampler(Sampler[list[int]]):
    """Yield every batch of every dataset once, choosing the dataset of each batch at random.

    Larger datasets therefore contribute proportionally more batches.

    Args:
        dataset: The ``ConcatDataset`` of all datasets; batches are offset into its index space.
        batch_samplers: One batch sampler per dataset, in the order of ``dataset.datasets``.
        generator: Random generator of the dataset order.
        seed: Unused; part of the common constructor signature.

    Example:
        >>> sampler = ProportionalBatchSampler(ConcatDataset([first, second]), [sampler_a, sampler_b])
    """

    def __init__(
        self,
        dataset: ConcatDataset,
        batch_samplers: list[Sampler[list[int]]],
        generator: torch.Generator | None = None,
        seed: int = 0,
    ) -> None:
        self.dataset = dataset
        self.batch_samplers = batch_samplers
        self.generator = generator
        self.offsets = [0, *dataset.cumulative_sizes[:-1]]

    def __iter__(self) -> Iterator[list[int]]:
        order = [index for index, sampler in enumerate(self.batch_samplers) for _ in range(len(sampler))]
        permutation = torch.randperm(len(order), generator=self.generator).tolist()
        iterators = [iter(sampler) for sampler in self.batch_samplers]

        for position in permutation:
            dataset_index = order[position]
            offset = self.offsets[dataset_index]
            yield [offset + index for index in next(iterators[dataset_index])]

    def __len__(self) -> int:
        return sum(len(sampler) for sampler in self.batch_samplers)


class _SeededBatchSampler(BatchSampler):
    """Common part of the samplers whose order depends on ``seed + epoch`` only.

    Each ``__iter__`` reseeds ``generator`` (or a private one when it is None) with ``seed + epoch``,
    so one seed always gives the same batches, and ``set_epoch`` (called by the trainer at each
    epoch start) gives every epoch its own order.
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int,
        drop_last: bool,
        valid_label_columns: list[str] | None = None,
        generator: torch.Generator | None = None,
        seed: int = 0,
    ) -> None:
        super().__init__(range(len(dataset)), batch_size=batch_size, drop_last=drop_last)
        self.dataset = dataset
        self.valid_label_columns = list(valid_label_columns or [])
        self.generator = generator if generator is not None else torch.Generator()
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Select the epoch whose order the next ``__iter__`` produces."""
        self.epoch = epoch

    def _reseed(self) -> torch.Generator:
        self.generator.manual_seed(self.seed + self.epoch)
        return self.generator


def _dataset_rows(dataset: Any) -> list[dict[str, Any]]:
    """Return every row of ``dataset`` as a dict, reading whole columns when the dataset has them."""
    if hasattr(dataset, "column_names"):
        columns = {name: list(dataset[name]) for name in dataset.column_names}
        return [dict(zip(columns, values)) for values in zip(*columns.values())]
    return [dict(dataset[index]) for index in range(len(dataset))]


class NoDuplicatesBatchSampler(_SeededBatchSampler):
    """Batches in which no value of any text column appears twice, for in-batch negatives losses.

    The rows are shuffled (seeded with ``seed + epoch``). Each batch is filled by walking the
    remaining rows in that order and taking every row that shares no value with the rows already in
    the batch. A row that shares a value is deferred to a later batch and keeps its position. Values are
    compared as ``str(value)`` across all columns except the label columns and ``dataset_name``.
    A batch that cannot be filled, because only conflicting rows remain, is yielded short unless
    ``drop_last`` is set, so without ``drop_last`` an epoch may hold more batches than ``len(self)``.
    With ``drop_last``, a pass that ends short of ``len(self)`` batches is topped up from up to two
    more shuffled passes, which reuse rows, and a warning is logged once.

    Args:
        dataset: The dataset to batch (a ``datasets.Dataset`` or any sequence of row dicts).
        batch_size: Rows per batch.
        drop_last: Drop batches with fewer than ``batch_size`` rows.
        valid_label_columns: Columns ignored in the duplicate check.
        generator: Random generator of the shuffle; reseeded at every ``__iter__``.
        seed: Base seed; epoch ``e`` uses ``seed + e``.

    Example:
        >>> sampler = NoDuplicatesBatchSampler(dataset, batch_size=16, drop_last=False, seed=12)
        >>> batches = list(sampler)
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int,
        drop_last: bool,
        valid_label_columns: list[str] | None = None,
        generator: torch.Generator | None = None,
        seed: int = 0,
    ) -> None:
        super().__init__(dataset, batch_size, drop_last, valid_label_columns, generator, seed)
        self._row_values: list[set[str]] | None = None
        self._warned = False

    def row_values(self) -> list[set[str]]:
        """Return, per row, the set of values the duplicate check compares (computed once)."""
        if self._row_values is None:
            ignored = {*self.valid_label_columns, DATASET_NAME_COLUMN}
            self._row_values = [
                {str(value) for column, value in row.items() if column not in ignored} for row in _dataset_rows(self.dataset)
            ]
        return self._row_values

    def __iter__(self) -> Iterator[list[int]]:
        values = self.row_values()
        generator = self._reseed()
        expected = len(self)
        yielded = 0
        for batch in self._one_pass(values, generator):
            yielded += 1
            yield batch
        if yielded >= expected:
            return

        # With drop_last, deferred rows can leave the pass short of len(self) batches, although the
        # learning-rate schedule was sized for len(self). Later passes over a new shuffle top it up.
        for _ in range(_EXTRA_PASSES if yielded else 0):
            for batch in self._one_pass(values, generator):
                yielded += 1
                yield batch
                if yielded >= expected:
                    self._warn_once(f"NoDuplicatesBatchSampler reused rows from a reshuffle to reach {expected} batches.")
                    return
        self._warn_once(
            f"NoDuplicatesBatchSampler yielded {yielded} of {expected} batches: the dataset has too few distinct "
            f"values for batch_size={self.batch_size}. Lower the batch size."
        )

    def _one_pass(self, values: list[set[str]], generator: torch.Generator) -> Iterator[list[int]]:
        remaining = torch.randperm(len(values), generator=generator).tolist()
        while remaining:
            batch, remaining = self._fill_batch(remaining, values)
            if len(batch) == self.batch_size or not self.drop_last:
                yield batch

    def _warn_once(self, message: str) -> None:
        if not self._warned:
            logger.warning(message)
            self._warned = True

    def _fill_batch(self, order: list[int], values: list[set[str]]) -> tuple[list[int], list[int]]:
        batch: list[int] = []
        batch_values: set[str] = set()
        deferred: list[int] = []
        for position, index in enumerate(order):
            if len(batch) == self.batch_size:
                deferred.extend(order[position:])
                break
            if batch_values.isdisjoint(values[index]):
                batch.append(index)
                batch_values.update(values[index])
            else:
                deferred.append(index)
        return batch, deferred

    def __len__(self) -> int:
        if self.drop_last:
            return len(self.dataset) // self.batch_size
        return (len(self.dataset) + self.batch_size - 1) // self.batch_size


class GroupByLabelBatchSampler(_SeededBatchSampler):
    """Batches made of pairs of same-label rows, with at least two labels in every batch.

    For the batch triplet losses, which need positives (same label) and negatives (other label)
    inside each batch. Labels with fewer than two rows are left out, and an odd row per label is
    left out of each epoch. Every round visits each label that still has pairs, in a shuffled
    order, and takes one pair of it. When a round continues a partly filled batch, it does not
    open with the label that closed the previous round. Rounds stop when fewer than two labels
    have pairs left, so the largest labels may not be used up. The pair stream is cut into batches
    of ``batch_size``. Because ``batch_size`` is even, every batch consists of whole pairs and two
    consecutive pairs in a batch never share a label, so each batch contains at least two labels
    with at least two rows each. A last shorter batch is kept when it has at least four rows and
    ``drop_last`` is False.

    Args:
        dataset: The dataset to batch; one of ``valid_label_columns`` must be a column of it.
        batch_size: Rows per batch; an even number of at least 4.
        drop_last: Drop the last, shorter batch.
        valid_label_columns: Candidate label columns; the first one present is used.
        generator: Random generator of the shuffles; reseeded at every ``__iter__``.
        seed: Base seed; epoch ``e`` uses ``seed + e``.

    Raises:
        ValueError: for an odd or too small ``batch_size``, a dataset without a label column, or
            fewer than two labels with two rows each.

    Example:
        >>> sampler = GroupByLabelBatchSampler(dataset, batch_size=8, drop_last=False, valid_label_columns=["label"])
        >>> batches = list(sampler)
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int,
        drop_last: bool,
        valid_label_columns: list[str] | None = None,
        generator: torch.Generator | None = None,
        seed: int = 0,
    ) -> None:
        super().__init__(dataset, batch_size, drop_last, valid_label_columns, generator, seed)
        if batch_size < 4 or batch_size % 2:
            raise ValueError(f"GroupByLabelBatchSampler needs an even batch_size of at least 4, got {batch_size!r}.")

        self.groups = self._label_groups()
        pair_counts = sorted((len(indices) // 2 for indices in self.groups.values()), reverse=True)
        # Rounds run while two labels have pairs, so no label contributes more pairs than the second largest has.
        self._stream_length = 2 * sum(min(count, pair_counts[1]) for count in pair_counts)

    def _label_groups(self) -> dict[Any, list[int]]:
        rows = _dataset_rows(self.dataset)
        # A datasets.Dataset names its columns even when it has no rows.
        columns = getattr(self.dataset, "column_names", None) or (list(rows[0]) if rows else [])
        label_column = next((column for column in self.valid_label_columns if column in columns), None)
        if label_column is None:
            raise ValueError(
                f"GroupByLabelBatchSampler found none of the label columns {self.valid_label_columns} "
                f"in the dataset columns {list(columns)}; add a 'label' column."
            )

        groups: dict[Any, list[int]] = {}
        for index, row in enumerate(rows):
            label = row[label_column]
            groups.setdefault(tuple(label) if isinstance(label, list) else label, []).append(index)

        groups = {label: indices for label, indices in groups.items() if len(indices) >= 2}
        if len(groups) < 2:
            raise ValueError(
                f"GroupByLabelBatchSampler needs at least 2 labels with 2 or more rows each, found {len(groups)}."
            )
        return groups

    def __iter__(self) -> Iterator[list[int]]:
        stream = self._pair_stream(self._reseed())
        full_batches = len(stream) // self.batch_size
        for start in range(0, full_batches * self.batch_size, self.batch_size):
            yield stream[start : start + self.batch_size]

        rest = stream[full_batches * self.batch_size :]
        if not self.drop_last and len(rest) >= 4:
            yield rest

    def _pair_stream(self, generator: torch.Generator) -> list[int]:
        # 1. Shuffle each label's rows and cut them into pairs, dropping an odd last row.
        pairs: dict[Any, list[list[int]]] = {}
        for label, indices in self.groups.items():
            shuffled = [indices[i] for i in torch.randperm(len(indices), generator=generator).tolist()]
            pairs[label] = [shuffled[i : i + 2] for i in range(0, len(shuffled) - 1, 2)]

        # 2. Round robin over the labels that still have pairs, in a new random order per round.
        stream: list[int] = []
        active = list(pairs)
        previous_label = None
        while len(active) >= 2:
            active = [active[i] for i in torch.randperm(len(active), generator=generator).tolist()]
            if active[0] == previous_label and len(stream) % self.batch_size:
                active[0], active[1] = active[1], active[0]
            for label in active:
                stream.extend(pairs[label].pop(0))
            previous_label = active[-1]
            active = [label for label in active if pairs[label]]
        return stream

    def __len__(self) -> int:
        batches = self._stream_length // self.batch_size
        if not self.drop_last and self._stream_length % self.batch_size >= 4:
            batches += 1
        return batches


# Keys are the string values of training_args.BatchSamplers.
BATCH_SAMPLERS: dict[str, type[Sampler]] = {
    "batch_sampler": DefaultBatchSampler,
    "no_duplicates": NoDuplicatesBatchSampler,
    "group_by_label": GroupByLabelBatchSampler,
}

# Keys are the string values of training_args.MultiDatasetBatchSamplers.
MULTI_DATASET_BATCH_SAMPLERS: dict[str, type[Sampler]] = {
    "round_robin": RoundRobinBatchSampler,
    "proportional": ProportionalBatchSampler,
}


def batch_sampler_class(name: Any) -> type[Sampler]:
    """Return the batch sampler registered for a ``BatchSamplers`` member or value.

    Raises:
        ValueError: When no sampler is registered under that value.
    """
    return _lookup(BATCH_SAMPLERS, name, "batch_sampler")


def multi_dataset_batch_sampler_class(name: Any) -> type[Sampler]:
    """Return the sampler registered for a ``MultiDatasetBatchSamplers`` member or value.

    Raises:
        ValueError: When no sampler is registered under that value.
    """
    return _lookup(MULTI_DATASET_BATCH_SAMPLERS, name, "multi_dataset_batch_sampler")


def _lookup(registry: dict[str, type[Sampler]], name: Any, argument: str) -> type[Sampler]:
    key = getattr(name, "value", name)
    if key not in registry:
        available = ", ".join(repr(value) for value in registry)
        raise ValueError(f"No {argument} implemented for {key!r} in the reference; available: {available}.")
    return registry[key]
