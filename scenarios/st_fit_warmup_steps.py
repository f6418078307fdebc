"""st.fit.warmup_steps: `fit(warmup_steps=...)` against `SentenceTransformerTrainingArguments(warmup_steps=...)`."""

from conformance import Case, NegativeControl, Scenario, Tier

import _st_fit

EPOCHS = 4
WARMUP_STEPS = 2

scenario = Scenario(
    row="st.fit.warmup_steps",
    relation=(
        "Both sides raise the learning rate linearly from 0 over the warmup steps, then decay it linearly to 0 at "
        "the last step: the learning rate and loss at every step, the optimizer's parameter groups, the final "
        "weights and the held-out embeddings match within the fp32 tolerance. This holds for 2 warmup steps of 4 "
        "and for fit's default of 10000, longer than the run, where the learning rate never leaves the warmup."
    ),
    implicit_arguments={
        **_st_fit.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
        "learning_rate": (
            f"{_st_fit.LEARNING_RATE}: passed to both sides (fit through optimizer_params), to keep the batch-order noise low"
        ),
        "num_train_epochs": f"{EPOCHS}: passed to both sides",
    },
    negative_control=NegativeControl({"warmup_steps": 0}, "warmup_steps left at the Trainer's default 0"),
    cases=(
        Case("two-steps", legacy_kwargs={"warmup_steps": WARMUP_STEPS}, new_kwargs={"warmup_steps": WARMUP_STEPS}),
        Case("fit-default", legacy_kwargs={}, new_kwargs={"warmup_steps": 10000}),
    ),
    tiers={"tiny": Tier(model="tiny-bert", data="st-fit-tiny", heldout="tiny-sts")},
)


@scenario.legacy
def legacy(ctx, **warmup):
    from sentence_transformers import losses

    model = _st_fit.load_model(ctx)
    train_dataloader = _st_fit.full_batch_loader(_st_fit.triplet_examples(ctx))
    train_loss = ctx.probe(losses.MultipleNegativesRankingLoss(model))

    # `warmup` is {"warmup_steps": 2}, or empty to leave fit's default of 10000.
    model.fit(
        train_objectives=[(train_dataloader, train_loss)],
        **warmup,
        epochs=EPOCHS,
        optimizer_params={"lr": _st_fit.LEARNING_RATE},
        show_progress_bar=False,
    )
    return model


@scenario.new
def new(ctx, warmup_steps):
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    model = _st_fit.load_model(ctx)
    train_dataset = _st_fit.triplet_dataset(ctx)
    loss = ctx.probe(MultipleNegativesRankingLoss(model))

    args = _st_fit.training_args(
        ctx,
        warmup_steps=warmup_steps,
        implicit=_st_fit.fit_defaults(
            learning_rate=_st_fit.LEARNING_RATE, num_train_epochs=EPOCHS, per_device_train_batch_size=len(train_dataset)
        ),
    )
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    trainer.train()
    return model
