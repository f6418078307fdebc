"""ce.fit.show_progress_bar: `fit(show_progress_bar=True)` against `CrossEncoderTrainingArguments(disable_tqdm=False)`."""

from conformance import NegativeControl, Scenario, Tier

import _ce

scenario = Scenario(
    row="ce.fit.show_progress_bar",
    relation=(
        "Both sides print a tqdm progress bar while training (fit an 'Epoch' and an 'Iteration' bar, the Trainer one "
        "bar over all steps): whether a bar was shown matches exactly, the number of bar updates differs by design "
        "and is not compared. The training itself (loss and learning rate at every step, optimizer groups, final "
        "weights, held-out predict scores) matches within the fp32 tolerance, and the new side emits no "
        "deprecation warning."
    ),
    implicit_arguments=_ce.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
    negative_control=NegativeControl({"disable_tqdm": True}, "disable_tqdm=True: no progress bar"),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts")},
    artifacts=("loss", "learning_rate", "optimizer", "weights", "heldout", "observations", "warnings", "progress"),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx):
    model = _ce.load_model(ctx)
    train_dataloader = _ce.full_batch_loader(_ce.input_examples(ctx))

    with _ce.BuiltinLossProbe(ctx):
        model.fit(train_dataloader=train_dataloader, **_ce.legacy_training(show_progress_bar=True))
    return model


@scenario.new
def new(ctx, disable_tqdm=False):
    from sentence_transformers.cross_encoder import CrossEncoderTrainer
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    model = _ce.load_model(ctx)
    train_dataset = _ce.pair_dataset(ctx)
    loss = ctx.probe(BinaryCrossEntropyLoss(model))

    args = _ce.training_args(
        ctx, implicit=_ce.training_defaults(per_device_train_batch_size=len(train_dataset)), disable_tqdm=disable_tqdm
    )
    trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    trainer.train()
    return model
