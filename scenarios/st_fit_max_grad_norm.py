"""st.fit.max_grad_norm: `fit(max_grad_norm=...)` against `SentenceTransformerTrainingArguments(max_grad_norm=...)`."""

from conformance import NegativeControl, Scenario, Tier

import _st_fit

EPOCHS = 3
# Far below the tiny model's unclipped gradient norm (about 2), so every step is clipped.
MAX_GRAD_NORM = 0.05

scenario = Scenario(
    row="st.fit.max_grad_norm",
    relation=(
        "Both sides clip the gradients of all trained parameters to an L2 norm of 0.05 before each optimizer "
        "step: the gradient norm the optimizer sees at every step (recorded by a global optimizer hook), the loss "
        "and learning rate at every step, the final weights and the held-out embeddings match within the fp32 "
        "tolerance, and the optimizer's parameter groups match exactly."
    ),
    implicit_arguments={
        **_st_fit.IMPLICIT_TRAINING,
        **_st_fit.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
        "num_train_epochs": f"{EPOCHS}: passed to both sides",
    },
    negative_control=NegativeControl({"max_grad_norm": 1.0}, "max_grad_norm left at the Trainer's default 1.0"),
    tiers={"tiny": Tier(model="tiny-bert", data="st-fit-tiny", heldout="tiny-sts")},
)


@scenario.legacy
def legacy(ctx):
    from sentence_transformers import losses

    model = _st_fit.load_model(ctx)
    train_dataloader = _st_fit.full_batch_loader(_st_fit.triplet_examples(ctx))
    train_loss = ctx.probe(losses.MultipleNegativesRankingLoss(model))

    with _st_fit.GradNormRecorder() as grad_norms:
        model.fit(
            train_objectives=[(train_dataloader, train_loss)],
            max_grad_norm=MAX_GRAD_NORM,
            epochs=EPOCHS,
            warmup_steps=0,
            optimizer_params={"lr": _st_fit.LEARNING_RATE},
            show_progress_bar=False,
        )
    ctx.observe("grad_norm_per_step", grad_norms.values)
    return model


@scenario.new
def new(ctx, max_grad_norm=MAX_GRAD_NORM):
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    model = _st_fit.load_model(ctx)
    train_dataset = _st_fit.triplet_dataset(ctx)
    loss = ctx.probe(MultipleNegativesRankingLoss(model))

    args = _st_fit.training_args(
        ctx,
        max_grad_norm=max_grad_norm,
        implicit=_st_fit.fit_defaults(
            learning_rate=_st_fit.LEARNING_RATE,
            warmup_steps=0,
            num_train_epochs=EPOCHS,
            per_device_train_batch_size=len(train_dataset),
        ),
    )
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    with _st_fit.GradNormRecorder() as grad_norms:
        trainer.train()
    ctx.observe("grad_norm_per_step", grad_norms.values)
    return model
