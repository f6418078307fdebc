"""ce.fit.epochs: `fit(epochs=...)` against `CrossEncoderTrainingArguments(num_train_epochs=...)`, on three classes."""

from conformance import NegativeControl, Scenario, Tier

import _ce

# Not the Trainer's default of 3, so that dropping the argument changes the run.
EPOCHS = _ce.EPOCHS

scenario = Scenario(
    row="ce.fit.epochs",
    relation=(
        f"fit(epochs={EPOCHS}) and num_train_epochs={EPOCHS} take the same {EPOCHS} full-batch steps on a three-label "
        "model: the loss and learning rate at every step, the optimizer groups, the final weights and the held-out "
        "class scores match within the fp32 tolerance, and the new side emits no deprecation warning. fit's "
        "default loss for several labels (torch CrossEntropyLoss, recorded by a global hook) is CrossEntropyLoss(model)."
    ),
    implicit_arguments={
        **_ce.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
        "num_train_epochs": f"{EPOCHS}: the row's argument, passed to both",
        "loss": "CrossEntropyLoss(model): fit's default loss for more than one label",
    },
    negative_control=NegativeControl(
        {"num_train_epochs": None}, "num_train_epochs dropped: the Trainer's default of 3 epochs runs one step more"
    ),
    tiers={
        "tiny": Tier(model="tiny-ce-3label", data="tiny-pairs-3class", heldout="tiny-sts"),
        "real": Tier(model="minilm-ce-3label", data="snli-pairs", heldout="stsb-dev"),
    },
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx):
    model = _ce.load_model(ctx)
    train_dataloader = _ce.full_batch_loader(_ce.input_examples(ctx))

    with _ce.BuiltinLossProbe(ctx):
        model.fit(train_dataloader=train_dataloader, **_ce.legacy_training(epochs=EPOCHS))
    return model


@scenario.new
def new(ctx, num_train_epochs=EPOCHS):
    from sentence_transformers.cross_encoder import CrossEncoderTrainer
    from sentence_transformers.cross_encoder.losses import CrossEntropyLoss

    model = _ce.load_model(ctx)
    train_dataset = _ce.pair_dataset(ctx)
    loss = ctx.probe(CrossEntropyLoss(model))

    implicit = _ce.training_defaults(per_device_train_batch_size=len(train_dataset))
    implicit.pop("num_train_epochs")
    epochs = {} if num_train_epochs is None else {"num_train_epochs": num_train_epochs}
    args = _ce.training_args(ctx, implicit=implicit, **epochs)
    trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    trainer.train()
    return model
