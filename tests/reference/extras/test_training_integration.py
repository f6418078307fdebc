"""The extra losses, data sets, samplers and evaluators inside the legacy fit loop and the Trainer."""

from __future__ import annotations

import random
from collections import Counter

import numpy as np
import torch
from datasets import Dataset
from torch import nn
from torch.utils.data import DataLoader

from reference import InputExample
from reference.datasets import NoDuplicatesDataLoader, SentenceLabelDataset
from reference.evaluation import EmbeddingSimilarityEvaluator
from reference.losses import BatchHardTripletLoss, MultipleNegativesRankingLoss, SoftmaxLoss
from reference.trainer import SentenceTransformerTrainer
from reference.training_args import BatchSamplers, SentenceTransformerTrainingArguments

from conftest import SENTENCES


class RecordingLoss(nn.Module):
    """Wraps a loss and records the input ids and labels of every batch it receives."""

    def __init__(self, loss: nn.Module) -> None:
        super().__init__()
        self.loss = loss
        self.batches: list[tuple[list[torch.Tensor], torch.Tensor | None]] = []

    def forward(self, sentence_features, labels):
        self.batches.append(([features["input_ids"].clone() for features in sentence_features], labels))
        return self.loss(sentence_features, labels)


def unpadded_rows(columns: list[torch.Tensor]) -> list[tuple[int, ...]]:
    """Token ids of every text in a batch without padding (id 0), so equal texts compare equal across columns."""
    return [tuple(token for token in ids.tolist() if token != 0) for column in columns for ids in column]


def test_fit_trains_softmax_classifier(tiny_model):
    loss = SoftmaxLoss(tiny_model, tiny_model.get_sentence_embedding_dimension(), num_labels=3)
    before = loss.classifier.weight.detach().clone()
    examples = [InputExample(texts=[SENTENCES[i], SENTENCES[i + 1]], label=i % 3) for i in range(8)]

    tiny_model.fit([(DataLoader(examples, batch_size=4), loss)], epochs=1, warmup_steps=0, show_progress_bar=False)

    assert not torch.equal(loss.classifier.weight, before)


def test_fit_callback_gets_primary_metric(tiny_model):
    evaluator = EmbeddingSimilarityEvaluator(SENTENCES[:4], SENTENCES[4:8], [0.1, 0.5, 0.2, 0.9], name="sts")
    examples = [InputExample(texts=[SENTENCES[i], SENTENCES[i + 1]]) for i in range(4)]
    scores = []

    tiny_model.fit(
        [(DataLoader(examples, batch_size=4), MultipleNegativesRankingLoss(tiny_model))],
        evaluator=evaluator, epochs=1, callback=lambda score, epoch, steps: scores.append(score), show_progress_bar=False,
    )  # fmt: skip

    assert evaluator.primary_metric == "sts_spearman_cosine"
    assert scores == [evaluator(tiny_model)["sts_spearman_cosine"]]


def test_fit_no_duplicates_loader_batches_unique(tiny_model):
    random.seed(0)
    examples = [InputExample(texts=[SENTENCES[i % 3], SENTENCES[3 + i % 7]]) for i in range(12)]
    loss = RecordingLoss(MultipleNegativesRankingLoss(tiny_model))

    tiny_model.fit([(NoDuplicatesDataLoader(examples, batch_size=3), loss)], epochs=1, show_progress_bar=False)

    assert len(loss.batches) == 4
    for columns, _ in loss.batches:
        rows = unpadded_rows(columns)
        assert len(rows) == len(set(rows))


def test_fit_label_dataset_batches_grouped(tiny_model):
    np.random.seed(0)
    examples = [InputExample(texts=[sentence], label=index % 3) for index, sentence in enumerate(SENTENCES)]
    loss = RecordingLoss(BatchHardTripletLoss(tiny_model))

    tiny_model.fit([(DataLoader(SentenceLabelDataset(examples), batch_size=4), loss)], epochs=1, show_progress_bar=False)

    assert len(loss.batches) == 3
    for _, labels in loss.batches:
        assert sorted(Counter(labels.tolist()).values()) == [2, 2]


def test_trainer_group_by_label_batches(tiny_model, tmp_path):
    dataset = Dataset.from_dict({"text": SENTENCES, "label": [index % 3 for index in range(len(SENTENCES))]})
    loss = RecordingLoss(BatchHardTripletLoss(tiny_model))
    args = SentenceTransformerTrainingArguments(
        output_dir=str(tmp_path), num_train_epochs=2, per_device_train_batch_size=4,
        batch_sampler=BatchSamplers.GROUP_BY_LABEL, report_to=[], save_strategy="no",
    )  # fmt: skip

    SentenceTransformerTrainer(model=tiny_model, args=args, train_dataset=dataset, loss=loss).train()

    assert len(loss.batches) == 6
    for _, labels in loss.batches:
        counts = Counter(labels.tolist())
        assert len(counts) >= 2
        assert min(counts.values()) >= 2


def test_trainer_no_duplicates_batches(tiny_model, tmp_path):
    dataset = Dataset.from_dict({
        "anchor": [SENTENCES[i % 4] for i in range(12)],
        "positive": [SENTENCES[4 + i % 8] for i in range(12)],
    })  # fmt: skip
    loss = RecordingLoss(MultipleNegativesRankingLoss(tiny_model))
    args = SentenceTransformerTrainingArguments(
        output_dir=str(tmp_path), num_train_epochs=1, per_device_train_batch_size=4,
        batch_sampler=BatchSamplers.NO_DUPLICATES, report_to=[], save_strategy="no",
    )  # fmt: skip

    SentenceTransformerTrainer(model=tiny_model, args=args, train_dataset=dataset, loss=loss).train()

    for columns, _ in loss.batches:
        rows = unpadded_rows(columns)
        assert len(rows) == len(set(rows))
