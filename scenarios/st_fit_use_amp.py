"""st.fit.use_amp: `fit(use_amp=True)` against `SentenceTransformerTrainingArguments(fp16=True)` or `bf16=True`.

Cases, and where each is judged:

- `fp16` (the guide's own code): on CUDA, deterministically under the fp16 tolerance and in
  distribution; skipped on CPU, where fp16=True does not autocast (see `_amp.FP16_ON_CPU`).
- `bf16` (the guide's alternative): on CPU both sides autocast to bfloat16, and the case is
  judged deterministically under the bf16 tolerance. On CUDA the legacy side autocasts to
  float16, so there the case is judged in distribution only.
"""

from conformance import Scenario, Statistical, Tier

import _amp
import _st_fit

# (learning rate, epochs) per tier; one full batch per epoch.
# tiny: bfloat16 rounding makes Adam flip the sign of some updates, so the two sides' weights
# part by about 2 * lr per flip. At 5e-5 the weights differ by at most 2.0e-4 and the loss by
# 1.2e-2 (0.34 %) after 3 steps, inside the bf16 tolerance. At 1e-4, 2 of 1040 held-out
# embedding elements (up to 8.2e-3) fall outside it (torch 2.13, CPU, the reference).
# statistical: enough training that the loss falls far beyond the seed-to-seed noise of dropout.
TRAINING = {"tiny": (5e-5, 3), "statistical": (1e-3, 10)}

scenario = Scenario(
    row="st.fit.use_amp",
    relation=(
        "Mixed precision is on for both sides and does the same thing: the model's training forward passes run in "
        "the same autocast dtype, an enabled GradScaler (CUDA float16 only) goes through the same scales, and the "
        "same number of optimizer steps is taken for the same number of loss forward passes (so the same steps "
        "are skipped), compared exactly. The loss and learning rate per step, the optimizer's groups, the final "
        "weights and the held-out embeddings match within the tolerance of the case's dtype: the legacy loop "
        "autocasts the loss computation too, the Trainer only the model's forward pass. On CUDA and in the "
        "statistical tier (dropout on, several seeds) the final loss and the held-out Spearman correlation must "
        "be equivalent within the stated margins by a TOST."
    ),
    implicit_arguments={
        "learning_rate": "5e-5 (tiny) or 1e-3 (statistical): passed to both sides (fit through optimizer_params)",
        "warmup_steps": "0: passed to both sides; fit's default 10000 would keep the learning rate near 0",
        "weight_decay": "0.01: fit's default; the Trainer's default is 0.0",
        "num_train_epochs": "3 (tiny) or 10 (statistical): passed to both sides",
        "lr_scheduler_type": "'linear': the Trainer's name for fit's default scheduler 'WarmupLinear'",
        "per_device_train_batch_size": "the DataLoader's batch_size, all 16 examples; the Trainer's default is 8",
    },
    negative_control=_amp.PRECISION_DROPPED,
    tiers={
        "tiny": Tier(model="tiny-bert", data="st-fit-tiny", heldout="tiny-sts"),
        "statistical": Tier(
            model="tiny-bert-dropout",
            data="st-fit-tiny",
            heldout="tiny-sts",
            # NOTE: with the current tiny vocabulary this tier is inconclusive on the reference (final
            # loss: legacy 2.527, new 2.378, 5 seeds each, against the margin 0.15); the gap was not
            # there when the margins were measured, and its cause is not yet known.
            # Margins: with dropout 0.1 the final losses spread by a standard deviation of about 0.07
            # around 2.75 (measured with 12 seeds per side on CPU). With 5 seeds that makes the 90 %
            # interval of a difference about +/-0.09 wide, and 0.15 is 5 % of the loss. The held-out
            # Spearman correlation (16 pairs) spreads by about 0.03.
            statistical=Statistical(
                margins={"final_loss": 0.15, "observations.training_loss_fp32": 0.15, "heldout.spearman": 0.1},
                negative_control=_amp.GUIDE_DEFAULTS_CONTROL,
                exact_observations=("autocast_active",),
            ),
        ),
    },
    cases=_amp.PRECISION_CASES,
)


@scenario.legacy
def legacy(ctx):
    from sentence_transformers import losses

    learning_rate, epochs = TRAINING[ctx.tier]
    model = _st_fit.load_model(ctx)
    train_dataloader = _st_fit.full_batch_loader(_st_fit.triplet_examples(ctx))
    train_loss = ctx.probe(losses.MultipleNegativesRankingLoss(model))

    with _amp.PrecisionWatch(ctx, model):
        model.fit(
            train_objectives=[(train_dataloader, train_loss)],
            use_amp=True,
            epochs=epochs,
            warmup_steps=0,
            optimizer_params={"lr": learning_rate},
            show_progress_bar=False,
        )
    ctx.observe("training_loss_fp32", _amp.training_loss_in_float32(ctx, model, train_loss, _st_fit.triplet_examples(ctx)))
    return model


@scenario.new
def new(ctx, precision="fp16", guide_defaults_only=False):
    from sentence_transformers import SentenceTransformerTrainer
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    if precision == "bf16":
        _amp.require_bf16(ctx)
    learning_rate, epochs = TRAINING[ctx.tier]
    model = _st_fit.load_model(ctx)
    train_dataset = _st_fit.triplet_dataset(ctx)
    loss = ctx.probe(MultipleNegativesRankingLoss(model))

    implicit = _st_fit.fit_defaults(
        learning_rate=learning_rate,
        warmup_steps=0,
        num_train_epochs=epochs,
        per_device_train_batch_size=len(train_dataset),
    )
    args = _st_fit.training_args(
        ctx,
        implicit=None if guide_defaults_only else implicit,
        **_amp.mixed_precision_arguments(precision),
    )
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    with _amp.PrecisionWatch(ctx, model):
        trainer.train()
    ctx.observe("training_loss_fp32", _amp.training_loss_in_float32(ctx, model, loss, _st_fit.triplet_examples(ctx)))
    return model
