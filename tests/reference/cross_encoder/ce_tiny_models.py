"""Tiny CrossEncoder models and labelled pairs for the CrossEncoder tests of the reference."""

from __future__ import annotations

import re
from pathlib import Path

import torch
from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

# (first text, second text, binary label, gold similarity, class index of three)
PAIR_ROWS = [
    ("what are pandas", "pandas are bears that eat bamboo", 1, 0.9, 0),
    ("what are pandas", "the train leaves at noon", 0, 0.1, 1),
    ("a man is eating food", "a man eats a piece of bread", 1, 0.8, 0),
    ("a man is eating food", "the girl is carrying a baby", 0, 0.2, 2),
    ("a woman is playing violin", "a woman plays music", 1, 0.7, 0),
    ("a woman is playing violin", "children play in the park", 0, 0.3, 1),
    ("the cat sleeps on the sofa", "a cat is sleeping", 1, 0.85, 0),
    ("the cat sleeps on the sofa", "a monkey is playing drums", 0, 0.05, 2),
    ("two men pushed carts", "men push carts through the woods", 1, 0.75, 1),
    ("a man is riding a horse", "the train leaves at noon", 0, 0.15, 2),
]
PAIRS = [(first, second) for first, second, _, _, _ in PAIR_ROWS]
BINARY_LABELS = [row[2] for row in PAIR_ROWS]
GOLD_SCORES = [row[3] for row in PAIR_ROWS]
CLASS_LABELS = [row[4] for row in PAIR_ROWS]

RERANKING_SAMPLES = [
    {"query": "what are pandas", "positive": ["pandas are bears that eat bamboo"],
     "negative": ["the train leaves at noon", "a monkey is playing drums", "a cat is sleeping"]},
    {"query": "a man is eating food", "positive": ["a man eats a piece of bread", "a man is eating"],
     "negative": ["the girl is carrying a baby", "children play in the park"]},
    {"query": "a woman is playing violin", "positive": ["a woman plays music"],
     "negative": ["men push carts through the woods", "the cat sleeps on the sofa", "a man is riding a horse"]},
]

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def all_texts() -> list[str]:
    """Every text of the pairs and the reranking samples."""
    texts = [text for pair in PAIRS for text in pair]
    for sample in RERANKING_SAMPLES:
        texts += [sample["query"], *sample["positive"], *sample["negative"]]
    return texts


def build_tokenizer(vocab_file: Path) -> BertTokenizerFast:
    """Return a WordPiece tokenizer over ``vocab_file``, checking that the vocabulary was really read.

    transformers 5 takes the file as ``vocab``. Given ``vocab_file``, it silently keeps only the five
    special tokens, so every word would become [UNK]. transformers 4 takes ``vocab_file``.
    """
    expected_size = len(vocab_file.read_text(encoding="utf-8").split())
    for kwargs in ({"vocab": str(vocab_file)}, {"vocab_file": str(vocab_file)}):
        try:
            tokenizer = BertTokenizerFast(**kwargs)
        except (TypeError, ValueError, OSError):
            continue
        if len(tokenizer) == expected_size:
            return tokenizer
    raise RuntimeError(f"BertTokenizerFast did not read the {expected_size} tokens of {vocab_file}.")


def build_tiny_cross_encoder(folder: Path, num_labels: int = 1, seed: int = 0, dropout: float = 0.0) -> Path:
    """Save a 1-layer, hidden-16 BertForSequenceClassification and its tokenizer into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    words = sorted({word for text in all_texts() for word in re.findall(r"\w+", text.lower())})
    vocab_file = folder / "vocab.txt"
    vocab_file.write_text("\n".join(SPECIAL_TOKENS + words) + "\n", encoding="utf-8")
    tokenizer = build_tokenizer(vocab_file)

    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        hidden_dropout_prob=dropout,
        attention_probs_dropout_prob=dropout,
        num_labels=num_labels,
        # A wider initialization than BERT's 0.02 spreads the scores of different pairs apart.
        initializer_range=0.2,
    )
    torch.manual_seed(seed)
    BertForSequenceClassification(config).save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))
    return folder


def max_weight_difference(first: torch.nn.Module, second: torch.nn.Module) -> float:
    """Return the largest absolute difference between matching tensors of two state dicts."""
    first_state, second_state = first.state_dict(), second.state_dict()
    assert first_state.keys() == second_state.keys()
    return max((first_state[key].double() - second_state[key].double()).abs().max().item() for key in first_state)
