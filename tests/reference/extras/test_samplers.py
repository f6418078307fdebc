"""The no-duplicates and group-by-label batch samplers, alone and selected through the training arguments."""

from __future__ import annotations

from collections import Counter

import pytest
from datasets import Dataset

from reference.sampler import GroupByLabelBatchSampler, NoDuplicatesBatchSampler, batch_sampler_class
from reference.training_args import BatchSamplers

SEEDS = [0, 1, 2, 3, 4, 5]


def duplicate_heavy_dataset() -> Dataset:
    # 30 rows, 6 distinct anchors, positives that sometimes repeat an anchor text.
    anchors = [f"text {i % 6}" for i in range(30)]
    positives = [f"text {(i * 7) % 11}" for i in range(30)]
    return Dataset.from_dict({"anchor": anchors, "positive": positives, "label": [i % 2 for i in range(30)]})


def labelled_dataset() -> Dataset:
    # Label sizes 2, 3, 5 and 9; a singleton label 99 that must never appear.
    labels = [0] * 2 + [1] * 3 + [2] * 5 + [3] * 9 + [99]
    return Dataset.from_dict({"text": [f"row {i}" for i in range(len(labels))], "label": labels})


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("drop_last", [False, True])
def test_no_duplicates_batch_values_unique(seed, drop_last):
    dataset = duplicate_heavy_dataset()
    sampler = NoDuplicatesBatchSampler(dataset, batch_size=4, drop_last=drop_last, valid_label_columns=["label"], seed=seed)

    for batch in sampler:
        # A row may repeat its own text (anchor == positive); two rows of a batch may share none.
        row_texts = [{dataset[index]["anchor"], dataset[index]["positive"]} for index in batch]
        assert sum(len(texts) for texts in row_texts) == len(set().union(*row_texts)), (seed, batch, row_texts)


@pytest.mark.parametrize("seed", SEEDS)
def test_no_duplicates_uses_each_row_once(seed):
    sampler = NoDuplicatesBatchSampler(duplicate_heavy_dataset(), batch_size=4, drop_last=False, valid_label_columns=["label"], seed=seed)

    indices = [index for batch in sampler for index in batch]

    assert sorted(indices) == list(range(30))


def test_no_duplicates_ignores_label_column():
    dataset = Dataset.from_dict({"anchor": ["a", "b", "c", "d"], "label": [1, 1, 1, 1]})
    sampler = NoDuplicatesBatchSampler(dataset, batch_size=4, drop_last=False, valid_label_columns=["label"])

    assert [len(batch) for batch in sampler] == [4]


def test_no_duplicates_same_seed_same_batches():
    first = list(NoDuplicatesBatchSampler(duplicate_heavy_dataset(), 4, False, ["label"], seed=7))
    second = list(NoDuplicatesBatchSampler(duplicate_heavy_dataset(), 4, False, ["label"], seed=7))

    assert first == second


def test_no_duplicates_epoch_changes_order():
    sampler = NoDuplicatesBatchSampler(duplicate_heavy_dataset(), 4, False, ["label"], seed=7)
    first = list(sampler)

    sampler.set_epoch(1)

    assert list(sampler) != first


def test_no_duplicates_drop_last_reaches_length():
    sampler = NoDuplicatesBatchSampler(duplicate_heavy_dataset(), 4, True, ["label"], seed=0)

    batches = list(sampler)

    assert len(batches) == len(sampler) == 7
    assert all(len(batch) == 4 for batch in batches)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("batch_size", [4, 6])
def test_group_by_label_two_labels_two_rows(seed, batch_size):
    dataset = labelled_dataset()
    sampler = GroupByLabelBatchSampler(dataset, batch_size=batch_size, drop_last=False, valid_label_columns=["label"], seed=seed)

    batches = list(sampler)

    assert len(batches) == len(sampler)
    for batch in batches:
        counts = Counter(dataset[index]["label"] for index in batch)
        assert len(counts) >= 2, (seed, batch, counts)
        assert min(counts.values()) >= 2, (seed, batch, counts)


@pytest.mark.parametrize("seed", SEEDS)
def test_group_by_label_skips_singletons(seed):
    dataset = labelled_dataset()
    sampler = GroupByLabelBatchSampler(dataset, batch_size=4, drop_last=False, valid_label_columns=["label"], seed=seed)

    indices = [index for batch in sampler for index in batch]

    assert len(indices) == len(set(indices))
    assert 19 not in indices


def test_group_by_label_full_batches_with_drop_last():
    sampler = GroupByLabelBatchSampler(labelled_dataset(), batch_size=4, drop_last=True, valid_label_columns=["label"], seed=0)

    assert all(len(batch) == 4 for batch in sampler)


def test_group_by_label_same_seed_same_batches():
    first = list(GroupByLabelBatchSampler(labelled_dataset(), 4, False, ["label"], seed=3))
    second = list(GroupByLabelBatchSampler(labelled_dataset(), 4, False, ["label"], seed=3))

    assert first == second


def test_group_by_label_odd_batch_size_raises():
    with pytest.raises(ValueError, match="even batch_size"):
        GroupByLabelBatchSampler(labelled_dataset(), batch_size=5, drop_last=False, valid_label_columns=["label"])


def test_group_by_label_one_label_raises():
    dataset = Dataset.from_dict({"text": ["a", "b", "c"], "label": [1, 1, 1]})

    with pytest.raises(ValueError, match="at least 2 labels"):
        GroupByLabelBatchSampler(dataset, batch_size=4, drop_last=False, valid_label_columns=["label"])


def test_group_by_label_missing_column_raises():
    with pytest.raises(ValueError, match="label columns"):
        GroupByLabelBatchSampler(labelled_dataset(), batch_size=4, drop_last=False, valid_label_columns=["score"])


def test_enum_selects_sampler_classes():
    assert batch_sampler_class(BatchSamplers.NO_DUPLICATES) is NoDuplicatesBatchSampler
    assert batch_sampler_class(BatchSamplers.GROUP_BY_LABEL) is GroupByLabelBatchSampler
    assert batch_sampler_class("group_by_label") is GroupByLabelBatchSampler
