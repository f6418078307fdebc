"""Legacy data set for multilingual distillation: translations labelled with the teacher's embedding."""

from __future__ import annotations

import gzip
import logging
import random
from collections.abc import Sequence
from typing import Any

import numpy as np
from torch.utils.data import Dataset

from ..readers import InputExample

logger = logging.getLogger(__name__)


class ParallelSentencesDataset(Dataset):
    """Parallel sentences whose label is the teacher's embedding of the source sentence.

    Each row contains a source sentence (first column) and its translations. Every sentence of the
    row, the source included, becomes ``InputExample(texts=[sentence], label=teacher_embedding)``,
    so that :class:`~reference.losses.MSELoss` pulls the student's embedding of each translation
    towards the teacher's embedding of the source.

    Examples are produced in blocks: one block takes the next ``weight`` rows of every data set,
    encodes their sources with the teacher, and shuffles the resulting examples with Python's global
    ``random`` module. ``__getitem__`` ignores its index and pops the next cached example, as
    sentence-transformers 2.7.0 does, so use it with a DataLoader without a shuffling sampler. A data
    set that runs out of rows starts over in a reshuffled order. ``random.seed`` makes the order
    reproducible. Unlike 2.7.0, the sentences of a row keep their file order (2.7.0 kept them in a
    set, whose order changes between Python processes).

    Args:
        student_model: The model being trained (kept for the 2.7.0 signature).
        teacher_model: Any object with ``encode(sentences, batch_size=..., show_progress_bar=...,
            convert_to_numpy=True)``.
        batch_size: Batch size for the teacher's ``encode`` calls.
        use_embedding_cache: Encode each source sentence once and reuse its embedding.

    Example:
        >>> dataset = ParallelSentencesDataset(student, teacher, batch_size=32)  # doctest: +SKIP
        >>> dataset.load_data("en-de.tsv")  # doctest: +SKIP
        >>> loader = DataLoader(dataset, batch_size=16)  # doctest: +SKIP
    """

    def __init__(self, student_model: Any, teacher_model: Any, batch_size: int = 8, use_embedding_cache: bool = True) -> None:
        self.student_model = student_model
        self.teacher_model = teacher_model
        self.batch_size = batch_size
        self.use_embedding_cache = use_embedding_cache
        self.embedding_cache: dict[str, np.ndarray] = {}

        self.datasets: list[list[tuple[str, list[str]]]] = []
        self.datasets_iterator: list[int] = []
        self.dataset_indices: list[int] = []
        self.cache: list[InputExample] = []
        self.num_sentences = 0

    def load_data(
        self, filepath: str, weight: int = 100, max_sentences: int | None = None, max_sentence_length: int | None = 128
    ) -> None:
        """Read a tab-separated file (optionally ``.gz``): a source sentence and its translations per line.

        Args:
            filepath: Path of the ``.tsv``/``.txt``/``.csv`` or ``.gz`` file.
            weight: Rows taken from this data set per block; higher means sampled more often.
            max_sentences: Keep at most this many rows (None or 0: all).
            max_sentence_length: Skip rows with a sentence longer than this many characters (None or 0: no limit).
        """
        logger.info("Loading parallel sentences from %s", filepath)
        opener = gzip.open if filepath.endswith(".gz") else open
        rows: list[list[str]] = []
        with opener(filepath, "rt", encoding="utf8") as handle:
            for line in handle:
                sentences = line.strip().split("\t")
                if _too_long(sentences, max_sentence_length):
                    continue
                rows.append(sentences)
                if max_sentences and len(rows) >= max_sentences:
                    break

        self.add_dataset(rows, weight=weight, max_sentences=max_sentences, max_sentence_length=max_sentence_length)

    def add_dataset(
        self,
        parallel_sentences: Sequence[Sequence[str]],
        weight: int = 100,
        max_sentences: int | None = None,
        max_sentence_length: int | None = 128,
    ) -> None:
        """Add rows of parallel sentences (source first) as one more weighted data set.

        Rows with the same source are merged; duplicate sentences within a source are kept once.
        """
        by_source: dict[str, dict[str, None]] = {}
        for sentences in parallel_sentences:
            if _too_long(sentences, max_sentence_length):
                continue
            by_source.setdefault(sentences[0], {}).update(dict.fromkeys(sentences))
            if max_sentences and len(by_source) >= max_sentences:
                break

        if not by_source:
            return

        self.num_sentences += sum(len(sentences) for sentences in by_source.values())
        self.dataset_indices.extend([len(self.datasets)] * weight)
        self.datasets.append([(source, list(sentences)) for source, sentences in by_source.items()])
        self.datasets_iterator.append(0)

    def generate_data(self) -> None:
        """Fill the cache with one block of labelled examples, shuffled."""
        entries = [self.next_entry(dataset_index) for dataset_index in self.dataset_indices]
        embeddings = self.get_embeddings([source for source, _ in entries])

        for embedding, (_, sentences) in zip(embeddings, entries):
            self.cache.extend(InputExample(texts=[sentence], label=embedding) for sentence in sentences)
        random.shuffle(self.cache)

    def next_entry(self, dataset_index: int) -> tuple[str, list[str]]:
        """Return the next (source, sentences) row of a data set, reshuffling it when it wraps."""
        rows = self.datasets[dataset_index]
        entry = rows[self.datasets_iterator[dataset_index]]

        self.datasets_iterator[dataset_index] += 1
        if self.datasets_iterator[dataset_index] >= len(rows):
            self.datasets_iterator[dataset_index] = 0
            random.shuffle(rows)
        return entry

    def get_embeddings(self, sentences: list[str]) -> list[np.ndarray]:
        """Return the teacher's embedding of each sentence, from the cache when enabled."""
        if not self.use_embedding_cache:
            return list(self._encode(sentences))

        new_sentences = list(dict.fromkeys(sentence for sentence in sentences if sentence not in self.embedding_cache))
        if new_sentences:
            self.embedding_cache.update(zip(new_sentences, self._encode(new_sentences)))
        return [self.embedding_cache[sentence] for sentence in sentences]

    def _encode(self, sentences: list[str]) -> np.ndarray:
        return self.teacher_model.encode(
            sentences, batch_size=self.batch_size, show_progress_bar=False, convert_to_numpy=True
        )

    def __len__(self) -> int:
        return self.num_sentences

    def __getitem__(self, index: int) -> InputExample:
        if not self.cache:
            self.generate_data()
        return self.cache.pop()


def _too_long(sentences: Sequence[str], max_sentence_length: int | None) -> bool:
    return bool(max_sentence_length) and max(len(sentence) for sentence in sentences) > max_sentence_length
