"""ce.fit.optimizer_class+optimizer_params: `fit(optimizer_class, optimizer_params)` against `optim` and its settings."""

from conformance import Case, NegativeControl, Scenario, Tier

import _ce

EPS = 1e-7

scenario = Scenario(
    row="ce.fit.optimizer_class+optimizer_params",
    relation=(
        f"fit builds optimizer_class(groups, **optimizer_params), here torch AdamW with eps={EPS}; the Trainer "
        "builds torch AdamW for optim='adamw_torch' with eps from adam_epsilon. The optimizer class and its group "
        "settings (eps, betas, weight decay, initial learning rate) match exactly, and the loss and learning rate "
        "at every step, the final weights and the held-out predict scores within the fp32 tolerance; the new side "
        "emits no deprecation warning. The guide's optim_args (case 'guide-optim-args', given as the string "
        "'eps=1e-07' that TrainingArguments takes) is an expected divergence: transformers reads optim_args only "
        "for a few optimizers and builds adamw_torch from adam_epsilon alone, so eps stays 1e-8."
    ),
    implicit_arguments={
        **_ce.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
        "adam_epsilon": f"{EPS}: the Trainer's setting for AdamW's eps, which optim_args does not reach",
        "learning_rate": f"{_ce.LEARNING_RATE}: in optimizer_params on the legacy side. The guide's "
        "optimizer_params={'eps': 1e-7} replaces fit's default {'lr': 2e-5}, so AdamW would fall back to its own "
        "lr of 1e-3; the scenario passes the rate on both sides",
    },
    negative_control=NegativeControl(
        {"adam_epsilon": None}, "the eps setting not carried over: AdamW runs with the Trainer's default eps of 1e-8"
    ),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts")},
    cases=(
        Case("adam-epsilon"),
        Case(
            "guide-optim-args",
            new_kwargs={"adam_epsilon": None, "optim_args": f"eps={EPS}"},
            expect="expected-divergence",
            reason=(
                "transformers 5.x builds torch AdamW for optim='adamw_torch' from learning_rate, adam_beta1/2 and "
                "adam_epsilon, and reads optim_args only for optimizers such as AdEMAMix or GaLore, so the eps "
                "passed there is ignored and stays 1e-8"
            ),
        ),
    ),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx):
    import torch

    model = _ce.load_model(ctx)
    train_dataloader = _ce.full_batch_loader(_ce.input_examples(ctx))

    training = _ce.legacy_training()
    training.pop("optimizer_params")
    with _ce.BuiltinLossProbe(ctx):
        model.fit(
            train_dataloader=train_dataloader,
            optimizer_class=torch.optim.AdamW,
            optimizer_params={"lr": _ce.LEARNING_RATE, "eps": EPS},
            **training,
        )
    return model


@scenario.new
def new(ctx, adam_epsilon=EPS, optim_args=None):
    from sentence_transformers.cross_encoder import CrossEncoderTrainer
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    model = _ce.load_model(ctx)
    train_dataset = _ce.pair_dataset(ctx)
    loss = ctx.probe(BinaryCrossEntropyLoss(model))

    optimizer = {"optim": "adamw_torch", "optim_args": optim_args}
    if adam_epsilon is not None:
        optimizer["adam_epsilon"] = adam_epsilon
    args = _ce.training_args(ctx, implicit=_ce.training_defaults(per_device_train_batch_size=len(train_dataset)), **optimizer)
    trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    trainer.train()
    return model
