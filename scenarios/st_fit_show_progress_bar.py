"""st.fit.show_progress_bar: `fit(show_progress_bar=True)` against `SentenceTransformerTrainingArguments(disable_tqdm=False)`."""

from conformance import NegativeControl, Scenario, Tier

import _st_fit

EPOCHS = 2

scenario = Scenario(
    row="st.fit.show_progress_bar",
    relation=(
        "Both sides print a tqdm progress bar during training (detected in the invocation's output by its "
        "'NN%|' bar); only whether a bar is shown is compared, because fit draws an epoch bar and an iteration "
        "bar while the Trainer draws one bar over all steps. The bars transformers draws while loading or "
        "saving a model are not counted. The bar changes nothing else: the loss and learning rate at every step, the optimizer's parameter groups, the final weights and "
        "the held-out embeddings match within the fp32 tolerance."
    ),
    implicit_arguments={
        **_st_fit.IMPLICIT_TRAINING,
        **_st_fit.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
        "num_train_epochs": f"{EPOCHS}: passed to both sides",
    },
    negative_control=NegativeControl(
        {"disable_tqdm": True}, "the progress bar switched off, as fit's show_progress_bar=False does"
    ),
    artifacts=("loss", "learning_rate", "optimizer", "weights", "heldout", "observations", "warnings", "progress"),
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
        show_progress_bar=True,
        epochs=EPOCHS,
        warmup_steps=0,
        optimizer_params={"lr": _st_fit.LEARNING_RATE},
    )
    return model


@scenario.new
def new(ctx, disable_tqdm=False):
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    model = _st_fit.load_model(ctx)
    train_dataset = _st_fit.triplet_dataset(ctx)
    loss = ctx.probe(MultipleNegativesRankingLoss(model))

    args = _st_fit.training_args(
        ctx,
        disable_tqdm=disable_tqdm,
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
