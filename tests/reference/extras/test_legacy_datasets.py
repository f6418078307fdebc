"""Legacy data sets and the no-duplicates data loader of the fit API."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import pytest

from reference import InputExample
from reference.datasets import (
    DenoisingAutoEncoderDataset,
    NoDuplicatesDataLoader,
    ParallelSentencesDataset,
    SentenceLabelDataset,
    SentencesDataset,
)
from reference.datasets.denoising_auto_encoder import delete_words

from fake_encoder import FixedEmbeddingModel


def labelled_examples(counts: dict[int, int]) -> list[InputExample]:
    """``counts[label]`` examples per label, texts ``"<label>-<i>"``."""
    return [InputExample(texts=[f"{label}-{i}"], label=label) for label, count in counts.items() for i in range(count)]


def test_label_dataset_yields_groups():
    np.random.seed(0)
    dataset = SentenceLabelDataset(labelled_examples({0: 4, 1: 4, 2: 6}), samples_per_label=2)

    labels = [example.label for example in dataset]

    assert len(labels) == len(dataset) == 14
    groups = [labels[i : i + 2] for i in range(0, len(labels), 2)]
    assert all(group[0] == group[1] for group in groups), groups


def test_label_dataset_groups_are_distinct_examples():
    np.random.seed(1)
    dataset = SentenceLabelDataset(labelled_examples({0: 3, 1: 5}), samples_per_label=3)

    texts = [example.texts[0] for example in dataset]

    groups = [texts[i : i + 3] for i in range(0, len(texts), 3)]
    assert all(len(set(group)) == 3 for group in groups), groups


def test_label_dataset_drops_small_labels():
    np.random.seed(0)
    dataset = SentenceLabelDataset(labelled_examples({0: 1, 1: 2, 2: 2}), samples_per_label=2)

    assert len(dataset) == 4
    assert {example.label for example in dataset} == {1, 2}


def test_label_dataset_same_seed_same_order():
    examples = labelled_examples({0: 4, 1: 4, 2: 4})
    orders = []
    for _ in range(2):
        np.random.seed(5)
        orders.append([example.texts[0] for example in SentenceLabelDataset(examples)])

    assert orders[0] == orders[1]


def test_noise_keeps_at_least_one_word():
    rng = np.random.default_rng(0)

    noisy = [delete_words("a man is eating food", del_ratio=0.99, rng=rng) for _ in range(50)]

    assert all(len(text.split()) == 1 for text in noisy)


def test_noise_deletes_only_whole_words():
    rng = np.random.default_rng(3)
    words = "two men pushed carts through the woods".split()

    noisy = delete_words(" ".join(words), rng=rng).split()

    positions = [words.index(word) for word in noisy]
    assert positions == sorted(positions)


def test_noise_same_seed_same_text():
    np.random.seed(11)
    first = [DenoisingAutoEncoderDataset.delete("two men pushed carts through the woods") for _ in range(5)]
    np.random.seed(11)
    second = [DenoisingAutoEncoderDataset.delete("two men pushed carts through the woods") for _ in range(5)]

    assert first == second


def test_noise_matches_known_draw():
    # sentence-transformers 2.7.0 (NLTK Treebank tokenizer) returns the same for this seed and text.
    np.random.seed(0)

    assert DenoisingAutoEncoderDataset(["a man is eating food"])[0].texts == ["man is", "a man is eating food"]


def test_noise_deletion_ratio_near_setting():
    rng = np.random.default_rng(0)
    sentence = " ".join(f"w{i}" for i in range(1000))

    kept_words = len(delete_words(sentence, del_ratio=0.6, rng=rng).split())

    assert 350 <= kept_words <= 450


def test_denoising_dataset_custom_noise():
    dataset = DenoisingAutoEncoderDataset(["Hello World"], noise_fn=str.lower)

    assert dataset[0].texts == ["hello world", "Hello World"]
    assert len(dataset) == 1


def duplicate_heavy_examples() -> list[InputExample]:
    # Only 5 distinct anchors (some differing in case or spaces) across 20 examples.
    anchors = ["cat", "Cat ", "dog", "bird", "fish"]
    return [InputExample(texts=[anchors[i % 5], f"positive {i % 8}"]) for i in range(20)]


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_no_duplicates_loader_batches_unique(seed):
    random.seed(seed)
    loader = NoDuplicatesDataLoader(duplicate_heavy_examples(), batch_size=4)

    batches = list(loader)

    assert len(batches) == len(loader) == 5
    for batch in batches:
        texts = [text.strip().lower() for example in batch for text in example.texts]
        assert len(texts) == len(set(texts)), texts


def test_no_duplicates_loader_keeps_caller_list():
    examples = duplicate_heavy_examples()
    original = list(examples)

    NoDuplicatesDataLoader(examples, batch_size=4)

    assert examples == original


def test_no_duplicates_loader_applies_collate():
    random.seed(0)
    loader = NoDuplicatesDataLoader(duplicate_heavy_examples(), batch_size=2)
    loader.collate_fn = len

    assert list(loader) == [2] * 10


def test_no_duplicates_loader_too_few_texts_raises():
    examples = [InputExample(texts=["same", f"other {i}"]) for i in range(6)]
    loader = NoDuplicatesDataLoader(examples, batch_size=2)

    with pytest.raises(ValueError, match="too few distinct texts"):
        list(loader)


def test_parallel_dataset_labels_are_teacher_embeddings(tmp_path):
    teacher = FixedEmbeddingModel({"hello": [1.0, 0.0], "bye": [0.0, 1.0]})
    path = tmp_path / "en-de.tsv"
    path.write_text("hello\thallo\nbye\ttschüss\n", encoding="utf-8")
    dataset = ParallelSentencesDataset(student_model=None, teacher_model=teacher)
    random.seed(0)

    dataset.load_data(str(path), weight=2)
    examples = [dataset[index] for index in range(len(dataset))]

    assert len(dataset) == 4
    targets = {example.texts[0]: example.label.tolist() for example in examples}
    assert targets == {"hello": [1.0, 0.0], "hallo": [1.0, 0.0], "bye": [0.0, 1.0], "tschüss": [0.0, 1.0]}


def test_parallel_dataset_caches_teacher():
    teacher = FixedEmbeddingModel({"hello": [1.0, 0.0], "bye": [0.0, 1.0]})
    dataset = ParallelSentencesDataset(student_model=None, teacher_model=teacher)
    dataset.add_dataset([["hello", "hallo"], ["bye", "tschüss"]], weight=2)

    for index in range(12):
        dataset[index]

    assert teacher.encode_calls == 1


def test_parallel_dataset_skips_long_rows():
    teacher = FixedEmbeddingModel({"hi": [1.0]})
    dataset = ParallelSentencesDataset(student_model=None, teacher_model=teacher)

    dataset.add_dataset([["hi", "hallo"], ["hi there", "x" * 200]], max_sentence_length=128)

    assert len(dataset) == 2


def test_parallel_dataset_weight_sets_block_mix():
    teacher = FixedEmbeddingModel({"a": [1.0], "b": [2.0]})
    dataset = ParallelSentencesDataset(student_model=None, teacher_model=teacher)
    dataset.add_dataset([["a"]], weight=3)
    dataset.add_dataset([["b"]], weight=1)

    dataset.generate_data()

    assert Counter(example.texts[0] for example in dataset.cache) == {"a": 3, "b": 1}


def test_sentences_dataset_wraps_list():
    examples = [InputExample(texts=["a", "b"]), InputExample(texts=["c", "d"])]
    dataset = SentencesDataset(examples, model=None)

    assert len(dataset) == 2
    assert dataset[1] is examples[1]
