"""st.fit.train_objectives: `fit(train_objectives=[(DataLoader, loss)])` against a Dataset and a loss.

One objective becomes one `datasets.Dataset` whose columns are the InputExample texts in order, plus
a `score` column for the label. Several objectives become a DatasetDict with one loss per dataset
name. Legacy fit steps them with one optimizer and one scheduler per objective, and each step takes
one batch of every objective. The Trainer has one optimizer and one schedule for all datasets, and
each step takes one batch.
"""

from conformance import Case, NegativeControl, Scenario, Tier

import _st_fit

EPOCHS = 3
# The first 16 scored pairs, as many rows as the triplets: with two objectives, the Trainer's one
# batch size then covers each data set in one full batch, as fit's two DataLoaders do.
PAIR_ROWS = 16

scenario = Scenario(
    row="st.fit.train_objectives",
    relation=(
        "With one objective (triplets with MultipleNegativesRankingLoss, or scored pairs with "
        "CosineSimilarityLoss, whose InputExample labels become the Dataset's score column) and one full batch "
        "per epoch, both sides take the same optimizer steps: the loss and learning rate at every step, the "
        "optimizer's parameter groups, the final weights and the held-out embeddings match within the fp32 "
        "tolerance. With two objectives the optimizers differ by construction, shown by the third case."
    ),
    implicit_arguments={
        **_st_fit.IMPLICIT_TRAINING,
        **_st_fit.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
        "num_train_epochs": f"{EPOCHS}: passed to both sides",
        "multi_dataset_batch_sampler": (
            "'round_robin' with two datasets: one batch of each in turn, as fit takes them; "
            "the Trainer's default is 'proportional'"
        ),
    },
    negative_control=NegativeControl(
        {"guide_defaults_only": True},
        "the guide's Trainer call with the Trainer's own defaults "
        "(lr 5e-5, no weight decay, no warmup, batch size 8, 3 epochs)",
    ),
    cases=(
        Case("triplets", legacy_kwargs={"objectives": ("triplets",)}, new_kwargs={"objectives": ("triplets",)}),
        Case("scored-pairs", legacy_kwargs={"objectives": ("pairs",)}, new_kwargs={"objectives": ("pairs",)}),
        Case(
            "two-objectives",
            legacy_kwargs={"objectives": ("triplets", "pairs")},
            new_kwargs={"objectives": ("triplets", "pairs")},
            expect="expected-divergence",
            reason=(
                "fit builds one AdamW and one schedule per objective, each stepped once per step (6 optimizer "
                "steps over two 3-step schedules); the Trainer steps one AdamW over one 6-step schedule, "
                "alternating the datasets' batches"
            ),
        ),
    ),
    tiers={"tiny": Tier(model="tiny-bert", data="st-fit-tiny", heldout="tiny-sts")},
)


@scenario.legacy
def legacy(ctx, objectives):
    from sentence_transformers import InputExample, losses

    model = _st_fit.load_model(ctx)
    train_objectives = []
    if "triplets" in objectives:
        train_dataloader = _st_fit.full_batch_loader(_st_fit.triplet_examples(ctx))
        train_loss = ctx.probe(losses.MultipleNegativesRankingLoss(model), name="triplets")
        train_objectives.append((train_dataloader, train_loss))
    if "pairs" in objectives:
        pairs = ctx.data["scored_pairs"][:PAIR_ROWS]
        examples = [InputExample(texts=[first, second], label=score) for first, second, score in pairs]
        train_loss = ctx.probe(losses.CosineSimilarityLoss(model), name="pairs")
        train_objectives.append((_st_fit.full_batch_loader(examples), train_loss))

    model.fit(
        train_objectives=train_objectives,
        epochs=EPOCHS,
        warmup_steps=0,
        optimizer_params={"lr": _st_fit.LEARNING_RATE},
        show_progress_bar=False,
    )
    return model


@scenario.new
def new(ctx, objectives, guide_defaults_only=False):
    from datasets import Dataset, DatasetDict
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.losses import CosineSimilarityLoss, MultipleNegativesRankingLoss

    model = _st_fit.load_model(ctx)
    datasets, losses = {}, {}
    if "triplets" in objectives:
        datasets["triplets"] = _st_fit.triplet_dataset(ctx)
        losses["triplets"] = ctx.probe(MultipleNegativesRankingLoss(model), name="triplets")
    if "pairs" in objectives:
        pairs = ctx.data["scored_pairs"][:PAIR_ROWS]
        datasets["pairs"] = Dataset.from_dict(
            {
                "sentence1": [first for first, _, _ in pairs],
                "sentence2": [second for _, second, _ in pairs],
                "score": [score for _, _, score in pairs],
            }
        )
        losses["pairs"] = ctx.probe(CosineSimilarityLoss(model), name="pairs")

    if len(datasets) == 1:
        (train_dataset,), (loss,) = datasets.values(), losses.values()
        implicit = {"per_device_train_batch_size": len(train_dataset)}
    else:
        train_dataset, loss = DatasetDict(datasets), losses
        implicit = {"per_device_train_batch_size": PAIR_ROWS, "multi_dataset_batch_sampler": "round_robin"}
    implicit = _st_fit.fit_defaults(learning_rate=_st_fit.LEARNING_RATE, warmup_steps=0, num_train_epochs=EPOCHS, **implicit)

    args = _st_fit.training_args(ctx, implicit=None if guide_defaults_only else implicit)
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    trainer.train()
    return model
