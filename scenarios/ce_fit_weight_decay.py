"""ce.fit.weight_decay: `fit(weight_decay=...)` against `CrossEncoderTrainingArguments(weight_decay=...)`."""

from conformance import NegativeControl, Scenario, Tier

import _ce

# Large, so that the decay moves the weights far beyond the fp32 tolerance within 4 steps:
# AdamW shrinks each decayed weight by lr * weight_decay = 4e-5 of its value per step.
WEIGHT_DECAY = 20.0

scenario = Scenario(
    row="ce.fit.weight_decay",
    relation=(
        "Both sides decay every parameter except biases and LayerNorm weights: the optimizer's two parameter groups "
        f"(their members, and weight decay {WEIGHT_DECAY} and 0.0) match exactly, and the loss and learning rate "
        "at every step, the final weights and the held-out predict scores match within the fp32 tolerance (the "
        "real tier's override on MiniLM). The tiny tier trains one label with fit's default loss, the real tier "
        "three SNLI classes, where fit's default is torch CrossEntropyLoss and the Trainer's CrossEntropyLoss(model)."
    ),
    implicit_arguments={
        **_ce.implicit_arguments("lr_scheduler_type", "per_device_train_batch_size"),
        "loss": "fit's default: BinaryCrossEntropyLoss(model) for one label, CrossEntropyLoss(model) for three",
    },
    negative_control=NegativeControl(
        {"weight_decay": 0.0}, "weight_decay left at the Trainer's default 0.0, so no parameter is decayed"
    ),
    tiers={
        "tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts"),
        "real": Tier(model="minilm-ce-3label", data="snli-pairs", heldout="stsb-dev"),
    },
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx):
    model = _ce.load_model(ctx)
    train_dataloader = _ce.full_batch_loader(_ce.input_examples(ctx))

    with _ce.BuiltinLossProbe(ctx):
        model.fit(train_dataloader=train_dataloader, weight_decay=WEIGHT_DECAY, **_ce.legacy_training())
    return model


@scenario.new
def new(ctx, weight_decay=WEIGHT_DECAY):
    from sentence_transformers.cross_encoder import CrossEncoderTrainer

    model = _ce.load_model(ctx)
    train_dataset = _ce.pair_dataset(ctx)
    loss = ctx.probe(_ce.fit_default_loss(model))

    args = _ce.training_args(
        ctx,
        implicit=_ce.training_defaults(per_device_train_batch_size=len(train_dataset)),
        weight_decay=weight_decay,
    )
    trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    trainer.train()
    return model
