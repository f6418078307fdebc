"""ce.fit.output_path+save_best_model: fit's best-model saving against `load_best_model_at_end` and `save_pretrained`."""

from conformance import NegativeControl, Scenario, Tier

import _ce

OUTPUT_PATH = "my/path"

scenario = Scenario(
    row="ce.fit.output_path+save_best_model",
    relation=(
        "fit saves the model to output_path whenever the evaluator's primary metric improves; the Trainer keeps "
        "epoch checkpoints, loads the best one at the end, and the guide saves it to the same path. The evaluator "
        "is a CrossEncoderCorrelationEvaluator whose primary metric is set to Pearson against 1 - label, so it "
        "falls as the model learns and the best model is the first evaluated one, not the last. Each side returns "
        f"the model loaded from '{OUTPUT_PATH}': its weights and held-out predict scores, the evaluations (keyed by "
        "the optimizer steps before them), and the loss and learning rate at every step match within the fp32 "
        "tolerance, and the new side emits no deprecation warning. The Trainer's checkpoint-<step> folders are how "
        "it finds the best model and have no legacy counterpart, so checkpoints are not compared."
    ),
    implicit_arguments={
        **_ce.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
        "warmup_steps": "0: passed to both sides, so that the first step already trains and the first evaluation differs from the initial model",
        "eval_strategy": "'epoch': fit evaluates at every epoch end",
        "save_strategy": "'epoch': load_best_model_at_end needs a checkpoint at every evaluation",
        "metric_for_best_model": "'pearson': the evaluator's primary metric, which fit compares",
    },
    negative_control=NegativeControl(
        {"load_best_model_at_end": False}, "load_best_model_at_end dropped: the last model, not the best, is saved to the path"
    ),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-graded", heldout="tiny-sts")},
    kind="cross-encoder",
)


def falling_evaluator(ctx):
    evaluator = _ce.correlation_evaluator(ctx, name="", inverted=True)
    evaluator.primary_metric = "pearson"
    return evaluator


@scenario.legacy
def legacy(ctx):
    from sentence_transformers import CrossEncoder

    model = _ce.load_model(ctx)
    train_dataloader = _ce.full_batch_loader(_ce.input_examples(ctx))

    with _ce.StepCounter() as counter, _ce.BuiltinLossProbe(ctx):
        log = _ce.EvaluationLog(counter)
        evaluator = log.watch(falling_evaluator(ctx))
        model.fit(
            train_dataloader=train_dataloader,
            evaluator=evaluator,
            output_path=OUTPUT_PATH,
            save_best_model=True,
            **_ce.legacy_training(warmup_steps=0),
        )
    ctx.observe("evaluations", log.events())
    ctx.show("evaluator_arguments", log.arguments())
    return CrossEncoder(OUTPUT_PATH, device=ctx.device)


@scenario.new
def new(ctx, load_best_model_at_end=True):
    from sentence_transformers import CrossEncoder
    from sentence_transformers.cross_encoder import CrossEncoderTrainer
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    model = _ce.load_model(ctx)
    train_dataset = _ce.pair_dataset(ctx)
    loss = ctx.probe(BinaryCrossEntropyLoss(model))

    args = _ce.training_args(
        ctx,
        implicit=_ce.training_defaults(warmup_steps=0, per_device_train_batch_size=len(train_dataset)),
        eval_strategy="epoch",
        save_strategy="epoch",
        load_best_model_at_end=load_best_model_at_end,
        metric_for_best_model="pearson",
    )
    with _ce.StepCounter() as counter:
        log = _ce.EvaluationLog(counter)
        evaluator = log.watch(falling_evaluator(ctx))
        trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss, evaluator=evaluator)
        trainer.train()
    ctx.observe("evaluations", log.events())
    ctx.show("evaluator_arguments", log.arguments())

    model.save_pretrained(OUTPUT_PATH)
    return CrossEncoder(OUTPUT_PATH, device=ctx.device)
