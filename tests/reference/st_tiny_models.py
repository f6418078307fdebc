"""Tiny models and sentences for the reference implementation's own tests."""

from __future__ import annotations

import torch
from transformers import BertConfig, BertModel, BertTokenizerFast

TRIPLETS = [
    ("a person on a horse jumps over a broken airplane", "a person is outdoors on a horse", "a person is at a diner"),
    ("children smiling and waving at the camera", "there are children present", "the kids are frowning"),
    ("a man is playing a guitar on stage", "a musician performs music", "a man sleeps in his bed"),
    ("two dogs run through a snowy field", "animals are outside in the snow", "the cats sit on a sofa"),
    ("a woman slices a red tomato", "someone is cutting food", "a woman drives a car"),
    ("the boy kicks a ball in the park", "a child plays football outside", "the boy reads a book indoors"),
    ("an old man fishes from a boat", "a person is on the water", "an old man walks in a desert"),
    ("a chef cooks pasta in a kitchen", "food is being prepared", "a chef swims in a lake"),
]

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def write_vocab(path, sentences) -> None:
    """Write a WordPiece vocab.txt with the special tokens and every word of ``sentences``."""
    words = sorted({word for sentence in sentences for word in sentence.lower().split()})
    path.write_text("\n".join(SPECIAL_TOKENS + words) + "\n", encoding="utf-8")


def build_tiny_bert(folder, sentences, seed: int = 0, dropout: float = 0.0) -> None:
    """Save a 1-layer, hidden-16 BERT and its tokenizer into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    write_vocab(folder / "vocab.txt", sentences)
    # transformers 5.x ignores `vocab_file=` in the BertTokenizerFast constructor and keeps only
    # the special tokens, so the tokenizer is loaded from the folder instead.
    tokenizer = BertTokenizerFast.from_pretrained(str(folder))
    expected = len((folder / "vocab.txt").read_text(encoding="utf-8").splitlines())
    if len(tokenizer) != expected:
        raise RuntimeError(f"tokenizer read {len(tokenizer)} tokens from {folder / 'vocab.txt'}, expected {expected}")

    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        hidden_dropout_prob=dropout,
        attention_probs_dropout_prob=dropout,
    )
    BertModel(config).save_pretrained(str(folder))
    tokenizer.save_pretrained(str(folder))


def all_sentences() -> list[str]:
    return [text for row in TRIPLETS for text in row]


def triplet_examples():
    """The triplets as legacy ``InputExample`` objects."""
    from reference import InputExample

    return [InputExample(texts=list(row)) for row in TRIPLETS]


def triplet_dataset():
    """The triplets as a ``datasets.Dataset`` with anchor, positive and negative columns."""
    from datasets import Dataset

    return Dataset.from_list([{"anchor": a, "positive": p, "negative": n} for a, p, n in TRIPLETS])


def max_abs_weight_difference(first, second) -> float:
    """Return the largest absolute difference between two models' parameters of the same name."""
    first_state, second_state = first.state_dict(), second.state_dict()
    return max((first_state[name] - second_state[name]).abs().max().item() for name in first_state)


class RecordingEvaluator:
    """Evaluator stub that records its calls and returns scores from a fixed list.

    Args:
        scores: Scores to return, one per call; the last one repeats.
        as_dict: Return ``{"tiny_score": score}`` with ``primary_metric = "tiny_score"`` (the
            sentence-transformers 3 form) instead of a float (the 2.x form).
    """

    def __init__(self, scores: list[float], as_dict: bool = False) -> None:
        self.scores = scores
        self.as_dict = as_dict
        self.primary_metric = "tiny_score"
        self.calls: list[dict] = []

    def __call__(self, model, output_path=None, epoch: float = -1, steps: int = -1):
        score = self.scores[min(len(self.calls), len(self.scores) - 1)]
        self.calls.append({"output_path": output_path, "epoch": epoch, "steps": steps, "training": model.training})
        return {self.primary_metric: score} if self.as_dict else score
