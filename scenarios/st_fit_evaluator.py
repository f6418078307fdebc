"""st.fit.evaluator: `fit(evaluator=...)` against `SentenceTransformerTrainer(evaluator=...)`, with NanoBEIR offline.

fit calls its evaluator at the end of every epoch. The Trainer calls it at every evaluation, and the
guide's Trainer call alone never evaluates (the default eval_strategy is "no"), so the new side also
passes eval_strategy="epoch".
"""

from conformance import NegativeControl, Scenario, Tier

import _st_fit

EPOCHS = 3

scenario = Scenario(
    row="st.fit.evaluator",
    relation=(
        "The evaluator is NanoBEIREvaluator over the tiny retrieval set (anchors as queries, positives and "
        "negatives as the corpus) as its msmarco data set, with no hub access: the reference's evaluator reads "
        "it as a local BEIR folder through data_dir, upstream's reads the same rows as a local dataset folder "
        "through dataset_id. Each side's evaluator calls are reduced to (global step, metrics): fit's "
        "(epoch index, steps=-1) at an epoch's end is global step (epoch + 1) x steps per epoch, the Trainer's "
        "steps argument is its global step. The steps must match exactly (1, 2, 3: every epoch end) and every "
        "metric within the fp32 tolerance; the raw (epoch, steps) arguments are shown, not compared. The loss "
        "and learning rate at every step, the optimizer's parameter groups, the final weights and the held-out "
        "embeddings match within the fp32 tolerance. The new side's evaluation loss on eval_dataset is not "
        "compared: fit has none."
    ),
    implicit_arguments={
        **_st_fit.IMPLICIT_TRAINING,
        **_st_fit.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
        "num_train_epochs": f"{EPOCHS}: passed to both sides",
        "eval_strategy": "'epoch': fit evaluates at every epoch end; the Trainer's default 'no' never calls the evaluator",
    },
    negative_control=NegativeControl({"evaluator": None}, "the evaluator dropped from the Trainer call"),
    tiers={"tiny": Tier(model="tiny-bert", data="st-fit-tiny", heldout="tiny-sts")},
)


@scenario.legacy
def legacy(ctx):
    from sentence_transformers import losses

    model = _st_fit.load_model(ctx)
    train_dataloader = _st_fit.full_batch_loader(_st_fit.triplet_examples(ctx))
    train_loss = ctx.probe(losses.MultipleNegativesRankingLoss(model))

    # Load an evaluator (offline: see _st_fit.nano_beir_evaluator)
    log = _st_fit.EvaluationLog(legacy_steps_per_epoch=len(train_dataloader))
    evaluator = log.watch(_st_fit.nano_beir_evaluator(ctx))

    model.fit(
        train_objectives=[(train_dataloader, train_loss)],
        evaluator=evaluator,
        epochs=EPOCHS,
        warmup_steps=0,
        optimizer_params={"lr": _st_fit.LEARNING_RATE},
        show_progress_bar=False,
    )
    ctx.observe("evaluations", log.events())
    ctx.show("evaluator_arguments", log.arguments())
    return model


@scenario.new
def new(ctx, evaluator="nano-beir"):
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    model = _st_fit.load_model(ctx)
    train_dataset = _st_fit.triplet_dataset(ctx)
    eval_dataset = _st_fit.triplet_dataset(ctx, rows="swapped_triplets")
    loss = ctx.probe(MultipleNegativesRankingLoss(model))

    # Load an evaluator (offline: see _st_fit.nano_beir_evaluator)
    log = _st_fit.EvaluationLog()
    evaluator = log.watch(_st_fit.nano_beir_evaluator(ctx)) if evaluator else None

    args = _st_fit.training_args(
        ctx,
        implicit=_st_fit.fit_defaults(
            eval_strategy="epoch",
            learning_rate=_st_fit.LEARNING_RATE,
            warmup_steps=0,
            num_train_epochs=EPOCHS,
            per_device_train_batch_size=len(train_dataset),
        ),
    )
    trainer = SentenceTransformerTrainer(
        model=model,
        args=args,
        train_dataset=train_dataset,
        eval_dataset=eval_dataset,
        loss=loss,
        evaluator=evaluator,
    )
    trainer.train()
    ctx.observe("evaluations", log.events())
    ctx.show("evaluator_arguments", log.arguments())
    return model
