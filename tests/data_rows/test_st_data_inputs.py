"""Data fixtures and row-specific inputs of the st.data.* scenarios."""

from __future__ import annotations

from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest

import st_data_DenoisingAutoEncoderDataset as denoising
import st_data_NoDuplicatesDataLoader as no_duplicates
import st_data_ParallelSentencesDataset as parallel
import st_data_SentenceLabelDataset as sentence_label
from conformance.fixtures import data, models


def key(text):
    return text.strip().lower()


def test_tiny_pairs_train_distinct():
    pairs = data.load("st-data-pairs-tiny", None)

    texts = [key(text) for row in pairs["train"] for text in row]
    assert len(texts) == len(set(texts))


def test_tiny_pairs_study_repeats_anchors():
    pairs = data.load("st-data-pairs-tiny", None)

    counts = Counter(anchor for anchor, _ in pairs["study"])
    assert len(pairs["study"]) == 32
    assert set(counts.values()) == {2}


def test_tiny_labelled_shapes():
    labelled = data.load("st-data-labelled-tiny", None)

    assert set(Counter(label for _, label in labelled["train"]).values()) == {2}
    study_counts = Counter(label for _, label in labelled["study"])
    assert sorted(study_counts.values()) == [1, 4, 4, 4, 4, 4, 4]


def test_tiny_parallel_words_in_vocabulary():
    vocabulary = set(models.build_vocabulary(data.tiny_vocabulary_texts()))
    german = [row[1] for row in data.load("st-data-parallel-tiny", None)["parallel"]]

    for word in {word.strip(".").lower() for text in german for word in text.split()}:
        assert word in vocabulary, word


def test_no_duplicates_case_variants():
    ctx = SimpleNamespace(data=data.load("st-data-pairs-tiny", None))

    rows = no_duplicates.rows_for(ctx, "case-duplicates")
    anchors = [anchor for anchor, _ in rows]

    assert len(rows) == 16
    assert len(set(anchors)) == 16
    assert len({key(anchor) for anchor in anchors}) == 8


def test_no_duplicates_one_anchor():
    ctx = SimpleNamespace(data=data.load("st-data-pairs-tiny", None))

    rows = no_duplicates.rows_for(ctx, "one-anchor")

    assert len({anchor for anchor, _ in rows}) == 1
    assert len({other for _, other in rows}) == 8


def test_sentence_label_three_per_label():
    ctx = SimpleNamespace(data=data.load("st-data-labelled-tiny", None))

    rows = sentence_label.rows_for(ctx, "three-per-label")

    assert set(Counter(label for _, label in rows).values()) == {3}
    assert len(rows) == 18


def test_parallel_case_variants():
    ctx = SimpleNamespace(data=data.load("st-data-parallel-tiny", None))

    rows = parallel.rows_for(ctx, "case-duplicates")

    assert len(rows) == 16
    assert len({key(english) for english, _ in rows}) == 8


def test_parallel_targets_digest():
    recorded = {"texts": [["b", "a"], ["d", "c"]], "labels": [[3.0, 4.0], [0.0, 1.0]]}

    pairs = parallel.text_targets(recorded)

    assert [text for text, _, _ in pairs] == ["a", "b", "c", "d"]
    assert pairs[0][1:] == pairs[2][1:]
    assert pairs[1][1] == pytest.approx(5.0)
    assert pairs[0][2] == pytest.approx(np.cos(1.0))


def test_add_noise_keeps_a_word():
    np.random.seed(0)

    outputs = [denoising.add_noise({"text": "one two three"}, del_ratio=0.999)["noisy"] for _ in range(20)]

    assert all(len(output.split()) == 1 for output in outputs)
    assert all(output in {"one", "two", "three"} for output in outputs)


def test_add_noise_blank_text():
    assert denoising.add_noise({"text": "   "}) == {"noisy": "   "}


def test_add_noise_ratio_zero():
    np.random.seed(1)

    assert denoising.add_noise({"text": "a b c d"}, del_ratio=0.0) == {"noisy": "a b c d"}


def test_noise_summary_figures():
    summary = denoising.noise_summary([("a c", "a b c"), ("c a", "a b c"), ("b", "a b c")])

    assert summary["words"] == 9
    assert summary["words_kept"] == 5
    assert summary["one_word_outputs"] == 1
    assert summary["not_in_order_selections"] == 1


def test_group_by_label_empty_dataset():
    from datasets import Dataset

    from reference.sampler import GroupByLabelBatchSampler

    empty = Dataset.from_dict({"sentence": [], "label": []})

    with pytest.raises(ValueError, match="at least 2 labels"):
        GroupByLabelBatchSampler(empty, batch_size=4, drop_last=False, valid_label_columns=["label"])
