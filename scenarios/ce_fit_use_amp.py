"""ce.fit.use_amp: `CrossEncoder.fit(use_amp=True)` against `CrossEncoderTrainingArguments(fp16=True)` or `bf16=True`.

Cases, and where each is judged, as for st.fit.use_amp:

- `fp16` (the guide's own code): on CUDA, deterministically under the fp16 tolerance and in
  distribution; skipped on CPU, where fp16=True does not autocast (see `_amp.FP16_ON_CPU`).
- `bf16` (the guide's alternative): on CPU both sides autocast to bfloat16, and the case is
  judged deterministically under the bf16 tolerance. On CUDA the legacy side autocasts to
  float16, so there the case is judged in distribution only.
"""

from conformance import Scenario, Statistical, Tier

import _amp
import _ce

# (learning rate, epochs) per tier, with one full batch per epoch. In the tiny tier the
# bfloat16 rounding of the two paths stays inside the bf16 tolerance: the weights part by
# 9e-8 after 3 steps (torch 2.13, CPU). In the statistical tier the loss falls from 0.68 to
# about 0.6, beyond the seed-to-seed noise of dropout.
TRAINING = {"tiny": (5e-5, 3), "statistical": (1e-3, 30)}

scenario = Scenario(
    row="ce.fit.use_amp",
    relation=(
        "Mixed precision is on for both sides and does the same thing: the classifier's training forward passes "
        "run in the same autocast dtype, an enabled GradScaler (CUDA float16 only) goes through the same scales, "
        "and the same number of optimizer steps is taken for the same number of loss forward passes, compared "
        "exactly. The loss and learning rate per step, the optimizer's groups, the final weights and the held-out "
        "predict scores match within the tolerance of the case's dtype: the legacy loop autocasts the loss too, "
        "the Trainer only the model's forward pass. In the statistical tier (dropout on, several seeds) the final "
        "loss, the trained model's float32 loss on the training pairs and its mean predicted score on held-out "
        "graded pairs must be equivalent within the stated margins by a TOST."
    ),
    implicit_arguments={
        "learning_rate": "5e-5 (tiny) or 1e-3 (statistical): passed to both sides (fit through optimizer_params)",
        "warmup_steps": "0: passed to both sides; fit's default 10000 would keep the learning rate near 0",
        "weight_decay": "0.01: fit's default; the Trainer's default is 0.0",
        "num_train_epochs": "3 (tiny) or 30 (statistical): passed to both sides",
        "lr_scheduler_type": "'linear': the Trainer's name for fit's default scheduler 'WarmupLinear'",
        "per_device_train_batch_size": "the DataLoader's batch_size (all pairs); the Trainer's default is 8",
        "loss": "BinaryCrossEntropyLoss(model): fit's default loss for one label (BCEWithLogitsLoss on the logit)",
    },
    negative_control=_amp.PRECISION_DROPPED,
    tiers={
        "tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts"),
        "statistical": Tier(
            model="tiny-ce-1label-dropout",
            data="tiny-pairs-binary",
            heldout="tiny-pairs-graded",
            # Margins, from 8 seeds per side on CPU: with dropout 0.1 the final loss (about 0.6) and
            # the float32 training loss (about 0.51) spread by a standard deviation of 0.02 to 0.06.
            # The mean held-out score (about 0.49) spreads by 0.02 to 0.04. The held-out rank
            # correlations spread by 0.1 to 0.2, too wide for a margin that 5 seeds could meet.
            statistical=Statistical(
                margins={"final_loss": 0.1, "observations.training_loss_fp32": 0.1, "heldout.mean_score": 0.1},
                negative_control=_amp.GUIDE_DEFAULTS_CONTROL,
                exact_observations=("autocast_active",),
            ),
        ),
    },
    cases=_amp.PRECISION_CASES,
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx):
    from sentence_transformers import CrossEncoder, InputExample
    from torch.utils.data import DataLoader

    learning_rate, epochs = TRAINING[ctx.tier]
    model = CrossEncoder(ctx.model_path, device=ctx.device)
    train_examples = [InputExample(texts=list(pair), label=label) for pair, label in zip(ctx.data["pairs"], ctx.data["labels"])]
    train_dataloader = DataLoader(train_examples, shuffle=True, batch_size=len(train_examples))

    with _ce.BuiltinLossProbe(ctx), _amp.PrecisionWatch(ctx, model):
        model.fit(
            train_dataloader=train_dataloader,
            use_amp=True,
            epochs=epochs,
            warmup_steps=0,
            optimizer_params={"lr": learning_rate},
            show_progress_bar=False,
        )
    ctx.observe("training_loss_fp32", _amp.pair_training_loss_in_float32(model, ctx.data["pairs"], ctx.data["labels"]))
    return model


@scenario.new
def new(ctx, precision="fp16", guide_defaults_only=False):
    from sentence_transformers.cross_encoder import CrossEncoderTrainer
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss

    if precision == "bf16":
        _amp.require_bf16(ctx)
    learning_rate, epochs = TRAINING[ctx.tier]
    model = _ce.load_model(ctx)
    train_dataset = _ce.pair_dataset(ctx)
    loss = ctx.probe(BinaryCrossEntropyLoss(model))

    implicit = _ce.fit_defaults(
        learning_rate=learning_rate,
        warmup_steps=0,
        num_train_epochs=epochs,
        per_device_train_batch_size=len(train_dataset),
    )
    args = _ce.training_args(
        ctx,
        implicit=None if guide_defaults_only else implicit,
        **_amp.mixed_precision_arguments(precision),
    )
    trainer = CrossEncoderTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    with _amp.PrecisionWatch(ctx, model):
        trainer.train()
    ctx.observe("training_loss_fp32", _amp.pair_training_loss_in_float32(model, ctx.data["pairs"], ctx.data["labels"]))
    return model
