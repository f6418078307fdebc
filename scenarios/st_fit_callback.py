"""st.fit.callback: `fit(callback=f)` with `f(score, epoch, steps)` against a TrainerCallback's `on_evaluate`.

fit calls the callback after every evaluation with the evaluator's primary score, the 0-based
epoch index and the steps within the epoch (-1 at the epoch's end), all but the score ints. A
TrainerCallback's on_evaluate receives the metrics dict ("eval_" + the evaluator's metric names) and
the TrainerState, whose epoch is a float and whose global_step counts all steps. The guide's
printer formats state.epoch with ":d", which raises ValueError for a float; the new side here
formats it with ":.2f".
"""

from conformance import NegativeControl, Scenario, Tier

import _st_fit

EPOCHS = 3

scenario = Scenario(
    row="st.fit.callback",
    relation=(
        "The evaluator is InformationRetrievalEvaluator over the tiny retrieval set; fit calls it at every epoch "
        "end, and the new side evaluates at every epoch end too (eval_strategy='epoch'). Each callback call is "
        "reduced to (global step, score): the legacy callback's (epoch index, steps=-1) is global step "
        "(epoch + 1) x steps per epoch, formatted with ':d' as a 2.x callback does (a float epoch raises); the "
        "TrainerCallback's step is state.global_step and its score metrics['eval_' + primary metric]. The steps "
        "must match exactly (1, 2, 3) and the scores within the fp32 tolerance; the printed lines are shown, not "
        "compared. The loss and learning rate at every step, the optimizer's parameter groups, the final weights "
        "and the held-out embeddings match within the fp32 tolerance."
    ),
    implicit_arguments={
        **_st_fit.IMPLICIT_TRAINING,
        **_st_fit.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
        "num_train_epochs": f"{EPOCHS}: passed to both sides",
        "evaluator": "the legacy evaluator: on_evaluate only runs when the Trainer evaluates",
        "eval_strategy": "'epoch': fit evaluates, and calls back, at every epoch end",
    },
    negative_control=NegativeControl({"with_callback": False}, "the callback not registered with the Trainer"),
    tiers={"tiny": Tier(model="tiny-bert", data="st-fit-tiny", heldout="tiny-sts")},
)


@scenario.legacy
def legacy(ctx):
    from sentence_transformers import losses

    model = _st_fit.load_model(ctx)
    train_dataloader = _st_fit.full_batch_loader(_st_fit.triplet_examples(ctx))
    train_loss = ctx.probe(losses.MultipleNegativesRankingLoss(model))
    evaluator = _st_fit.retrieval_evaluator(ctx)
    calls, printed = [], []

    def printer_callback(score, epoch, steps):
        printed.append(f"Score: {score:.4f} at epoch {epoch:d}, step {steps:d}")
        steps_done = len(train_dataloader) if steps == -1 else steps
        calls.append({"global_step": epoch * len(train_dataloader) + steps_done, "score": score})

    model.fit(
        train_objectives=[(train_dataloader, train_loss)],
        evaluator=evaluator,
        callback=printer_callback,
        epochs=EPOCHS,
        warmup_steps=0,
        optimizer_params={"lr": _st_fit.LEARNING_RATE},
        show_progress_bar=False,
    )
    ctx.observe("callback_calls", calls)
    ctx.show("printed", printed)
    return model


@scenario.new
def new(ctx, with_callback=True):
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.losses import MultipleNegativesRankingLoss
    from transformers import TrainerCallback

    model = _st_fit.load_model(ctx)
    train_dataset = _st_fit.triplet_dataset(ctx)
    loss = ctx.probe(MultipleNegativesRankingLoss(model))
    evaluator = _st_fit.retrieval_evaluator(ctx)
    calls, printed = [], []

    class PrinterCallback(TrainerCallback):
        def on_evaluate(self, args, state, control, metrics=None, **kwargs):
            score = metrics[f"eval_{evaluator.primary_metric}"]
            printed.append(f"Metrics: {metrics} at epoch {state.epoch:.2f}, step {state.global_step:d}")
            calls.append({"global_step": state.global_step, "score": score})

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
        loss=loss,
        evaluator=evaluator,
        callbacks=[PrinterCallback()] if with_callback else [],
    )
    trainer.train()
    ctx.observe("callback_calls", calls)
    ctx.show("printed", printed)
    return model
