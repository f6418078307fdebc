"""st.data.ParallelSentencesDataset: teacher embeddings as labels, legacy data set against a `label` column.

Legacy: `ParallelSentencesDataset(student_model, teacher_model)` reading a tab-separated file of
(source, translation) rows, a DataLoader, `losses.MSELoss` and `fit`. New: a `datasets.Dataset` with
`english` and `non_english` columns plus a `label` column of the teacher's embeddings of the
source sentences, added with `Dataset.map`, and the same loss. The tiny tier pairs English sentences
with English paraphrases, the real tier with German translations.

The teacher is the initial model, loaded a second time and never trained, so the student starts
at the teacher's embeddings of the sources and learns to map the translations onto them.
"""

from conformance import Case, NegativeControl, Scenario, Tier

import _st_data

EPOCHS = 2
EMPTY_BATCH_SIZE = 8

scenario = Scenario(
    row="st.data.ParallelSentencesDataset",
    relation=(
        "Both sides train on every sentence once per epoch with the teacher's embedding of its row's source as "
        "the target, in one full batch per epoch: the legacy batch holds each sentence as its own example, the new "
        "batch each (english, non_english) row, whose MSELoss averages the two columns, so the mean squared error "
        "is the same sum. Compared exactly: every step's set of (sentence, target) pairs, as the tokenizer reads "
        "the sentence and the target reduced to its norm and its projection on a fixed vector. Compared within the "
        "fp32 tolerance: the loss, learning rate, optimizer groups, final weights and held-out embeddings. The "
        "legacy data set reads its rows in blocks of `weight` rows, and weight is set to the number of rows so that "
        "one block is one epoch (the default weight is compared in the block-weight case). No row is longer than "
        "load_data's default limit of 128 characters."
    ),
    implicit_arguments={
        **_st_data.IMPLICIT_ARGUMENTS,
        "num_train_epochs": f"{EPOCHS}: passed to both sides",
        "per_device_train_batch_size": "the number of rows, which hold twice as many sentences as the legacy batch counts",
    },
    negative_control=NegativeControl(
        {"teacher_column": "non_english"},
        "the label column made from the teacher's embeddings of the translations instead of the sources",
    ),
    tiers={
        "tiny": Tier(model="tiny-bert", data="st-data-parallel-tiny", heldout="tiny-sts"),
        "real": Tier(model="minilm", data="st-data-parallel-real", heldout="stsb-dev"),
    },
    cases=(
        Case("default"),
        Case(
            "block-weight",
            legacy_kwargs={"weight": 100},
            expect="expected-divergence",
            reason=(
                "With load_data's default weight of 100 and fewer rows than that, one block cycles through the rows "
                "several times and each epoch draws len(dataset) examples from it at random, so an epoch repeats "
                "some sentences and leaves others out. A dataset with a label column uses every row once per epoch."
            ),
        ),
        Case(
            "case-duplicates",
            legacy_kwargs={"parallel_input": "case-duplicates"},
            new_kwargs={"parallel_input": "case-duplicates"},
            expect="expected-divergence",
            reason=(
                "Input: four rows repeated with the source upper-cased and four with it indented by spaces. "
                "load_data strips each line and merges rows with the same source, so the indented repeats vanish "
                "and only the upper-cased ones add examples. Dataset.from_dict keeps every row, so the new batch "
                "holds more copies of those sentences (an uncased tokenizer reads all variants the same)."
            ),
        ),
        # Both sides raise ValueError for an empty input: the legacy DataLoader with shuffle=True rejects a
        # data set of length 0 before fit is called, and the Trainer's shuffling sampler does the same.
        Case(
            "empty",
            legacy_kwargs={"parallel_input": "empty", "guarded": False},
            new_kwargs={"parallel_input": "empty", "guarded": False},
            expect_exception=True,
        ),
    ),
)


