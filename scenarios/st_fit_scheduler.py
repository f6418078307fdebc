"""st.fit.scheduler: fit's five scheduler names against the Trainer's `lr_scheduler_type`.

fit looks its name up case-insensitively: constantlr, warmupconstant, warmuplinear, warmupcosine
and warmupcosinewithhardrestarts. The Trainer names the same transformers schedules constant,
constant_with_warmup, linear, cosine and cosine_with_restarts (one cycle by default, as in fit).
"""

from conformance import Case, NegativeControl, Scenario, Tier

import _st_fit

EPOCHS = 4
WARMUP_STEPS = 1

# (case name, fit's scheduler as a user would spell it, the Trainer's lr_scheduler_type)
SCHEDULES = (
    ("warmuplinear", "WarmupLinear", "linear"),
    ("warmupcosine", "WarmupCosine", "cosine"),
    ("warmupcosinewithhardrestarts", "WarmupCosineWithHardRestarts", "cosine_with_restarts"),
    ("warmupconstant", "WarmupConstant", "constant_with_warmup"),
    ("constantlr", "ConstantLR", "constant"),
)

scenario = Scenario(
    row="st.fit.scheduler",
    relation=(
        "For each of fit's five schedulers and its Trainer name, with 4 steps and 1 warmup step, the learning "
        "rate at every step matches within the fp32 tolerance, and so do the loss at every step, the optimizer's "
        "parameter groups, the final weights and the held-out embeddings. An unknown scheduler name is rejected "
        "by both: fit raises ValueError naming it, and the Trainer's arguments raise ValueError for a name that "
        "is not a transformers SchedulerType."
    ),
    implicit_arguments={
        **_st_fit.IMPLICIT_TRAINING,
        **_st_fit.implicit_arguments("weight_decay", "per_device_train_batch_size"),
        "warmup_steps": f"{WARMUP_STEPS}: passed to both sides, so that the warmup part of each schedule is compared",
        "num_train_epochs": f"{EPOCHS}: passed to both sides",
    },
    negative_control=NegativeControl(
        {"lr_scheduler_type": "inverse_sqrt"},
        "a schedule that none of fit's names maps to (inverse square-root decay), "
        "so every case's learning-rate curve must part",
    ),
    cases=tuple(
        Case(name, legacy_kwargs={"scheduler": legacy_name}, new_kwargs={"lr_scheduler_type": new_name})
        for name, legacy_name, new_name in SCHEDULES
    )
    + (
        Case(
            "unknown-name",
            legacy_kwargs={"scheduler": "WarmupExponential"},
            new_kwargs={"lr_scheduler_type": "warmup_exponential"},
            expect_exception=True,
        ),
    ),
    tiers={"tiny": Tier(model="tiny-bert", data="st-fit-tiny", heldout="tiny-sts")},
)


@scenario.legacy
def legacy(ctx, scheduler):
    from sentence_transformers import losses

    model = _st_fit.load_model(ctx)
    train_dataloader = _st_fit.full_batch_loader(_st_fit.triplet_examples(ctx))
    train_loss = ctx.probe(losses.MultipleNegativesRankingLoss(model))

    model.fit(
        train_objectives=[(train_dataloader, train_loss)],
        scheduler=scheduler,
        epochs=EPOCHS,
        warmup_steps=WARMUP_STEPS,
        optimizer_params={"lr": _st_fit.LEARNING_RATE},
        show_progress_bar=False,
    )
    return model


@scenario.new
def new(ctx, lr_scheduler_type):
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    model = _st_fit.load_model(ctx)
    train_dataset = _st_fit.triplet_dataset(ctx)
    loss = ctx.probe(MultipleNegativesRankingLoss(model))

    args = _st_fit.training_args(
        ctx,
        lr_scheduler_type=lr_scheduler_type,
        implicit=_st_fit.fit_defaults(
            learning_rate=_st_fit.LEARNING_RATE,
            warmup_steps=WARMUP_STEPS,
            num_train_epochs=EPOCHS,
            per_device_train_batch_size=len(train_dataset),
        ),
    )
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    trainer.train()
    return model
