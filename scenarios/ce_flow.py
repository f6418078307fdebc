"""ce.flow: the guide's old CrossEncoder training flow against the new one, on scored text pairs.

Legacy: `model.fit(train_dataloader=DataLoader(InputExamples), epochs, warmup_steps)`, whose default
loss for one label is BCEWithLogitsLoss on the logit.
New: `CrossEncoderTrainer(model, args, train_dataset, loss=BinaryCrossEntropyLoss(model)).train()`.
"""

from conformance import NegativeControl, Scenario, Tier

import _ce

# Longer than the 4 steps, so the learning rate only rises: its sum stays at 6e-6, which keeps the
# batch-order noise (see _ce.LEARNING_RATE) inside the tolerance at fit's default rate of 2e-5.
WARMUP_STEPS = 20

scenario = Scenario(
    row="ce.flow",
    relation=(
        "With the same saved initial model, dropout off and one full batch per epoch, both flows take the same "
        "optimizer steps: the training loss and learning rate at every step, the optimizer's two weight-decay "
        "groups, the final weights and the harness's held-out predict scores match within the fp32 tolerance "
        "(the real tier's override on MiniLM), and the new flow emits no deprecation warning. The legacy loss is "
        "the BCEWithLogitsLoss that fit builds itself, recorded by a global hook on torch loss modules; the new "
        "one is the BinaryCrossEntropyLoss the guide passes. Data order is left free: one full batch makes the "
        "loss independent of it up to float rounding."
    ),
    implicit_arguments={
        **_ce.implicit_arguments("learning_rate", "weight_decay", "lr_scheduler_type", "per_device_train_batch_size", training=False),
        "warmup_steps": f"{WARMUP_STEPS}: passed to both, as the guide's old flow passes warmup_steps; the Trainer's default is 0",
        "num_train_epochs": f"{_ce.EPOCHS}: the same as fit's epochs",
        "max_grad_norm": "1.0: the same default on both sides",
    },
    negative_control=NegativeControl(
        {"guide_defaults_only": True},
        "the guide's new flow exactly as printed, with the Trainer's own defaults (lr 5e-5, no weight decay, no warmup, batch size 8, 3 epochs)",
    ),
    tiers={
        "tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts"),
        "real": Tier(model="minilm-ce-1label", data="stsb-pairs", heldout="stsb-dev"),
    },
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
        model.fit(train_dataloader=train_dataloader, epochs=_ce.EPOCHS, warmup_steps=WARMUP_STEPS, show_progress_bar=False)
    return model


@scenario.new
def new(ctx, guide_defaults_only=False):
    from datasets import Dataset
    from sentence_transformers.cross_encoder import CrossEncoder, CrossEncoderTrainer
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    model = CrossEncoder(ctx.model_path, device=ctx.device)
    train_dataset = Dataset.from_dict(
        {
            "sentence_A": [first for first, _ in ctx.data["pairs"]],
            "sentence_B": [second for _, second in ctx.data["pairs"]],
            "labels": list(ctx.data["labels"]),
        }
    )
    loss = ctx.probe(BinaryCrossEntropyLoss(model))

    implicit = _ce.fit_defaults(
        warmup_steps=WARMUP_STEPS, num_train_epochs=_ce.EPOCHS, per_device_train_batch_size=len(train_dataset)
    )
    args = _ce.training_args(ctx, implicit={} if guide_defaults_only else implicit)
    trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    trainer.train()
    return model
