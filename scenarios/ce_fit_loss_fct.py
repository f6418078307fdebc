"""ce.fit.loss_fct: `fit(loss_fct=torch.nn.MSELoss())` against `CrossEncoderTrainer(loss=MSELoss(model))`."""

from conformance import Case, NegativeControl, Scenario, Tier

import _ce

scenario = Scenario(
    row="ce.fit.loss_fct",
    relation=(
        "fit applies torch.nn.MSELoss to the flattened logit and the float label; MSELoss(model) does the same. "
        "On graded pairs with one full batch per epoch, the loss and learning rate at every step, the optimizer "
        "groups, the final weights and the held-out predict scores match within the fp32 tolerance, and the new "
        "side emits no deprecation warning. A loss that needs one logit given a three-label model (bad input) "
        "must raise the same kind of error on both sides: a loss_fct of BCEWithLogitsLoss in fit, and "
        "BinaryCrossEntropyLoss(model) for the Trainer."
    ),
    implicit_arguments=_ce.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
    negative_control=NegativeControl(
        {"loss": None}, "the loss dropped: the Trainer falls back to BinaryCrossEntropyLoss, a different objective"
    ),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-graded", heldout="tiny-sts")},
    cases=(
        Case("default"),
        Case("three-labels", {"num_labels": 3}, {"num_labels": 3, "loss": "bce"}, expect_exception=True),
    ),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx, num_labels=None):
    import torch
    from sentence_transformers import CrossEncoder

    if num_labels is None:
        model = CrossEncoder(ctx.model_path, device=ctx.device)
        loss_fct = ctx.probe(torch.nn.MSELoss())
    else:
        # A fresh head with `num_labels` outputs on the saved encoder.
        model = CrossEncoder(ctx.model_path, num_labels=num_labels, automodel_args={"ignore_mismatched_sizes": True}, device=ctx.device)
        loss_fct = ctx.probe(torch.nn.BCEWithLogitsLoss())
    train_dataloader = _ce.full_batch_loader(_ce.input_examples(ctx))

    model.fit(train_dataloader=train_dataloader, loss_fct=loss_fct, **_ce.legacy_training())
    return model


@scenario.new
def new(ctx, loss="mse", num_labels=None):
    from sentence_transformers.cross_encoder import CrossEncoder, CrossEncoderTrainer
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss, MSELoss

    if num_labels is None:
        model = CrossEncoder(ctx.model_path, device=ctx.device)
    else:
        model = CrossEncoder(ctx.model_path, num_labels=num_labels, model_kwargs={"ignore_mismatched_sizes": True}, device=ctx.device)
    train_dataset = _ce.pair_dataset(ctx)
    losses = {"mse": MSELoss, "bce": BinaryCrossEntropyLoss}
    train_loss = None if loss is None else ctx.probe(losses[loss](model))

    args = _ce.training_args(ctx, implicit=_ce.training_defaults(per_device_train_batch_size=len(train_dataset)))
    trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=train_dataset, loss=train_loss)
    if train_loss is None:
        ctx.probe(trainer.loss)
    trainer.train()
    return model
