"""ce.fit.train_dataloader: a DataLoader of InputExample pairs against a `datasets.Dataset` of the same pairs."""

from conformance import NegativeControl, Scenario, Tier

import _ce

scenario = Scenario(
    row="ce.fit.train_dataloader",
    relation=(
        "The DataLoader's InputExample(texts=[first, second], label) become the Dataset columns sentence_1, "
        "sentence_2 and label, and its batch size becomes per_device_train_batch_size. With one full batch per "
        "epoch both sides take the same optimizer steps: the loss and learning rate at every step, the optimizer "
        "groups, the final weights and the held-out predict scores match within the fp32 tolerance, and the new "
        "side emits no deprecation warning. fit's default loss (BCEWithLogitsLoss, recorded by a global hook) "
        "is the guide's BinaryCrossEntropyLoss. Data order is left free: one full batch makes the loss "
        "independent of it up to float rounding."
    ),
    implicit_arguments=_ce.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
    negative_control=NegativeControl(
        {"per_device_train_batch_size": None},
        "the DataLoader's batch size not carried over: the Trainer's default of 8 takes two steps per epoch instead of one",
    ),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts")},
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx):
    from sentence_transformers import CrossEncoder, InputExample
    from torch.utils.data import DataLoader

    model = CrossEncoder(ctx.model_path, device=ctx.device)
    train_examples = [InputExample(texts=list(pair), label=label) for pair, label in zip(ctx.data["pairs"], ctx.data["labels"])]
    train_dataloader = DataLoader(train_examples, shuffle=True, batch_size=len(train_examples))

    with _ce.BuiltinLossProbe(ctx):
        model.fit(train_dataloader=train_dataloader, **_ce.legacy_training())
    return model


@scenario.new
def new(ctx, per_device_train_batch_size="all"):
    from datasets import Dataset
    from sentence_transformers.cross_encoder import CrossEncoder, CrossEncoderTrainer
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    model = CrossEncoder(ctx.model_path, device=ctx.device)
    train_examples = [
        {"sentence_1": first, "sentence_2": second, "label": label}
        for (first, second), label in zip(ctx.data["pairs"], ctx.data["labels"])
    ]
    train_dataset = Dataset.from_list(train_examples)
    loss = ctx.probe(BinaryCrossEntropyLoss(model))

    batch = {} if per_device_train_batch_size is None else {"per_device_train_batch_size": len(train_dataset)}
    args = _ce.training_args(ctx, implicit=_ce.training_defaults(**batch))
    trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    trainer.train()
    return model
