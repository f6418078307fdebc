"""Fixtures for the reference implementation's own tests: a tiny BERT saved once per session."""

from __future__ import annotations

import random

import pytest
import torch
from st_tiny_models import all_sentences, build_tiny_bert

from reference import SentenceTransformer
from reference.models import Pooling, Transformer


@pytest.fixture(scope="session")
def bert_folder(tmp_path_factory):
    """Folder of a plain transformers tiny BERT with dropout off."""
    folder = tmp_path_factory.mktemp("tiny_bert")
    build_tiny_bert(folder, all_sentences())
    return folder


@pytest.fixture(scope="session")
def st_folder(bert_folder, tmp_path_factory):
    """Folder of a SentenceTransformer (tiny BERT + mean pooling) saved by the reference."""
    transformer = Transformer(str(bert_folder))
    pooling = Pooling(transformer.get_word_embedding_dimension(), pooling_mode="mean")
    folder = tmp_path_factory.mktemp("tiny_st")
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(folder))
    return folder


@pytest.fixture
def model(st_folder):
    """A fresh reference SentenceTransformer loaded from the saved tiny model."""
    random.seed(0)
    torch.manual_seed(0)
    return SentenceTransformer(str(st_folder), device="cpu")
