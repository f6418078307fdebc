"""st.fit.checkpoint_path+checkpoint_save_steps+checkpoint_save_total_limit against the Trainer's save settings.

fit saves `<checkpoint_path>/<global step>` every `checkpoint_save_steps` steps and once more at the
end, then removes the oldest folders beyond `checkpoint_save_total_limit`. The Trainer saves
`<output_dir>/checkpoint-<global step>` every `save_steps` steps and at the last step (transformers
5.25 with save_strategy="steps"), keeping the newest `save_total_limit`.
"""

from conformance import NegativeControl, Scenario, Tier

import _st_fit

# 5 steps, a save every 2 and at the end (steps 2, 4, 5), the newest 2 kept (4 and 5).
EPOCHS = 5
SAVE_STEPS = 2
TOTAL_LIMIT = 2

scenario = Scenario(
    row="st.fit.checkpoint_path+checkpoint_save_steps+checkpoint_save_total_limit",
    relation=(
        "Checkpoint folders are keyed by global step, so fit's 'checkpoints/4' and the Trainer's "
        "'checkpoints/checkpoint-4' are the same checkpoint; the folder names are not compared. The kept steps "
        "must match exactly ([4, 5] of 5 steps saved every 2 steps and at the end, limit 2), and each kept "
        "checkpoint's module list, normalized config and tokenizer files exactly, its tensors within the fp32 "
        "tolerance. The Trainer's extra files (optimizer and scheduler state, trainer_state.json) are not "
        "compared. The loss and learning rate at every step, the optimizer's parameter groups, the final weights "
        "and the held-out embeddings match within the fp32 tolerance. The new side's evaluation loss on the "
        "eval_dataset (the guide evaluates at every save) is not compared: fit has none."
    ),
    implicit_arguments={
        **_st_fit.IMPLICIT_TRAINING,
        **_st_fit.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
        "num_train_epochs": f"{EPOCHS}: passed to both sides",
        "output_dir": "'checkpoints': the legacy checkpoint_path",
    },
    negative_control=NegativeControl(
        {"save_total_limit": None}, "save_total_limit left at the Trainer's default None, which keeps every checkpoint"
    ),
    artifacts=("loss", "learning_rate", "optimizer", "weights", "heldout", "observations", "warnings", "checkpoints"),
    tiers={"tiny": Tier(model="tiny-bert", data="st-fit-tiny", heldout="tiny-sts")},
)


@scenario.legacy
def legacy(ctx):
    from sentence_transformers import losses

    model = _st_fit.load_model(ctx)
    train_dataloader = _st_fit.full_batch_loader(_st_fit.triplet_examples(ctx))
    train_loss = ctx.probe(losses.MultipleNegativesRankingLoss(model))

    model.fit(
        train_objectives=[(train_dataloader, train_loss)],
        checkpoint_path="checkpoints",
        checkpoint_save_steps=SAVE_STEPS,
        checkpoint_save_total_limit=TOTAL_LIMIT,
        epochs=EPOCHS,
        warmup_steps=0,
        optimizer_params={"lr": _st_fit.LEARNING_RATE},
        show_progress_bar=False,
    )
    return model


@scenario.new
def new(ctx, save_total_limit=TOTAL_LIMIT):
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    model = _st_fit.load_model(ctx)
    train_dataset = _st_fit.triplet_dataset(ctx)
    eval_dataset = _st_fit.triplet_dataset(ctx, rows="swapped_triplets")
    loss = ctx.probe(MultipleNegativesRankingLoss(model))

    args = _st_fit.training_args(
        ctx,
        eval_strategy="steps",
        eval_steps=SAVE_STEPS,
        save_strategy="steps",
        save_steps=SAVE_STEPS,
        save_total_limit=save_total_limit,
        implicit=_st_fit.fit_defaults(
            output_dir="checkpoints",
            learning_rate=_st_fit.LEARNING_RATE,
            warmup_steps=0,
            num_train_epochs=EPOCHS,
            per_device_train_batch_size=len(train_dataset),
        ),
    )
    trainer = SentenceTransformerTrainer(
        model=model, args=args, train_dataset=train_dataset, eval_dataset=eval_dataset, loss=loss
    )
    trainer.train()
    return model
