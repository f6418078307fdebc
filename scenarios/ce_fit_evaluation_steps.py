"""ce.fit.evaluation_steps: `fit(evaluator, evaluation_steps)` against `eval_strategy="steps", eval_steps`."""

from conformance import Case, NegativeControl, Scenario, Tier

import _ce

# One pair repeated: every batch contains the same rows whatever the shuffle order, so an epoch can
# have several steps and both sides still train on identical batches.
REPEATS = 8
BATCH_SIZE = 2
EPOCHS = 2

scenario = Scenario(
    row="ce.fit.evaluation_steps",
    relation=(
        f"The training set is the first tiny pair repeated {REPEATS} times in batches of {BATCH_SIZE}, so each of the "
        f"{EPOCHS} epochs has {REPEATS // BATCH_SIZE} steps and every batch is the same whatever the shuffle order. "
        "Evaluations are keyed by the optimizer steps taken before them; fit evaluates twice after an epoch's last "
        "step when evaluation_steps divides the epoch (within the epoch and at its end, on the same weights), and "
        "those two calls count once. With evaluation_steps=2 (case 'divides-epoch') both sides evaluate after "
        "steps 2, 4, 6 and 8: the steps and the metric dicts of a CrossEncoderRerankingEvaluator match within the "
        "fp32 tolerance, and so do the loss and learning rate at every step, the final weights and the held-out "
        "predict scores. With evaluation_steps=3 (case 'spans-epochs') they part by design: fit counts steps within "
        "each epoch and evaluates at every epoch end (after steps 3, 4, 7, 8), the Trainer counts global steps and "
        "evaluates at their multiples and, in transformers 5.25, after the last step (after steps 3, 6, 8). The "
        "(epoch, steps) arguments differ by design: the report shows them, uncompared."
    ),
    implicit_arguments={
        **_ce.implicit_arguments("weight_decay", "lr_scheduler_type"),
        "num_train_epochs": f"{EPOCHS}: passed to both sides (fit's epochs)",
        "per_device_train_batch_size": f"{BATCH_SIZE}: the DataLoader's batch_size",
        "eval_strategy": "'steps': the guide's translation of evaluation_steps > 0",
    },
    negative_control=NegativeControl(
        {"eval_strategy": "epoch"}, "evaluation once per epoch instead of every eval_steps steps"
    ),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts")},
    cases=(
        Case("divides-epoch", {"evaluation_steps": 2}, {"eval_steps": 2}),
        Case(
            "spans-epochs",
            {"evaluation_steps": 3},
            {"eval_steps": 3},
            expect="expected-divergence",
            reason=(
                "fit counts evaluation_steps within each epoch and also evaluates at every epoch end. The Trainer "
                "counts eval_steps over global steps and evaluates at no epoch end but the last, so the two "
                "schedules part whenever eval_steps does not divide the steps of an epoch"
            ),
        ),
    ),
    kind="cross-encoder",
)


def repeated_pair(ctx):
    first, second = ctx.data["pairs"][0]
    return [first] * REPEATS, [second] * REPEATS, [ctx.data["labels"][0]] * REPEATS


@scenario.legacy
def legacy(ctx, evaluation_steps=2):
    from sentence_transformers import InputExample
    from torch.utils.data import DataLoader

    model = _ce.load_model(ctx)
    firsts, seconds, labels = repeated_pair(ctx)
    train_examples = [InputExample(texts=[first, second], label=label) for first, second, label in zip(firsts, seconds, labels)]
    train_dataloader = DataLoader(train_examples, shuffle=True, batch_size=BATCH_SIZE)

    with _ce.StepCounter() as counter, _ce.BuiltinLossProbe(ctx):
        log = _ce.EvaluationLog(counter)
        evaluator = log.watch(_ce.reranking_evaluator(ctx))
        model.fit(
            train_dataloader=train_dataloader,
            evaluator=evaluator,
            evaluation_steps=evaluation_steps,
            **_ce.legacy_training(epochs=EPOCHS),
        )
    ctx.observe("evaluations", log.events())
    ctx.show("evaluator_arguments", log.arguments())
    return model


@scenario.new
def new(ctx, eval_steps=2, eval_strategy="steps"):
    from datasets import Dataset
    from sentence_transformers.cross_encoder import CrossEncoderTrainer
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    model = _ce.load_model(ctx)
    firsts, seconds, labels = repeated_pair(ctx)
    train_dataset = Dataset.from_dict({"sentence_1": firsts, "sentence_2": seconds, "label": labels})
    loss = ctx.probe(BinaryCrossEntropyLoss(model))

    args = _ce.training_args(
        ctx,
        implicit=_ce.training_defaults(num_train_epochs=EPOCHS, per_device_train_batch_size=BATCH_SIZE),
        eval_strategy=eval_strategy,
        eval_steps=eval_steps,
    )
    with _ce.StepCounter() as counter:
        log = _ce.EvaluationLog(counter)
        evaluator = log.watch(_ce.reranking_evaluator(ctx))
        trainer = CrossEncoderTrainer(
            model=model, args=args, train_dataset=train_dataset, eval_dataset=train_dataset, loss=loss, evaluator=evaluator
        )
        trainer.train()
    ctx.observe("evaluations", log.events())
    ctx.show("evaluator_arguments", log.arguments())
    return model
