"""Legacy data sets and data loaders of the ``fit`` API, importable as ``sentence_transformers.datasets``."""

from __future__ import annotations

from .denoising_auto_encoder import DenoisingAutoEncoderDataset
from .no_duplicates_dataloader import NoDuplicatesDataLoader
from .parallel_sentences import ParallelSentencesDataset
from .sentence_label import SentenceLabelDataset
from .sentences import SentencesDataset

__all__ = [
    "DenoisingAutoEncoderDataset",
    "NoDuplicatesDataLoader",
    "ParallelSentencesDataset",
    "SentenceLabelDataset",
    "SentencesDataset",
]
