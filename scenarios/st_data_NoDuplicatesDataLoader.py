"""st.data.NoDuplicatesDataLoader: the legacy loader against `batch_sampler=BatchSamplers.NO_DUPLICATES`.

Legacy: `NoDuplicatesDataLoader(examples, batch_size)` with MultipleNegativesRankingLoss and `fit`.
New: a `datasets.Dataset` of (anchor, positive) rows and
`SentenceTransformerTrainingArguments(batch_sampler=BatchSamplers.NO_DUPLICATES)`.

Every case reads the loader or sampler of each side for seeds 0..7 on a study input, one epoch
each, and observes the batch figures the case is about. The default and epoch-shape cases also train.
"""

from conformance import Case, NegativeControl, Scenario, Tier

import _st_data

EPOCHS = 2
STUDY_BATCH_SIZE = 8
BAD_INPUT_BATCH_SIZE = 4
EMPTY_BATCH_SIZE = 8

# Observed study figures per case: the promise (no duplicate text in a batch), and the shape of
# an epoch (batch counts and how often each row is used).
PROMISE = ("batches_with_duplicates", "duplicate_texts")
EPOCH_SHAPE = ("batches", "full_batches", "short_batches", "repeated_rows", "rows_left_out")

scenario = Scenario(
    row="st.data.NoDuplicatesDataLoader",
    relation=(
        "Training: with every text distinct and one full batch per epoch, both sides train on the same set of "
        "(anchor, positive) rows at every step (the recorded batches, sorted, match exactly), so the loss, learning "
        "rate, optimizer groups, final weights and held-out embeddings match within the fp32 tolerance. Batch "
        "composition: the legacy loader shuffles with Python's random module and the sampler with a torch "
        "generator seeded with seed + epoch, so their batches cannot match by construction and are compared in "
        "distribution. Each side builds its loader for seeds 0..7 on rows in which every anchor appears twice "
        "(batch size 8) and reads one epoch. On both sides no batch may hold a text twice, as the model's "
        "tokenizer reads it. The other epoch figures are shown here and compared in the epoch-shape case."
    ),
    implicit_arguments={**_st_data.IMPLICIT_ARGUMENTS, "num_train_epochs": f"{EPOCHS}: passed to both sides"},
    negative_control=NegativeControl(
        {"no_duplicates": False},
        "batch_sampler left at the Trainer's default, which puts rows with the same anchor into one batch",
    ),
    tiers={
        "tiny": Tier(model="tiny-bert", data="st-data-pairs-tiny", heldout="tiny-sts"),
        "real": Tier(model="minilm", data="st-data-pairs-real", heldout="stsb-dev"),
    },
    cases=(
        Case("default"),
        Case(
            "epoch-shape",
            legacy_kwargs={"figures": EPOCH_SHAPE},
            new_kwargs={"figures": EPOCH_SHAPE},
            expect="expected-divergence",
            reason=(
                "The legacy loader always yields len(examples) // batch_size full batches: a row that conflicts "
                "with the batch is skipped, and at the end of the examples it continues into a reshuffled copy, so "
                "some rows repeat within an epoch and others are left out. The sampler uses every row once per "
                "epoch and ends the epoch with short batches of the rows that still conflict, so an epoch can take "
                "more, smaller steps."
            ),
        ),
        Case(
            "case-duplicates",
            legacy_kwargs={"figures": PROMISE, "study_input": "case-duplicates", "train": False},
            new_kwargs={"figures": PROMISE, "study_input": "case-duplicates", "train": False},
            expect="expected-divergence",
            reason=(
                "Input: each anchor also appears upper-cased or padded with spaces. The legacy loader compares "
                "texts after strip().lower() and keeps such variants apart. The sampler compares the exact strings, "
                "so it batches variants together, which an uncased tokenizer reads as the same text."
            ),
        ),
        Case(
            "unfillable",
            legacy_kwargs={"figures": (*PROMISE, "batches", "rows"), "study_input": "one-anchor", "train": False},
            new_kwargs={"figures": (*PROMISE, "batches", "rows"), "study_input": "one-anchor", "train": False},
            expect="expected-divergence",
            reason=(
                "Input: eight rows sharing one anchor, batch size 4, so no batch of 4 without a duplicate exists. "
                "The legacy loader cannot fill its first batch: the reference raises ValueError, and 6.3.0 loops "
                "forever, which the study records as no result after its time limit. The sampler yields one-row "
                "batches instead."
            ),
        ),
        Case(
            "empty",
            legacy_kwargs={"train_input": "empty", "figures": ()},
            new_kwargs={"train_input": "empty", "figures": ()},
            expect="expected-divergence",
            reason=(
                "Input: no rows. The legacy fit loop takes len(loader) = 0 steps and returns the model unchanged. "
                "The Trainer raises ValueError because a training DataLoader of length 0 gives it no step count."
            ),
        ),
    ),
)


