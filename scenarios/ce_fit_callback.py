"""ce.fit.callback: fit's `callback(score, epoch, steps)` against a TrainerCallback's `on_evaluate`."""

from conformance import Case, NegativeControl, Scenario, Tier

import _ce

scenario = Scenario(
    row="ce.fit.callback",
    relation=(
        "fit calls callback(score, epoch, steps) after every evaluation; a TrainerCallback's on_evaluate receives "
        "the prefixed metrics dict and the Trainer state. Both need an evaluator (a CrossEncoderCorrelationEvaluator "
        "on the graded pairs) and, for the Trainer, eval_strategy='epoch'. Each call is keyed by the optimizer "
        "steps taken before it: the steps and the scores (the evaluator's primary metric, Spearman) match within "
        "the fp32 tolerance, and so do the loss and learning rate at every step, the final weights and the "
        "held-out predict scores. The arguments themselves differ by design (case 'raw-arguments', an expected "
        "divergence): fit passes the 0-based epoch index and -1 for the epoch's end, the Trainer state a float "
        "epoch that counts finished epochs and the global step."
    ),
    implicit_arguments={
        **_ce.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
        "evaluator": "a CrossEncoderCorrelationEvaluator on both sides: fit calls the callback only after an evaluation",
        "eval_strategy": "'epoch': fit evaluates at every epoch end; the Trainer's default 'no' never calls on_evaluate",
    },
    negative_control=NegativeControl({"callbacks": False}, "the callback not registered with the Trainer"),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-graded", heldout="tiny-sts")},
    cases=(
        Case("scores"),
        Case(
            "raw-arguments",
            {"raw_arguments": True},
            {"raw_arguments": True},
            expect="expected-divergence",
            reason=(
                "fit's callback receives (score, epoch index from 0, -1 at the epoch's end); on_evaluate reads "
                "state.epoch (a float, 1.0 after the first epoch) and state.global_step"
            ),
        ),
    ),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx, raw_arguments=False):
    model = _ce.load_model(ctx)
    train_dataloader = _ce.full_batch_loader(_ce.input_examples(ctx))
    calls = []

    with _ce.StepCounter() as counter, _ce.BuiltinLossProbe(ctx):

        def printer_callback(score, epoch, steps):
            calls.append({"after_step": counter.steps, "score": score, "epoch": epoch, "steps": steps})

        model.fit(
            train_dataloader=train_dataloader,
            evaluator=_ce.correlation_evaluator(ctx, name="tiny"),
            callback=printer_callback,
            **_ce.legacy_training(),
        )
    observe_calls(ctx, calls, raw_arguments)
    return model


@scenario.new
def new(ctx, callbacks=True, raw_arguments=False):
    from sentence_transformers.cross_encoder import CrossEncoderTrainer
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss
    from transformers import TrainerCallback

    model = _ce.load_model(ctx)
    train_dataset = _ce.pair_dataset(ctx)
    loss = ctx.probe(BinaryCrossEntropyLoss(model))
    evaluator = _ce.correlation_evaluator(ctx, name="tiny")
    calls = []

    with _ce.StepCounter() as counter:

        class PrinterCallback(TrainerCallback):
            def on_evaluate(self, args, state, control, metrics=None, **kwargs):
                score = metrics[f"eval_{_ce.metric_key(evaluator, 'spearman')}"]
                calls.append({"after_step": counter.steps, "score": score, "epoch": state.epoch, "steps": state.global_step})

        args = _ce.training_args(
            ctx, implicit=_ce.training_defaults(per_device_train_batch_size=len(train_dataset)), eval_strategy="epoch"
        )
        trainer = CrossEncoderTrainer(
            model=model,
            args=args,
            train_dataset=train_dataset,
            loss=loss,
            evaluator=evaluator,
            callbacks=[PrinterCallback()] if callbacks else [],
        )
        trainer.train()
    observe_calls(ctx, calls, raw_arguments)
    return model


def observe_calls(ctx, calls, raw_arguments):
    ctx.observe("callback_calls", [{"after_step": call["after_step"], "score": call["score"]} for call in calls])
    arguments = [[call["epoch"], call["steps"]] for call in calls]
    if raw_arguments:
        ctx.observe("callback_arguments", arguments)
    else:
        ctx.show("callback_arguments", arguments)
