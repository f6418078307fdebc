"""Fixtures for the tests of the reference evaluators, data sets, samplers and extra losses."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import torch
from transformers import BertConfig, BertModel, BertTokenizerFast

from reference import SentenceTransformer
from reference.models import Pooling, Transformer

REPO_ROOT = Path(__file__).resolve().parents[3]

# Every word of these sentences is in the tiny vocabulary, so no test text maps to [UNK].
SENTENCES = [
    "a man is eating food",
    "a man is eating a piece of bread",
    "the girl is carrying a baby",
    "a man is riding a horse",
    "a woman is playing violin",
    "two men pushed carts through the woods",
    "a man is riding a white horse on an enclosed ground",
    "a monkey is playing drums",
    "a cheetah is running behind its prey",
    "the cat sleeps on the sofa",
    "children play in the park",
    "the train leaves at noon",
]

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def build_vocab(sentences: list[str]) -> list[str]:
    """Return the special tokens followed by every distinct word of ``sentences``, sorted."""
    words = sorted({word for sentence in sentences for word in re.findall(r"\w+|[^\w\s]", sentence.lower())})
    return SPECIAL_TOKENS + words


def write_tiny_bert(folder: Path, sentences: list[str], seed: int = 0, hidden_size: int = 16) -> Path:
    """Save a 1-layer BERT with a WordPiece vocabulary of ``sentences`` to ``folder``; return ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    vocab_file = folder / "vocab.txt"
    vocab_file.write_text("\n".join(build_vocab(sentences)) + "\n", encoding="utf-8")
    # transformers 5 ignores BertTokenizerFast(vocab_file=...) and maps every word to [UNK];
    # loading the folder reads vocab.txt in both 4.x and 5.x.
    tokenizer = BertTokenizerFast.from_pretrained(str(folder))

    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden_size,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=2 * hidden_size,
        max_position_embeddings=64,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
    )
    torch.manual_seed(seed)
    BertModel(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_bert_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder of a tiny BERT whose vocabulary covers ``SENTENCES``."""
    return write_tiny_bert(tmp_path_factory.mktemp("tiny_bert"), SENTENCES)


def load_tiny_model(folder: Path) -> SentenceTransformer:
    """Return a reference SentenceTransformer (Transformer + mean Pooling) on CPU from ``folder``."""
    transformer = Transformer(str(folder))
    pooling = Pooling(transformer.get_word_embedding_dimension())
    return SentenceTransformer(modules=[transformer, pooling], device="cpu")


@pytest.fixture
def tiny_model(tiny_bert_dir: Path) -> SentenceTransformer:
    """A fresh tiny reference model per test, so training in one test never leaks into another."""
    return load_tiny_model(tiny_bert_dir)


def shared_data_dir() -> Path:
    """Folder of the shared real data sets: ``CONFORMANCE_DATA_DIR``, else ``../shared/data`` from the repository root."""
    configured = os.environ.get("CONFORMANCE_DATA_DIR")
    return Path(configured) if configured else REPO_ROOT.parent / "shared" / "data"

