"""st.data.SentenceLabelDataset: the legacy data set against `batch_sampler=BatchSamplers.GROUP_BY_LABEL`.

Legacy: `SentenceLabelDataset(examples, samples_per_label=2)` in a DataLoader, a batch triplet loss
and `fit`. New: a `datasets.Dataset` of (sentence, label) rows and
`SentenceTransformerTrainingArguments(batch_sampler=BatchSamplers.GROUP_BY_LABEL)`.

Every case reads the batches of each side for seeds 0..7 on a study input, one epoch each, and
observes the figures the case is about. The default and loss cases also train.
"""

from conformance import Case, NegativeControl, Scenario, Tier

import _st_data

EPOCHS = 2
STUDY_BATCH_SIZE = 8
EMPTY_BATCH_SIZE = 8

# Observed study figures per case: the grouping promise, and how an epoch uses the examples.
PROMISE = ("labels_with_one_example", "batches_with_one_label", "labels_seen", "batches", "rows")
COVERAGE = ("distinct_rows", "repeated_rows", "rows_left_out", "batches_with_duplicates")

scenario = Scenario(
    row="st.data.SentenceLabelDataset",
    relation=(
        "Training: every label has exactly two examples and one batch holds the whole data set, so both sides "
        "train on the same (sentence, label) rows at every step (the recorded batches, sorted, match exactly) and "
        "the loss, learning rate, optimizer groups, final weights and held-out embeddings match within the fp32 "
        "tolerance. Batch composition: the legacy data set draws with NumPy's global random state and the "
        "sampler with a torch generator seeded with seed + epoch, so their batches cannot match by construction "
        "and are compared in distribution. Each side builds its batches for seeds 0..7 on six labels with four "
        "examples and one label with a single example (batch size 8) and reads one epoch: on both sides every label "
        "in a batch has at least two examples, every batch has at least two labels, the single-example label is "
        "never used, and the epoch has the same number of batches and rows. How often each example is used is "
        "shown here and compared in the coverage case."
    ),
    implicit_arguments={**_st_data.IMPLICIT_ARGUMENTS, "num_train_epochs": f"{EPOCHS}: passed to both sides"},
    negative_control=NegativeControl(
        {"group_by_label": False},
        "batch_sampler left at the Trainer's default, which splits a label's examples over batches",
    ),
    tiers={
        "tiny": Tier(model="tiny-bert", data="st-data-labelled-tiny", heldout="tiny-sts"),
        "real": Tier(model="minilm", data="st-data-labelled-real", heldout="stsb-dev"),
    },
    cases=(
        Case("default"),
        Case("batch-all", {"loss_name": "BatchAllTripletLoss"}, {"loss_name": "BatchAllTripletLoss"}),
        Case("batch-semi-hard", {"loss_name": "BatchSemiHardTripletLoss"}, {"loss_name": "BatchSemiHardTripletLoss"}),
        Case(
            "coverage",
            legacy_kwargs={"figures": COVERAGE, "train": False},
            new_kwargs={"figures": COVERAGE, "train": False},
            expect="expected-divergence",
            reason=(
                "SentenceLabelDataset visits every label once per round and draws samples_per_label of its examples "
                "at random each time, so over an epoch some examples repeat (also twice in one batch, when a label "
                "ends one round and starts the next) and others are left out. GROUP_BY_LABEL shuffles each label "
                "once per epoch and cuts it into pairs, so every paired example is used exactly once."
            ),
        ),
        Case(
            "small-labels",
            legacy_kwargs={"figures": PROMISE, "train": False, "study_input": "three-per-label", "samples_per_label": 4},
            new_kwargs={"figures": PROMISE, "train": False, "study_input": "three-per-label"},
            expect="expected-divergence",
            reason=(
                "Input: every label has three examples and the legacy data set draws four per label. It drops each "
                "label with fewer than samples_per_label examples, so it yields no batch at all. GROUP_BY_LABEL needs "
                "only two examples per label and batches one pair of each."
            ),
        ),
        Case(
            "odd-batch",
            legacy_kwargs={"figures": PROMISE, "train": False, "study_batch_size": 5},
            new_kwargs={"figures": PROMISE, "train": False, "study_batch_size": 5},
            expect="expected-divergence",
            reason=(
                "Input: batch size 5 with pairs of examples per label, so a pair cannot fill every batch. The legacy "
                "DataLoader cuts batches of 5 out of the stream of pairs and splits pairs across batches, which leaves "
                "labels with one example in a batch. GroupByLabelBatchSampler raises ValueError for a batch size "
                "that is odd or below 4."
            ),
        ),
        Case(
            "empty",
            legacy_kwargs={"train_input": "empty", "figures": ()},
            new_kwargs={"train_input": "empty", "figures": ()},
            expect="expected-divergence",
            reason=(
                "Input: no examples. The legacy fit loop takes len(loader) = 0 steps and returns the model unchanged. "
                "GroupByLabelBatchSampler raises ValueError because no label has two examples."
            ),
        ),
    ),
)


