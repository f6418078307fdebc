"""Batch records, batch properties and guarded calls of the st.data.* scenarios (scenarios/_st_data.py)."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
import torch

import _st_data


class WordTokenizer:
    """A tokenizer stand-in: one id per lower-cased word, 0 as padding, decoded back to words."""

    def __init__(self) -> None:
        self.words = ["[PAD]"]

    def __call__(self, texts, truncation=True, max_length=None):
        ids = [[self._id(word) for word in text.lower().split()][:max_length] for text in texts]
        return {"input_ids": ids}

    def _id(self, word):
        if word not in self.words:
            self.words.append(word)
        return self.words.index(word)

    def batch_decode(self, rows, skip_special_tokens=True):
        rows = rows.tolist() if hasattr(rows, "tolist") else rows
        return [" ".join(self.words[i] for i in row if i) for row in rows]


def model_stand_in():
    return SimpleNamespace(tokenizer=WordTokenizer(), max_seq_length=16)


def batch(texts, labels=None):
    return {"texts": texts, "labels": labels}


class PositionalLoss(torch.nn.Module):
    def forward(self, sentence_features, labels):
        return labels


def test_recorder_training_batches():
    model = model_stand_in()
    ids = torch.tensor(model.tokenizer(["A man", "a dog"])["input_ids"])
    loss = PositionalLoss()
    recorder = _st_data.BatchRecorder(model)
    recorder.attach(loss)

    loss([{"input_ids": ids}], torch.tensor([3, 4]))
    with torch.no_grad():
        loss([{"input_ids": ids}], torch.tensor([3, 4]))

    assert len(recorder.batches) == 1
    assert recorder.batches[0]["texts"] == [["a man", "a dog"]]
    assert recorder.batches[0]["labels"] == [3, 4]


def test_recorder_keyword_inputs():
    model = model_stand_in()
    ids = torch.tensor(model.tokenizer(["one two"])["input_ids"])

    class KeywordLoss(torch.nn.Module):
        def forward(self, sentence_features, labels=None):
            return labels

    recorder = _st_data.BatchRecorder(model)
    recorder.attach(KeywordLoss())(sentence_features=[{"input_ids": ids}], labels=None)

    assert recorder.batches == [{"texts": [["one two"]], "labels": None}]


def test_examples_batch_normalizes_case():
    model = model_stand_in()
    examples = [SimpleNamespace(texts=["A Man ", "x"], label=0), SimpleNamespace(texts=["a man", "y"], label=1)]

    recorded = _st_data.batch_from_examples(model, examples)

    assert recorded["texts"] == [["a man", "a man"], ["x", "y"]]
    assert recorded["labels"] == [0, 1]


def test_collated_batch_column_order():
    tokenizer = WordTokenizer()
    collated = {
        "anchor_input_ids": torch.tensor(tokenizer(["first"])["input_ids"]),
        "anchor_attention_mask": torch.ones(1, 1),
        "positive_input_ids": torch.tensor(tokenizer(["second"])["input_ids"]),
        "label": torch.tensor([1.5]),
    }

    assert _st_data.batch_from_collated(tokenizer, collated) == {"texts": [["first"], ["second"]], "labels": [1.5]}


def test_sorted_rows_ignore_order():
    first = batch([["b", "a"], ["y", "x"]], [2, 1])
    second = batch([["a", "b"], ["x", "y"]], [1, 2])

    assert _st_data.sorted_rows(first) == _st_data.sorted_rows(second)
    assert _st_data.sorted_rows(first) == [["a", "x", 1], ["b", "y", 2]]
    assert _st_data.sorted_rows(first, labels=False) == [["a", "x"], ["b", "y"]]


def test_duplicate_count_across_columns():
    assert _st_data.duplicate_count(batch([["a", "b"], ["c", "d"]])) == 0
    assert _st_data.duplicate_count(batch([["a", "b"], ["b", "a"]])) == 2
    assert _st_data.duplicate_count(batch([["a", "a", "a"]])) == 2


def test_duplicate_summary_figures():
    batches = [batch([["a", "b"], ["c", "d"]]), batch([["e", "e"], ["f", "g"]]), batch([["h"], ["i"]])]

    summary = _st_data.duplicate_summary(batches, batch_size=2)

    assert summary["batches"] == 3
    assert summary["batches_with_duplicates"] == 1
    assert summary["duplicate_texts"] == 1
    assert summary["full_batches"] == 2
    assert summary["short_batches"] == 1
    assert summary["rows"] == 5


def test_label_summary_figures():
    batches = [batch([["a", "b", "c", "d"]], [0, 0, 1, 1]), batch([["e", "f", "g"]], [2, 2, 3]), batch([["h", "i"]], [4, 4])]

    summary = _st_data.label_summary(batches)

    assert summary["labels_with_one_example"] == 1
    assert summary["batches_with_one_label"] == 1
    assert summary["labels_seen"] == [0, 1, 2, 3, 4]
    assert summary["rows"] == 9


def test_coverage_summary_figures():
    batches = [batch([["a", "b"]], [0, 0]), batch([["a", "c"]], [0, 1])]

    summary = _st_data.coverage_summary(batches, usable_rows=5)

    assert summary["distinct_rows"] == 3
    assert summary["repeated_rows"] == 1
    assert summary["rows_left_out"] == 2


def test_study_totals_over_seeds():
    seen = []

    def epoch(seed):
        seen.append(seed)
        return [batch([["x"] * (seed + 1)], [seed])]

    result = _st_data.study(epoch, lambda batches: {"rows": len(batches[0]["texts"][0]), "labels": batches[0]["labels"]})

    assert seen == list(range(_st_data.STUDY_SEEDS))
    assert result["total"]["rows"] == sum(range(1, _st_data.STUDY_SEEDS + 1))
    assert result["total"]["labels"] == list(range(_st_data.STUDY_SEEDS))
    assert len(result["per_seed"]) == _st_data.STUDY_SEEDS


def test_observe_study_records_failure():
    ctx = SimpleNamespace(observations={}, shown={})
    ctx.observe = ctx.observations.__setitem__
    ctx.show = ctx.shown.__setitem__

    def epoch(_seed):
        raise ValueError("cannot fill a batch of 4")

    _st_data.observe_study(ctx, epoch, lambda batches: {}, ("rows",))

    assert ctx.observations["study_outcome"] == "raised ValueError: cannot fill a batch of 4"
    assert ctx.observations["study"] is None


def test_observe_study_without_figures():
    ctx = SimpleNamespace(observations={})
    ctx.observe = ctx.observations.__setitem__

    _st_data.observe_study(ctx, lambda seed: pytest.fail("the study must not run"), lambda batches: {}, ())

    assert ctx.observations == {}


def test_attempt_outcomes():
    assert _st_data.attempt(lambda: 7) == (7, "ok")
    assert _st_data.attempt(lambda: int("x")) == (None, "raised ValueError: invalid literal for int() with base 10: 'x'")


def test_run_guarded_modes():
    def fail():
        raise KeyError("label")

    assert _st_data.run_guarded(lambda: None) == "ok"
    assert _st_data.run_guarded(fail) == "raised KeyError: 'label'"
    with pytest.raises(KeyError):
        _st_data.run_guarded(fail, guarded=False)


def test_attempt_within_returns_result():
    assert _st_data.attempt_within(lambda: "done", seconds=5) == ("done", "ok")


def test_attempt_within_gives_up():
    release = threading.Event()
    started = time.monotonic()

    value, outcome = _st_data.attempt_within(release.wait, seconds=0.2)
    release.set()

    assert value is None
    assert outcome == "no result after 0.2 s (the call loops)"
    assert time.monotonic() - started < 5
