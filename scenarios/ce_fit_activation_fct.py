"""ce.fit.activation_fct: `fit(activation_fct=...)` against a loss's `activation_fn`."""

from conformance import Case, NegativeControl, Scenario, Tier

import _ce

scenario = Scenario(
    row="ce.fit.activation_fct",
    relation=(
        "fit applies activation_fct to the logits before its loss; the Trainer's losses take the same function as "
        "activation_fn. The guide pairs it with MSELoss, whose legacy form is fit(loss_fct=torch.nn.MSELoss()) "
        "(case 'mse'); with fit's default loss the match is BinaryCrossEntropyLoss(model, activation_fn=...) "
        "(case 'default-loss'). On graded pairs with one full batch per epoch, the loss and learning rate at every "
        "step, the optimizer groups, the final weights and the held-out predict scores match within the fp32 "
        "tolerance, and the new side emits no deprecation warning."
    ),
    implicit_arguments={
        **_ce.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
        "loss": "case 'mse': MSELoss(model), whose legacy form loss_fct=torch.nn.MSELoss() the guide's '...' carries over "
        "from the loss_fct row; case 'default-loss': BinaryCrossEntropyLoss(model), fit's default for one label",
    },
    negative_control=NegativeControl(
        {"activation_fn": None}, "activation_fn dropped: the loss sees the raw logits instead of their sigmoid"
    ),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-graded", heldout="tiny-sts")},
    cases=(
        Case("mse", {"loss": "mse"}, {"loss": "mse"}),
        Case("default-loss", {"loss": None}, {"loss": "bce"}),
    ),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx, loss="mse"):
    import torch

    model = _ce.load_model(ctx)
    train_dataloader = _ce.full_batch_loader(_ce.input_examples(ctx))

    if loss == "mse":
        model.fit(
            train_dataloader=train_dataloader,
            loss_fct=ctx.probe(torch.nn.MSELoss()),
            activation_fct=torch.nn.Sigmoid(),
            **_ce.legacy_training(),
        )
    else:
        with _ce.BuiltinLossProbe(ctx):
            model.fit(train_dataloader=train_dataloader, activation_fct=torch.nn.Sigmoid(), **_ce.legacy_training())
    return model


@scenario.new
def new(ctx, loss="mse", activation_fn="Sigmoid"):
    import torch
    from sentence_transformers.cross_encoder import CrossEncoderTrainer
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss, MSELoss

    model = _ce.load_model(ctx)
    train_dataset = _ce.pair_dataset(ctx)
    activation = torch.nn.Identity() if activation_fn is None else getattr(torch.nn, activation_fn)()
    loss_class = MSELoss if loss == "mse" else BinaryCrossEntropyLoss
    train_loss = ctx.probe(loss_class(model, activation_fn=activation))

    args = _ce.training_args(ctx, implicit=_ce.training_defaults(per_device_train_batch_size=len(train_dataset)))
    trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=train_dataset, loss=train_loss)
    trainer.train()
    return model
