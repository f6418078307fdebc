"""ce.fit.warmup_steps: `fit(warmup_steps=...)` against `CrossEncoderTrainingArguments(warmup_steps=...)`."""

from conformance import NegativeControl, Scenario, Tier

import _ce

WARMUP_STEPS = 2

scenario = Scenario(
    row="ce.fit.warmup_steps",
    relation=(
        f"warmup_steps={WARMUP_STEPS} raises the learning rate linearly from 0 over the first {WARMUP_STEPS} of 4 "
        "full-batch steps on both sides: the learning rate at every step, the loss, the optimizer groups, the final "
        "weights and the held-out predict scores match within the fp32 tolerance (the real tier's override on "
        "MiniLM), and the new side emits no deprecation warning."
    ),
    implicit_arguments={
        **_ce.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
        "warmup_steps": f"{WARMUP_STEPS}: the row's argument, passed to both",
    },
    negative_control=NegativeControl({"warmup_steps": 0}, "warmup_steps left at the Trainer's default 0"),
    tiers={
        "tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts"),
        "real": Tier(model="minilm-ce-1label", data="stsb-pairs", heldout="stsb-dev"),
    },
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx):
    model = _ce.load_model(ctx)
    train_dataloader = _ce.full_batch_loader(_ce.input_examples(ctx))

    with _ce.BuiltinLossProbe(ctx):
        model.fit(train_dataloader=train_dataloader, **_ce.legacy_training(warmup_steps=WARMUP_STEPS))
    return model


@scenario.new
def new(ctx, warmup_steps=WARMUP_STEPS):
    from sentence_transformers.cross_encoder import CrossEncoderTrainer
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    model = _ce.load_model(ctx)
    train_dataset = _ce.pair_dataset(ctx)
    loss = ctx.probe(BinaryCrossEntropyLoss(model))

    args = _ce.training_args(
        ctx,
        implicit=_ce.training_defaults(per_device_train_batch_size=len(train_dataset)),
        warmup_steps=warmup_steps,
    )
    trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    trainer.train()
    return model
