"""st.flow: the guide's old training flow against the new one, on (anchor, positive, negative) triplets.

Legacy: `model.fit(train_objectives=[(DataLoader, MultipleNegativesRankingLoss)], epochs, warmup_steps)`.
New: `SentenceTransformerTrainer(model, args, train_dataset, loss).train()`.
"""

from conformance import NegativeControl, Scenario, Tier

EPOCHS = 4
WARMUP_STEPS = 2

scenario = Scenario(
    row="st.flow",
    relation=(
        "With the same saved initial model, dropout off and one full batch per epoch, both flows take the same "
        "optimizer steps: the training loss and learning rate at every step, the optimizer's parameter groups, "
        "the final weights and the harness's held-out embeddings and scores match within the fp32 tolerance, and "
        "the new flow emits no deprecation warning. Data order is left free: one full batch makes the loss "
        "independent of it up to float rounding."
    ),
    implicit_arguments={
        "learning_rate": "2e-5: fit's optimizer_params default; the Trainer's default is 5e-5",
        "weight_decay": "0.01: fit's default; the Trainer's default is 0.0",
        "warmup_steps": f"{WARMUP_STEPS}: passed to both; the Trainer's default is 0",
        "lr_scheduler_type": "'linear': the Trainer's default, the same schedule as fit's 'WarmupLinear'",
        "per_device_train_batch_size": "the DataLoader's batch_size (the whole data set here); the Trainer's default is 8",
        "num_train_epochs": f"{EPOCHS}: the same as fit's epochs",
        "max_grad_norm": "1.0: the same default on both sides",
    },
    negative_control=NegativeControl(
        {"guide_defaults_only": True},
        "the guide's new flow exactly as printed, with the Trainer's own defaults (lr 5e-5, no weight decay, no warmup, batch size 8)",
    ),
    tiers={
        "tiny": Tier(model="tiny-bert", data="tiny-triplets", heldout="tiny-sts"),
        "real": Tier(model="minilm", data="snli-triplets", heldout="stsb-dev"),
    },
)


@scenario.legacy
def legacy(ctx):
    from sentence_transformers import InputExample, SentenceTransformer, losses
    from torch.utils.data import DataLoader

    model = SentenceTransformer(ctx.model_path, device=ctx.device)
    train_examples = [InputExample(texts=triplet) for triplet in ctx.data["triplets"]]
    train_dataloader = DataLoader(train_examples, shuffle=True, batch_size=len(train_examples))
    train_loss = ctx.probe(losses.MultipleNegativesRankingLoss(model))

    model.fit(
        train_objectives=[(train_dataloader, train_loss)],
        epochs=EPOCHS,
        warmup_steps=WARMUP_STEPS,
        show_progress_bar=False,
    )
    return model


@scenario.new
def new(ctx, guide_defaults_only=False):
    from datasets import Dataset
    from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, SentenceTransformerTrainingArguments
    from sentence_transformers.losses import MultipleNegativesRankingLoss

    model = SentenceTransformer(ctx.model_path, device=ctx.device)
    train_dataset = Dataset.from_dict(
        {
            "anchor": [anchor for anchor, _, _ in ctx.data["triplets"]],
            "positive": [positive for _, positive, _ in ctx.data["triplets"]],
            "negative": [negative for _, _, negative in ctx.data["triplets"]],
        }
    )
    loss = ctx.probe(MultipleNegativesRankingLoss(model))

    implicit = {
        "learning_rate": 2e-5,
        "weight_decay": 0.01,
        "warmup_steps": WARMUP_STEPS,
        "lr_scheduler_type": "linear",
        "per_device_train_batch_size": len(train_dataset),
    }
    args = SentenceTransformerTrainingArguments(
        output_dir="output",
        num_train_epochs=EPOCHS,
        seed=ctx.seed,
        disable_tqdm=True,
        report_to="none",
        save_strategy="no",
        use_cpu=ctx.device == "cpu",
        **({} if guide_defaults_only else implicit),
    )
    trainer = SentenceTransformerTrainer(model=model, args=args, train_dataset=train_dataset, loss=loss)
    trainer.train()
    return model
