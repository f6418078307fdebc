"""st.fit.evaluation_steps: `fit(evaluator, evaluation_steps=...)` against `eval_strategy="steps", eval_steps=...`.

fit counts evaluation_steps within each epoch and also evaluates at every epoch end. The Trainer
counts eval_steps over the whole run and also evaluates at the last step. With one step per epoch the
two agree for evaluation_steps=1 and part for 2.
"""

from conformance import Case, NegativeControl, Scenario, Tier

import _st_fit

EPOCHS = 4

scenario = Scenario(
    row="st.fit.evaluation_steps",
    relation=(
        "The evaluator is EmbeddingSimilarityEvaluator over the scored anchor/positive (1.0) and anchor/negative "
        "(0.0) pairs. Each side's evaluator calls are reduced to (global step, metrics): fit's (epoch index, steps "
        "within the epoch) is global step epoch x steps per epoch + steps, -1 meaning the epoch's last step, and "
        "fit's two calls at an epoch's last step (within the epoch, then at its end, on the same weights) count "
        "once; the Trainer's steps argument is its global step. With one step per epoch and 4 epochs, "
        "evaluation_steps=1 and eval_steps=1 must evaluate at steps 1-4 exactly, with every metric within the "
        "fp32 tolerance; the raw (epoch, steps) arguments are shown, not compared. The loss and learning rate at "
        "every step, the optimizer's parameter groups, the final weights and the held-out embeddings match within "
        "the fp32 tolerance. The new side's evaluation loss on eval_dataset is not compared: fit has none."
    ),
    implicit_arguments={
        **_st_fit.IMPLICIT_TRAINING,
        **_st_fit.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
        "num_train_epochs": f"{EPOCHS}: passed to both sides",
    },
    negative_control=NegativeControl({"eval_strategy": "no"}, "eval_strategy left at the Trainer's default 'no'"),
    cases=(
        Case("every-step", legacy_kwargs={"evaluation_steps": 1}, new_kwargs={"eval_steps": 1}),
        Case(
            "every-second-step",
            legacy_kwargs={"evaluation_steps": 2},
            new_kwargs={"eval_steps": 2},
            expect="expected-divergence",
            reason=(
                "fit evaluates at every epoch end in addition to every evaluation_steps steps counted within the "
                "epoch, so it evaluates after steps 1, 2, 3 and 4; eval_strategy='steps' only evaluates at global "
                "steps 2 and 4"
            ),
        ),
    ),
    tiers={"tiny": Tier(model="tiny-bert", data="st-fit-tiny", heldout="tiny-sts")},
)


@scenario.legacy
def legacy(ctx, evaluation_steps):
    from sentence_transformers import losses

    model = _st_fit.load_model(ctx)
    train_dataloader = _st_fit.full_batch_loader(_st_fit.triplet_examples(ctx))
    train_loss = ctx.probe(losses.MultipleNegativesRankingLoss(model))
    log = _st_fit.EvaluationLog(legacy_steps_per_epoch=len(train_dataloader))
    evaluator = log.watch(_st_fit.similarity_evaluator(ctx))

    model.fit(
        train_objectives=[(train_dataloader, train_loss)],
        evaluator=evaluator,
        evaluation_steps=evaluation_steps,
        epochs=EPOCHS,
        warmup_steps=0,
        optimizer_params={"lr": _st_fit.LEARNING_RATE},
        show_progress_bar=False,
    )
    ctx.observe("evaluations", log.events())
    ctx.show("evaluator_arguments", log.arguments())
    return model


@scenario.new
def new(ctx, eval_steps, eval_strategy="steps"):
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    model = _st_fit.load_model(ctx)
    train_dataset = _st_fit.triplet_dataset(ctx)
    eval_dataset = _st_fit.triplet_dataset(ctx, rows="swapped_triplets")
    loss = ctx.probe(MultipleNegativesRankingLoss(model))
    log = _st_fit.EvaluationLog()
    evaluator = log.watch(_st_fit.similarity_evaluator(ctx))

    args = _st_fit.training_args(
        ctx,
        eval_strategy=eval_strategy,
        eval_steps=eval_steps,
        implicit=_st_fit.fit_defaults(
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
