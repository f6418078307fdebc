"""st.fit.optimizer_class+optimizer_params: `fit(optimizer_class, optimizer_params)` against `optim` and the Adam settings.

fit builds `optimizer_class(parameter_groups, **optimizer_params)`, and `optimizer_params` replaces
fit's whole default `{"lr": 2e-5}`: `{"eps": 1e-7}` alone trains at AdamW's own default learning
rate of 1e-3. In transformers 5.25, `optim="adamw_torch"` builds torch.optim.AdamW from
`learning_rate`, `adam_beta1`, `adam_beta2` and `adam_epsilon`. `optim_args` must be a
"key=value,..." string (a dict raises AttributeError when the optimizer is built), and adamw_torch
reads no key from it, so the epsilon must go through `adam_epsilon`.
"""

from conformance import Case, NegativeControl, Scenario, Tier

import _st_fit

EPOCHS = 3
EPSILON = 1e-7

scenario = Scenario(
    row="st.fit.optimizer_class+optimizer_params",
    relation=(
        "fit's optimizer_class=torch.optim.AdamW with optimizer_params={'lr': 5e-6, 'eps': 1e-7} and the Trainer's "
        "optim='adamw_torch' with learning_rate=5e-6 and adam_epsilon=1e-7 build the same optimizer: its class and "
        "each parameter group's settings (eps, betas, weight decay, initial learning rate, members) match exactly, "
        "and the loss and learning rate at every step, the final weights and the held-out embeddings match within "
        "the fp32 tolerance. The guide's optim_args={'eps': 1e-7} is not used for the equivalent case: transformers "
        "5.25 raises AttributeError for a dict there. Passed as the string 'eps=1e-7' it is accepted and ignored by "
        "adamw_torch, which the second case shows."
    ),
    implicit_arguments={
        **_st_fit.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
        "learning_rate": (
            f"{_st_fit.LEARNING_RATE}: passed to both sides (fit inside optimizer_params); without 'lr' in "
            "optimizer_params fit would train at AdamW's default 1e-3"
        ),
        "adam_epsilon": (
            "1e-7: the Trainer's way to set AdamW's eps for optim='adamw_torch', in place of the guide's optim_args"
        ),
        "warmup_steps": _st_fit.IMPLICIT_TRAINING["warmup_steps"],
        "num_train_epochs": f"{EPOCHS}: passed to both sides",
    },
    negative_control=NegativeControl({"adam_epsilon": 1e-8}, "adam_epsilon left at the Trainer's default 1e-8"),
    cases=(
        Case("adam-epsilon", new_kwargs={"adam_epsilon": EPSILON}),
        Case(
            "optim-args-string",
            new_kwargs={"optim_args": f"eps={EPSILON}"},
            expect="expected-divergence",
            reason=(
                "transformers hands optim_args only to optimizers that read them; adamw_torch takes eps from "
                "adam_epsilon, so the Trainer's AdamW keeps eps=1e-8 while fit's has 1e-7"
            ),
        ),
    ),
    tiers={"tiny": Tier(model="tiny-bert", data="st-fit-tiny", heldout="tiny-sts")},
)


@scenario.legacy
def legacy(ctx):
    import torch
    from sentence_transformers import losses

    model = _st_fit.load_model(ctx)
    train_dataloader = _st_fit.full_batch_loader(_st_fit.triplet_examples(ctx))
    train_loss = ctx.probe(losses.MultipleNegativesRankingLoss(model))

    model.fit(
        train_objectives=[(train_dataloader, train_loss)],
        optimizer_class=torch.optim.AdamW,
        optimizer_params={"lr": _st_fit.LEARNING_RATE, "eps": EPSILON},
        epochs=EPOCHS,
        warmup_steps=0,
        show_progress_bar=False,
    )
    return model


@scenario.new
def new(ctx, adam_epsilon=1e-8, optim_args=None):
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    model = _st_fit.load_model(ctx)
    train_dataset = _st_fit.triplet_dataset(ctx)
    loss = ctx.probe(MultipleNegativesRankingLoss(model))

    args = _st_fit.training_args(
        ctx,
        optim="adamw_torch",
        optim_args=optim_args,
        adam_epsilon=adam_epsilon,
        implicit=_st_fit.fit_defaults(
            learning_rate=_st_fit.LEARNING_RATE,
            warmup_steps=0,
            num_train_epochs=EPOCHS,
            per_device_train_batch_size=len(train_dataset),
        ),
    )
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    trainer.train()
    return model
