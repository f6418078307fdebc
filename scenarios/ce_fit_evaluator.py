"""ce.fit.evaluator: `fit(evaluator=...)` against `CrossEncoderTrainer(eval_dataset=..., evaluator=...)`."""

from conformance import NegativeControl, Scenario, Tier

import _ce

scenario = Scenario(
    row="ce.fit.evaluator",
    relation=(
        "fit runs the evaluator at the end of every epoch; with eval_strategy='epoch' the Trainer does too. The "
        "evaluator is a CrossEncoderRerankingEvaluator over the tiny queries and their own passages, standing in "
        "for the guide's CrossEncoderNanoBEIREvaluator, which reranks the same way but needs the Hugging Face Hub. "
        "Each evaluation is keyed by the optimizer steps taken before it: the steps and the metric dicts (map, "
        "mrr@10, ndcg@10) match within the fp32 tolerance, and so do the loss and learning rate at every step, "
        "the optimizer groups, the final weights and the held-out predict scores. The (epoch, steps) arguments "
        "differ by design (fit: epoch index and -1; Trainer: float epoch and global step): the report shows them, uncompared. The "
        "Trainer's eval_loss on the guide's eval_dataset has no legacy counterpart and is not compared."
    ),
    implicit_arguments={
        **_ce.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
        "eval_strategy": "'epoch': fit evaluates at every epoch end; the Trainer's default 'no' never evaluates",
    },
    negative_control=NegativeControl(
        {"eval_strategy": None}, "the guide's new code as printed: eval_strategy left at 'no', so the evaluator never runs"
    ),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts")},
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx):
    model = _ce.load_model(ctx)
    train_dataloader = _ce.full_batch_loader(_ce.input_examples(ctx))

    with _ce.StepCounter() as counter, _ce.BuiltinLossProbe(ctx):
        log = _ce.EvaluationLog(counter)
        evaluator = log.watch(_ce.reranking_evaluator(ctx))
        model.fit(train_dataloader=train_dataloader, evaluator=evaluator, **_ce.legacy_training())
    ctx.observe("evaluations", log.events())
    ctx.show("evaluator_arguments", log.arguments())
    return model


@scenario.new
def new(ctx, eval_strategy="epoch"):
    from sentence_transformers.cross_encoder import CrossEncoderTrainer
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    model = _ce.load_model(ctx)
    train_dataset = _ce.pair_dataset(ctx)
    eval_dataset = _ce.pair_dataset(ctx)
    loss = ctx.probe(BinaryCrossEntropyLoss(model))

    strategy = {} if eval_strategy is None else {"eval_strategy": eval_strategy}
    args = _ce.training_args(ctx, implicit=_ce.training_defaults(per_device_train_batch_size=len(train_dataset)), **strategy)
    with _ce.StepCounter() as counter:
        log = _ce.EvaluationLog(counter)
        evaluator = log.watch(_ce.reranking_evaluator(ctx))
        trainer = CrossEncoderTrainer(
            model=model, args=args, train_dataset=train_dataset, eval_dataset=eval_dataset, loss=loss, evaluator=evaluator
        )
        trainer.train()
    ctx.observe("evaluations", log.events())
    ctx.show("evaluator_arguments", log.arguments())
    return model
