"""st.fit.steps_per_epoch: `fit(steps_per_epoch=...)` against `SentenceTransformerTrainingArguments(max_steps=...)`.

`steps_per_epoch` counts the steps of one epoch, `max_steps` the steps of the whole run, so the
two agree only when fit trains a single epoch.
"""

from conformance import Case, NegativeControl, Scenario, Tier

import _st_fit

STEPS = 3

scenario = Scenario(
    row="st.fit.steps_per_epoch",
    relation=(
        "The DataLoader holds one full batch, so each legacy step restarts it and sees the whole data set, as "
        "each Trainer epoch does. With epochs=1, fit's steps_per_epoch=3 and the Trainer's max_steps=3 both "
        "take 3 optimizer steps over a schedule of 3 steps: the loss and learning rate at every step, the "
        "optimizer's parameter groups, the final weights and the held-out embeddings match within the fp32 "
        "tolerance. With epochs=2 the legacy run takes 6 steps and the Trainer still 3."
    ),
    implicit_arguments={
        **_st_fit.IMPLICIT_TRAINING,
        **_st_fit.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
        "num_train_epochs": "the legacy epochs, 1 or 2; max_steps overrides it in the Trainer",
    },
    negative_control=NegativeControl(
        {"max_steps": -1}, "max_steps left at the Trainer's default -1, so the run lasts num_train_epochs epochs of one step"
    ),
    cases=(
        Case("one-epoch", legacy_kwargs={"epochs": 1}, new_kwargs={"num_train_epochs": 1}),
        Case(
            "two-epochs",
            legacy_kwargs={"epochs": 2},
            new_kwargs={"num_train_epochs": 2},
            expect="expected-divergence",
            reason=(
                "fit multiplies steps_per_epoch by epochs (6 steps, and a 6-step schedule), while max_steps caps "
                "the whole Trainer run at 3 steps whatever num_train_epochs says"
            ),
        ),
    ),
    tiers={"tiny": Tier(model="tiny-bert", data="st-fit-tiny", heldout="tiny-sts")},
)


@scenario.legacy
def legacy(ctx, epochs):
    from sentence_transformers import losses

    model = _st_fit.load_model(ctx)
    train_dataloader = _st_fit.full_batch_loader(_st_fit.triplet_examples(ctx))
    train_loss = ctx.probe(losses.MultipleNegativesRankingLoss(model))

    model.fit(
        train_objectives=[(train_dataloader, train_loss)],
        steps_per_epoch=STEPS,
        epochs=epochs,
        warmup_steps=0,
        optimizer_params={"lr": _st_fit.LEARNING_RATE},
        show_progress_bar=False,
    )
    return model


@scenario.new
def new(ctx, num_train_epochs, max_steps=STEPS):
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    model = _st_fit.load_model(ctx)
    train_dataset = _st_fit.triplet_dataset(ctx)
    loss = ctx.probe(MultipleNegativesRankingLoss(model))

    args = _st_fit.training_args(
        ctx,
        max_steps=max_steps,
        implicit=_st_fit.fit_defaults(
            learning_rate=_st_fit.LEARNING_RATE,
            warmup_steps=0,
            num_train_epochs=num_train_epochs,
            per_device_train_batch_size=len(train_dataset),
        ),
    )
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    trainer.train()
    return model