def rows_for(ctx, name):
    """Return the (anchor, positive) rows of one named input."""
    if name == "train":
        return ctx.data["train"]
    if name == "study":
        return ctx.data["study"]
    if name == "empty":
        return []
    if name == "one-anchor":
        anchor = ctx.data["study"][0][0]
        return [[anchor, other] for _, other in ctx.data["study"][:8]]
    if name == "case-duplicates":
        # Even-numbered variants are upper-cased and odd ones padded with spaces. The legacy loader reads both
        # as the anchor itself.
        rows = ctx.data["train"][:8]
        variants = [[f"  {anchor} " if index % 2 else anchor.upper(), positive] for index, (anchor, positive) in enumerate(ctx.data["study"][1:16:2])]
        return rows + variants
    raise ValueError(f"unknown input {name!r}, expected train, study, empty, one-anchor or case-duplicates")


def study_batch_size(name):
    return STUDY_BATCH_SIZE if name == "study" else BAD_INPUT_BATCH_SIZE


def pair_dataset(rows):
    from datasets import Dataset

    return Dataset.from_dict({"anchor": [anchor for anchor, _ in rows], "positive": [positive for _, positive in rows]})


def study_summary(rows, batch_size):
    """Return the function that summarizes one epoch of study batches."""
    return lambda batches: {**_st_data.duplicate_summary(batches, batch_size), **_st_data.coverage_summary(batches, len(rows))}


@scenario.legacy
def legacy(ctx, train_input="train", study_input="study", figures=PROMISE, train=True):
    import random

    from sentence_transformers import InputExample, losses
    from sentence_transformers.datasets import NoDuplicatesDataLoader

    model = _st_data.load_model(ctx)
    recorder = _st_data.BatchRecorder(model)
    if train:
        train_examples = [InputExample(texts=row) for row in rows_for(ctx, train_input)]
        train_dataloader = NoDuplicatesDataLoader(train_examples, batch_size=len(train_examples) or EMPTY_BATCH_SIZE)
        train_loss = recorder.attach(ctx.probe(losses.MultipleNegativesRankingLoss(model)))

        outcome = _st_data.run_guarded(
            lambda: model.fit(train_objectives=[(train_dataloader, train_loss)], **_st_data.fit_arguments(EPOCHS))
        )
        # Labels are left out: MultipleNegativesRankingLoss ignores them, and InputExample's default
        # label 0 has no counterpart in a dataset without a label column.
        _st_data.observe_training(ctx, recorder, outcome, labels=False)

    rows = rows_for(ctx, study_input)
    batch_size = study_batch_size(study_input)

    def epoch(seed):
        random.seed(seed)
        loader = NoDuplicatesDataLoader([InputExample(texts=row) for row in rows], batch_size=batch_size)
        return _st_data.legacy_epoch(model, loader)

    _st_data.observe_study(ctx, epoch, study_summary(rows, batch_size), figures)
    return model


@scenario.new
def new(ctx, train_input="train", study_input="study", figures=PROMISE, train=True, no_duplicates=True):
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.losses import MultipleNegativesRankingLoss
    from sentence_transformers.training_args import BatchSamplers

    model = _st_data.load_model(ctx)
    recorder = _st_data.BatchRecorder(model)
    sampler = {"batch_sampler": BatchSamplers.NO_DUPLICATES} if no_duplicates else {}
    if train:
        train_dataset = pair_dataset(rows_for(ctx, train_input))
        loss = recorder.attach(ctx.probe(MultipleNegativesRankingLoss(model)))
        args = _st_data.training_args(ctx, EPOCHS, len(train_dataset) or EMPTY_BATCH_SIZE, **sampler)
        trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)

        outcome = _st_data.run_guarded(trainer.train)
        _st_data.observe_training(ctx, recorder, outcome, labels=False)

    rows = rows_for(ctx, study_input)
    batch_size = study_batch_size(study_input)
    study_loss = MultipleNegativesRankingLoss(model)

    def epoch(seed):
        args = _st_data.training_args(ctx, EPOCHS, batch_size, seed=seed, **sampler)
        trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=pair_dataset(rows), loss=study_loss)
        return _st_data.trainer_epoch(trainer)

    _st_data.observe_study(ctx, epoch, study_summary(rows, batch_size), figures)
    return model
