"""st.fit.output_path+save_best_model: fit's best-model saving against `load_best_model_at_end` plus a save.

fit saves the model to output_path whenever the evaluator's primary score beats the best so far
(strictly), and keeps training the in-memory model. The Trainer with load_best_model_at_end keeps
checkpoints, loads the best one's weights into the model at the end, and the guide then saves that
model to the path. The guide's Trainer call passes no evaluator and no evaluation or save
strategy, without which transformers rejects load_best_model_at_end; the new side passes them.
"""

from conformance import NegativeControl, Scenario, Tier

import _st_fit

EPOCHS = 4
PRIMARY_METRIC = "all_nli_cosine_accuracy"

scenario = Scenario(
    row="st.fit.output_path+save_best_model",
    relation=(
        "The evaluator is TripletEvaluator 'all_nli' over the swapped triplets (anchor, negative, positive), whose "
        "accuracy cannot rise as the model learns the real triplets, so the best evaluation is an early one and "
        "the best model is not the last. Both sides return the model loaded back from 'my/path' (what a user "
        "loads afterwards), so the final weights and held-out embeddings compared are those of the saved best "
        "model, within the fp32 tolerance. The evaluations, reduced to (global step, metrics) as in "
        "st.fit.evaluator, match (steps exactly, metrics within tolerance), and so does the step of the saved "
        "model: for fit the first step whose all_nli_cosine_accuracy reached the maximum (its strict '>' rule "
        "applied to the recorded evaluations), for the Trainer the step of state.best_model_checkpoint. The loss "
        "and learning rate at every step and the optimizer's parameter groups match within the fp32 tolerance. "
        "Checkpoint folders are not compared: the Trainer needs them to select the best model, fit writes none."
    ),
    implicit_arguments={
        **_st_fit.IMPLICIT_TRAINING,
        **_st_fit.implicit_arguments("weight_decay", "lr_scheduler_type", "per_device_train_batch_size"),
        "num_train_epochs": f"{EPOCHS}: passed to both sides",
        "evaluator": "the legacy evaluator: metric_for_best_model names one of its metrics",
        "eval_strategy": "'epoch': fit evaluates at every epoch end",
        "save_strategy": "'epoch': load_best_model_at_end needs a checkpoint at every evaluation",
    },
    negative_control=NegativeControl(
        {"load_best_model_at_end": False},
        "load_best_model_at_end left at the Trainer's default False, so the last model is saved",
    ),
    artifacts=("loss", "learning_rate", "optimizer", "weights", "heldout", "observations", "warnings"),
    tiers={"tiny": Tier(model="tiny-bert", data="st-fit-tiny", heldout="tiny-sts")},
)


@scenario.legacy
def legacy(ctx):
    from sentence_transformers import SentenceTransformer, losses

    model = _st_fit.load_model(ctx)
    train_dataloader = _st_fit.full_batch_loader(_st_fit.triplet_examples(ctx))
    train_loss = ctx.probe(losses.MultipleNegativesRankingLoss(model))
    log = _st_fit.EvaluationLog(legacy_steps_per_epoch=len(train_dataloader))
    evaluator = log.watch(_st_fit.triplet_evaluator(ctx, name="all_nli"))

    model.fit(
        train_objectives=[(train_dataloader, train_loss)],
        evaluator=evaluator,
        output_path="my/path",
        save_best_model=True,
        epochs=EPOCHS,
        warmup_steps=0,
        optimizer_params={"lr": _st_fit.LEARNING_RATE},
        show_progress_bar=False,
    )
    events = log.events()
    ctx.observe("evaluations", events)
    ctx.observe("saved_step", _st_fit.best_step(events, PRIMARY_METRIC))
    return SentenceTransformer("my/path", device=ctx.device)


@scenario.new
def new(ctx, load_best_model_at_end=True):
    from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    model = _st_fit.load_model(ctx)
    train_dataset = _st_fit.triplet_dataset(ctx)
    loss = ctx.probe(MultipleNegativesRankingLoss(model))
    log = _st_fit.EvaluationLog()
    evaluator = log.watch(_st_fit.triplet_evaluator(ctx, name="all_nli"))

    args = _st_fit.training_args(
        ctx,
        load_best_model_at_end=load_best_model_at_end,
        metric_for_best_model=PRIMARY_METRIC,
        implicit=_st_fit.fit_defaults(
            eval_strategy="epoch",
            save_strategy="epoch",
            learning_rate=_st_fit.LEARNING_RATE,
            warmup_steps=0,
            num_train_epochs=EPOCHS,
            per_device_train_batch_size=len(train_dataset),
        ),
    )
    trainer = SentenceTransformerTrainer(
        model=model, args=args, train_dataset=train_dataset, loss=loss, evaluator=evaluator
    )
    trainer.train()

    # Save the best model at the path
    model.save_pretrained("my/path")
    events = log.events()
    ctx.observe("evaluations", events)
    if load_best_model_at_end:
        ctx.observe("saved_step", _st_fit.checkpoint_step(trainer.state.best_model_checkpoint))
    else:
        ctx.observe("saved_step", events[-1]["global_step"])
    return SentenceTransformer("my/path", device=ctx.device)
