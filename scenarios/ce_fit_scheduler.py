"""ce.fit.scheduler: `fit(scheduler=...)` against `CrossEncoderTrainingArguments(lr_scheduler_type=...)`, all five names."""

from conformance import Case, NegativeControl, Scenario, Tier

import _ce

# fit's scheduler names and the Trainer's names of the same schedules.
SCHEDULERS = {
    "WarmupLinear": "linear",
    "WarmupCosine": "cosine",
    "WarmupConstant": "constant_with_warmup",
    "ConstantLR": "constant",
    "WarmupCosineWithHardRestarts": "cosine_with_restarts",
}
WARMUP_STEPS = 1

scenario = Scenario(
    row="ce.fit.scheduler",
    relation=(
        "Each of fit's five scheduler names (compared case-insensitively by fit) selects the same schedule as its "
        "Trainer name: WarmupLinear=linear, WarmupCosine=cosine, WarmupConstant=constant_with_warmup, "
        "ConstantLR=constant, WarmupCosineWithHardRestarts=cosine_with_restarts, all with 1 warmup step over 4 "
        "full-batch steps. The learning rate at every step, the loss, the optimizer groups, the final weights and "
        "the held-out predict scores match within the fp32 tolerance, and the new side emits no deprecation warning."
    ),
    implicit_arguments=_ce.implicit_arguments("weight_decay", "per_device_train_batch_size"),
    negative_control=NegativeControl(
        {"lr_scheduler_type": "inverse_sqrt"},
        "every name mapped to the Trainer's inverse_sqrt schedule, which is none of the five",
    ),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts")},
    cases=tuple(
        Case(legacy_name, {"scheduler": legacy_name}, {"lr_scheduler_type": trainer_name})
        for legacy_name, trainer_name in SCHEDULERS.items()
    ),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx, scheduler="WarmupLinear"):
    model = _ce.load_model(ctx)
    train_dataloader = _ce.full_batch_loader(_ce.input_examples(ctx))

    with _ce.BuiltinLossProbe(ctx):
        model.fit(train_dataloader=train_dataloader, scheduler=scheduler, **_ce.legacy_training(warmup_steps=WARMUP_STEPS))
    return model


@scenario.new
def new(ctx, lr_scheduler_type="linear"):
    from sentence_transformers.cross_encoder import CrossEncoderTrainer
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    model = _ce.load_model(ctx)
    train_dataset = _ce.pair_dataset(ctx)
    loss = ctx.probe(BinaryCrossEntropyLoss(model))

    implicit = _ce.training_defaults(warmup_steps=WARMUP_STEPS, per_device_train_batch_size=len(train_dataset))
    args = _ce.training_args(ctx, implicit=implicit, lr_scheduler_type=lr_scheduler_type)
    trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    trainer.train()
    return model
