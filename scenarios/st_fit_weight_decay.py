"""st.fit.weight_decay: `fit(weight_decay=...)` against `SentenceTransformerTrainingArguments(weight_decay=...)`."""

from conformance import NegativeControl, Scenario, Tier

import _st_fit

EPOCHS = 3
# Large, so that the decay moves the weights far beyond the fp32 noise floor within 3 steps:
# AdamW shrinks each decayed weight by lr * weight_decay = 1e-4 of its value per step.
WEIGHT_DECAY = 20.0

scenario = Scenario(
    row="st.fit.weight_decay",
    relation=(
        "Both sides decay every parameter except biases and LayerNorm weights: the optimizer's two parameter "
        "groups (their members, and weight decay 20.0 and 0.0) match exactly, and the loss and learning rate at "
        "every step, the final weights and the held-out embeddings match within the fp32 tolerance. One full "
        "batch per epoch makes the data order irrelevant up to float rounding."
    ),
    implicit_arguments={
        **_st_fit.IMPLICIT_TRAINING,
        **_st_fit.implicit_arguments("lr_scheduler_type", "per_device_train_batch_size"),
        "num_train_epochs": f"{EPOCHS}: passed to both sides",
    },
    negative_control=NegativeControl(
        {"weight_decay": 0.0}, "weight_decay left at the Trainer's default 0.0, so no parameter is decayed"
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
        weight_decay=WEIGHT_DECAY,
        epochs=EPOCHS,
        warmup_steps=0,
        optimizer_params={"lr": _st_fit.LEARNING_RATE},
        show_progress_bar=False,
    )
    return model


@scenario.new
def new(ctx, weight_decay=WEIGHT_DECAY):
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    model = _st_fit.load_model(ctx)
    train_dataset = _st_fit.triplet_dataset(ctx)
    loss = ctx.probe(MultipleNegativesRankingLoss(model))

    args = _st_fit.training_args(
        ctx,
        weight_decay=weight_decay,
        implicit=_st_fit.fit_defaults(
            learning_rate=_st_fit.LEARNING_RATE,
            warmup_steps=0,
            num_train_epochs=EPOCHS,
            per_device_train_batch_size=len(train_dataset),
        ),
    )
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    trainer.train()
    return model
