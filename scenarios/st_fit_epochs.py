"""st.fit.epochs: `fit(epochs=...)` against `SentenceTransformerTrainingArguments(num_train_epochs=...)`."""

from conformance import NegativeControl, Scenario, Tier

import _st_fit

# Not 3, the Trainer's default, so that dropping the argument is noticed.
EPOCHS = 2

scenario = Scenario(
    row="st.fit.epochs",
    relation=(
        "With one full batch per epoch, both sides take one optimizer step per epoch, 2 in all: the loss and "
        "learning rate at every step (same count, values within the fp32 tolerance), the optimizer's parameter "
        "groups, the final weights and the held-out embeddings match. The learning-rate schedule spans all "
        "epochs on both sides."
    ),
    implicit_arguments={
        **_st_fit.IMPLICIT_TRAINING,
        **_st_fit.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
    },
    negative_control=NegativeControl(
        {"num_train_epochs": 3}, "num_train_epochs left at the Trainer's default 3, one epoch more than fit's 2"
    ),
    tiers={"tiny": Tier(model="tiny-bert", data="st-fit-tiny", heldout="tiny-sts")},
)


@scenario.legacy
def legacy(ctx):
    from sentence_transformers import losses

    model = _st_fit.load_model(ctx)
    train_dataloader = _st_fit.full_batch_loader(_st_fit.triplet_examples(ctx))
    train_loss = ctx.probe(losses.MultipleNegativesRankingLoss(model))

    model.fit(
        train_objectives=[(train_dataloader, train_loss)],
        epochs=EPOCHS,
        warmup_steps=0,
        optimizer_params={"lr": _st_fit.LEARNING_RATE},
        show_progress_bar=False,
    )
    return model


@scenario.new
def new(ctx, num_train_epochs=EPOCHS):
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    model = _st_fit.load_model(ctx)
    train_dataset = _st_fit.triplet_dataset(ctx)
    loss = ctx.probe(MultipleNegativesRankingLoss(model))

    args = _st_fit.training_args(
        ctx,
        num_train_epochs=num_train_epochs,
        implicit=_st_fit.fit_defaults(
            learning_rate=_st_fit.LEARNING_RATE, warmup_steps=0, per_device_train_batch_size=len(train_dataset)
        ),
    )
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    trainer.train()
    return model