def rows_for(ctx, name):
    """Return the (source, translation) rows of one named input."""
    rows = ctx.data["parallel"]
    if name == "parallel":
        return rows
    if name == "empty":
        return []
    if name == "case-duplicates":
        upper = [[source.upper(), translation] for source, translation in rows[:4]]
        indented = [[f"   {source}", translation] for source, translation in rows[4:8]]
        return rows + upper + indented
    raise ValueError(f"unknown input {name!r}, expected parallel, empty or case-duplicates")


def text_targets(batch):
    """Return a batch's (sentence, target digest) pairs, sorted. Every text column of a row has the row's target."""
    import numpy as np

    pairs = []
    for column in batch["texts"]:
        for text, target in zip(column, batch["labels"]):
            vector = np.asarray(target, dtype=np.float64)
            # A fixed, non-symmetric direction: swapping two targets, or changing one, moves the projection.
            direction = np.cos(np.arange(vector.size))
            pairs.append([text, round(float(np.linalg.norm(vector)), 7), round(float(vector @ direction), 7)])
    return sorted(pairs, key=repr)


def observe_training(ctx, recorder, outcome):
    ctx.observe("training", outcome)
    ctx.observe("targets", [text_targets(batch) for batch in recorder.batches])


@scenario.legacy
def legacy(ctx, parallel_input="parallel", weight=None, guarded=True):
    from sentence_transformers import SentenceTransformer, losses
    from sentence_transformers.datasets import ParallelSentencesDataset
    from torch.utils.data import DataLoader

    rows = rows_for(ctx, parallel_input)
    path = ctx.workdir / "parallel-sentences.tsv"
    path.write_text("".join(f"{source}\t{translation}\n" for source, translation in rows), encoding="utf-8")

    teacher_model = SentenceTransformer(ctx.model_path, device=ctx.device)
    student_model = _st_data.load_model(ctx)
    train_data = ParallelSentencesDataset(student_model=student_model, teacher_model=teacher_model, batch_size=8)
    train_data.load_data(str(path), weight=len(rows) if weight is None else weight)
    recorder = _st_data.BatchRecorder(student_model)
    train_loss = recorder.attach(ctx.probe(losses.MSELoss(model=student_model)))

    def train():
        # Built inside the guard, because a DataLoader that shuffles an empty data set raises here already.
        train_dataloader = DataLoader(train_data, shuffle=True, batch_size=len(train_data) or EMPTY_BATCH_SIZE)
        student_model.fit(train_objectives=[(train_dataloader, train_loss)], **_st_data.fit_arguments(EPOCHS))

    outcome = _st_data.run_guarded(train, guarded)
    observe_training(ctx, recorder, outcome)
    return student_model


@scenario.new
def new(ctx, parallel_input="parallel", teacher_column="english", guarded=True):
    from datasets import Dataset
    from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer
    from sentence_transformers.losses import MSELoss

    rows = rows_for(ctx, parallel_input)
    teacher_model = SentenceTransformer(ctx.model_path, device=ctx.device)
    student_model = _st_data.load_model(ctx)

    def add_teacher_embeddings(batch):
        embeddings = teacher_model.encode(batch[teacher_column], batch_size=8, show_progress_bar=False, convert_to_numpy=True)
        return {"label": embeddings}

    train_dataset = Dataset.from_dict({"english": [source for source, _ in rows], "non_english": [translation for _, translation in rows]})
    train_dataset = train_dataset.map(add_teacher_embeddings, batched=True)

    recorder = _st_data.BatchRecorder(student_model)
    loss = recorder.attach(ctx.probe(MSELoss(model=student_model)))
    args = _st_data.training_args(ctx, EPOCHS, len(train_dataset) or EMPTY_BATCH_SIZE)
    trainer = SentenceTransformerTrainer(model=student_model, args=args, train_dataset=train_dataset, loss=loss)

    outcome = _st_data.run_guarded(trainer.train, guarded)
    observe_training(ctx, recorder, outcome)
    return student_model
