"""ce.fit.max_grad_norm: `fit(max_grad_norm=...)` against `CrossEncoderTrainingArguments(max_grad_norm=...)`."""

from conformance import NegativeControl, Scenario, Tier

import _ce

# Below the tiny model's unclipped gradient norm at every step, so clipping acts on each of them.
MAX_GRAD_NORM = 0.01

scenario = Scenario(
    row="ce.fit.max_grad_norm",
    relation=(
        f"Both sides clip the gradient norm to {MAX_GRAD_NORM} before every optimizer step: the gradient norm the "
        "optimizer applies at every step (recorded by a global optimizer hook) matches, and so do the loss and "
        "learning rate at every step, the optimizer groups, the final weights and the held-out predict scores "
        "within the fp32 tolerance. The new side emits no deprecation warning."
    ),
    implicit_arguments={
        **_ce.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
        "max_grad_norm": f"{MAX_GRAD_NORM}: the row's argument, passed to both",
    },
    negative_control=NegativeControl({"max_grad_norm": None}, "max_grad_norm left at the Trainer's default 1.0"),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts")},
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx):
    model = _ce.load_model(ctx)
    train_dataloader = _ce.full_batch_loader(_ce.input_examples(ctx))

    with _ce.BuiltinLossProbe(ctx), _ce.GradNormRecorder() as norms:
        model.fit(train_dataloader=train_dataloader, max_grad_norm=MAX_GRAD_NORM, **_ce.legacy_training())
    ctx.observe("grad_norm_per_step", norms.values)
    return model


@scenario.new
def new(ctx, max_grad_norm=MAX_GRAD_NORM):
    from sentence_transformers.cross_encoder import CrossEncoderTrainer
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    model = _ce.load_model(ctx)
    train_dataset = _ce.pair_dataset(ctx)
    loss = ctx.probe(BinaryCrossEntropyLoss(model))

    clipping = {} if max_grad_norm is None else {"max_grad_norm": max_grad_norm}
    args = _ce.training_args(ctx, implicit=_ce.training_defaults(per_device_train_batch_size=len(train_dataset)), **clipping)
    trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    with _ce.GradNormRecorder() as norms:
        trainer.train()
    ctx.observe("grad_norm_per_step", norms.values)
    return model