def rows_for(ctx, name):
    """Return the (text, label) rows of one named input."""
    if name in ("train", "study"):
        return ctx.data[name]
    if name == "empty":
        return []
    if name == "three-per-label":
        kept = {}
        for text, label in ctx.data["study"]:
            kept.setdefault(label, [])
            if len(kept[label]) < 3:
                kept[label].append([text, label])
        return [row for rows in kept.values() if len(rows) == 3 for row in rows]
    raise ValueError(f"unknown input {name!r}, expected train, study, empty or three-per-label")


def label_dataset(rows):
    from datasets import Dataset

    return Dataset.from_dict({"sentence": [text for text, _ in rows], "label": [label for _, label in rows]})


def study_summary(rows):
    """Return the function that summarizes one epoch of study batches."""

    def summarize(batches):
        duplicates = _st_data.duplicate_summary(batches, STUDY_BATCH_SIZE)["batches_with_duplicates"]
        return {**_st_data.label_summary(batches), **_st_data.coverage_summary(batches, len(rows)), "batches_with_duplicates": duplicates}

    return summarize


@scenario.legacy
def legacy(ctx, train_input="train", study_input="study", figures=PROMISE, train=True, loss_name="BatchHardTripletLoss",
           samples_per_label=2, study_batch_size=STUDY_BATCH_SIZE):
    import numpy as np
    from sentence_transformers import InputExample, losses
    from sentence_transformers.datasets import SentenceLabelDataset
    from torch.utils.data import DataLoader

    model = _st_data.load_model(ctx)
    recorder = _st_data.BatchRecorder(model)
    if train:
        train_examples = [InputExample(texts=[text], label=label) for text, label in rows_for(ctx, train_input)]
        train_data = SentenceLabelDataset(train_examples, samples_per_label=2)
        train_dataloader = DataLoader(train_data, batch_size=len(train_examples) or EMPTY_BATCH_SIZE)
        train_loss = recorder.attach(ctx.probe(getattr(losses, loss_name)(model=model)))

        outcome = _st_data.run_guarded(
            lambda: model.fit(train_objectives=[(train_dataloader, train_loss)], **_st_data.fit_arguments(EPOCHS))
        )
        _st_data.observe_training(ctx, recorder, outcome)

    rows = rows_for(ctx, study_input)

    def epoch(seed):
        np.random.seed(seed)
        examples = [InputExample(texts=[text], label=label) for text, label in rows]
        dataset = SentenceLabelDataset(examples, samples_per_label=samples_per_label)
        # The harness reads the examples themselves, so the collate function keeps them as a list.
        return _st_data.legacy_epoch(model, DataLoader(dataset, batch_size=study_batch_size, collate_fn=list))

    _st_data.observe_study(ctx, epoch, study_summary(rows), figures)
    return model


@scenario.new
def new(ctx, train_input="train", study_input="study", figures=PROMISE, train=True, loss_name="BatchHardTripletLoss",
        study_batch_size=STUDY_BATCH_SIZE, group_by_label=True):
    from sentence_transformers import SentenceTransformerTrainer, losses
    from sentence_transformers.training_args import BatchSamplers

    model = _st_data.load_model(ctx)
    recorder = _st_data.BatchRecorder(model)
    sampler = {"batch_sampler": BatchSamplers.GROUP_BY_LABEL} if group_by_label else {}
    if train:
        train_dataset = label_dataset(rows_for(ctx, train_input))
        loss = recorder.attach(ctx.probe(getattr(losses, loss_name)(model=model)))
        args = _st_data.training_args(ctx, EPOCHS, len(train_dataset) or EMPTY_BATCH_SIZE, **sampler)
        trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)

        outcome = _st_data.run_guarded(trainer.train)
        _st_data.observe_training(ctx, recorder, outcome)

    rows = rows_for(ctx, study_input)
    study_loss = getattr(losses, loss_name)(model=model)

    def epoch(seed):
        args = _st_data.training_args(ctx, EPOCHS, study_batch_size, seed=seed, **sampler)
        trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=label_dataset(rows), loss=study_loss)
        return _st_data.trainer_epoch(trainer)

    _st_data.observe_study(ctx, epoch, study_summary(rows), figures)
    return model
