"""Shared pieces of the `st.data.*` scenarios: batch records, batch properties, guarded calls.

The four rows map a legacy data set or data loader onto a `datasets.Dataset` plus a batch
sampler, so what they promise is about batch composition. Both sides record their batches in
one form, a dict `{"texts": [[column 0 texts], [column 1 texts], ...], "labels": [...] | None}`:

- during training, through a forward pre-hook on the loss module, which receives the tokenized
  columns and the label tensor in every release,
- in a sampling study, where the legacy loader or the Trainer's training DataLoader is built
  for each of the seeds 0..STUDY_SEEDS-1 and read for one epoch without training.

Texts are compared as the model reads them: token ids decoded by the model's tokenizer. Two
texts that differ only by case or white space therefore look the same here, as they do to an
uncased model. Nothing here imports torch at module level, because the harness imports scenario
files just to collect them.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from _common import quiet_trainer_settings

# Seeds of the sampling study: each side builds its loader once per seed and reads one epoch.
STUDY_SEEDS = 8

# Seconds a guarded call may take before it counts as hanging (a legacy loader that cannot fill a
# batch loops forever in some releases).
HANG_SECONDS = 20.0

# fit's arguments shared by the four rows, and their Trainer names. The two sides receive a batch's
# rows in different orders, and Adam's first steps magnify that float rounding in weights whose
# gradient is near zero. At 1e-3, two steps parted two tiny-model weights by 1.3e-5 (torch 2.13,
# CPU); at 5e-6 that noise stays near 1e-7, inside the fp32 tolerance, while each step still moves
# the weights by about 5e-6. There is no warmup, so every step trains.
LEARNING_RATE = 5e-6

# The euclidean triplet losses do not change when every embedding moves by the same vector, so the
# gradient of the last LayerNorm bias is zero up to float rounding (about 1e-9). AdamW's first step
# divides a gradient by its own size plus eps, which with the default eps 1e-8 turns that rounding
# into steps of +-lr that differ between two row orders. An eps of 1e-6 scales such steps down by
# about 1e3, while gradients of 1e-5 and more (most of them) still take steps near lr.
ADAM_EPSILON = 1e-6
WEIGHT_DECAY = 0.01
IMPLICIT_ARGUMENTS = {
    "learning_rate": f"{LEARNING_RATE}: passed to fit as optimizer_params={{'lr': {LEARNING_RATE}, ...}} and to the Trainer",
    "adam_epsilon": f"{ADAM_EPSILON}: passed to fit as optimizer_params={{..., 'eps': {ADAM_EPSILON}}} and to the Trainer",
    "weight_decay": f"{WEIGHT_DECAY}: fit's default; the Trainer's default is 0.0",
    "warmup_steps": "0: passed to both; fit's default is 10000",
    "lr_scheduler_type": "'linear': the Trainer's name for fit's default 'WarmupLinear'",
    "per_device_train_batch_size": "the legacy loader's batch size counted in rows of the new dataset",
}


# Model and Trainer arguments -------------------------------------------------------------
def load_model(ctx: Any) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(ctx.model_path, device=ctx.device)


def fit_arguments(epochs: int) -> dict[str, Any]:
    """Keyword arguments of the legacy `fit` call that the new invocations mirror."""
    return {
        "epochs": epochs,
        "warmup_steps": 0,
        "optimizer_params": {"lr": LEARNING_RATE, "eps": ADAM_EPSILON},
        "weight_decay": WEIGHT_DECAY,
        "show_progress_bar": False,
    }


def training_args(ctx: Any, epochs: int, batch_size: int, **arguments: Any) -> Any:
    """SentenceTransformerTrainingArguments matching `fit_arguments`, quiet and seeded with `ctx.seed`."""
    from sentence_transformers import SentenceTransformerTrainingArguments

    settings = quiet_trainer_settings(ctx)
    settings.update({
        "num_train_epochs": epochs,
        "per_device_train_batch_size": batch_size,
        "learning_rate": LEARNING_RATE,
        "adam_epsilon": ADAM_EPSILON,
        "weight_decay": WEIGHT_DECAY,
        "warmup_steps": 0,
        "lr_scheduler_type": "linear",
    })
    settings.update(arguments)
    return SentenceTransformerTrainingArguments(**settings)


# Batch records ------------------------------------------------------------------------------
class BatchRecorder:
    """Record the texts and labels of every training batch a loss module receives.

    Args:
        model: the SentenceTransformer whose tokenizer decodes the token ids.

    Example:
        >>> recorder = BatchRecorder(model)
        >>> loss = recorder.attach(ctx.probe(losses.MultipleNegativesRankingLoss(model)))
        >>> model.fit(train_objectives=[(loader, loss)])
        >>> ctx.observe("batches", recorder.batches)
    """

    def __init__(self, model: Any) -> None:
        self.tokenizer = model.tokenizer
        self.batches: list[dict[str, Any]] = []

    def attach(self, loss: Any) -> Any:
        """Hook `loss` so that each training call records its batch, and return `loss` unchanged."""
        loss.register_forward_pre_hook(self._record, with_kwargs=True)
        return loss

    def _record(self, _module: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        import torch

        # Evaluation passes run without gradients and are not training batches.
        if not torch.is_grad_enabled():
            return
        features = args[0] if args else kwargs["sentence_features"]
        labels = args[1] if len(args) > 1 else kwargs.get("labels")
        self.batches.append(batch_from_ids(self.tokenizer, [feature["input_ids"] for feature in features], labels))


def batch_from_ids(tokenizer: Any, columns: list[Any], labels: Any) -> dict[str, Any]:
    """Build a batch record from token id tensors (one per text column) and a label tensor or None."""
    texts = [tokenizer.batch_decode(input_ids, skip_special_tokens=True) for input_ids in columns]
    return {"texts": texts, "labels": None if labels is None else labels.tolist()}


def batch_from_examples(model: Any, examples: list[Any]) -> dict[str, Any]:
    """Build a batch record from legacy `InputExample`s, tokenized as the model's collate would."""
    columns = [list(column) for column in zip(*(example.texts for example in examples))]
    ids = [_token_ids(model, column) for column in columns]
    labels = [_plain(example.label) for example in examples]
    return {"texts": [model.tokenizer.batch_decode(column, skip_special_tokens=True) for column in ids], "labels": labels}


def batch_from_collated(tokenizer: Any, batch: dict[str, Any]) -> dict[str, Any]:
    """Build a batch record from a Trainer batch: `<column>_input_ids` entries in column order, plus `label`."""
    columns = [value for key, value in batch.items() if key.endswith("_input_ids")]
    return batch_from_ids(tokenizer, columns, batch.get("label"))


def _token_ids(model: Any, texts: list[str]) -> list[list[int]]:
    # The tokenizer itself, truncated like the model: `model.tokenize` is deprecated in some releases.
    return model.tokenizer(texts, truncation=True, max_length=model.max_seq_length)["input_ids"]


def _plain(value: Any) -> Any:
    return value.tolist() if hasattr(value, "tolist") else value


def rows_of(batch: dict[str, Any], labels: bool = True) -> list[list[Any]]:
    """Return the rows of a batch record: the texts of each row, then its label when there is one and `labels` is set."""
    rows = [list(texts) for texts in zip(*batch["texts"])]
    if labels and batch["labels"] is not None:
        rows = [row + [label] for row, label in zip(rows, batch["labels"])]
    return rows


def sorted_rows(batch: dict[str, Any], labels: bool = True) -> list[list[Any]]:
    """Return the rows of a batch in a canonical order, so that two shuffles of one set compare equal."""
    return sorted(rows_of(batch, labels), key=repr)


# Batch properties ---------------------------------------------------------------------------
def duplicate_count(batch: dict[str, Any]) -> int:
    """Count the texts of a batch, over all columns, that repeat an earlier text of the same batch."""
    counts = Counter(text for column in batch["texts"] for text in column)
    return sum(count - 1 for count in counts.values())


def duplicate_summary(batches: list[dict[str, Any]], batch_size: int) -> dict[str, Any]:
    """Summarize the no-duplicates promise and the batch sizes of one epoch."""
    sizes = [len(batch["texts"][0]) for batch in batches]
    return {
        "batches": len(batches),
        "batches_with_duplicates": sum(1 for batch in batches if duplicate_count(batch)),
        "duplicate_texts": sum(duplicate_count(batch) for batch in batches),
        "full_batches": sum(1 for size in sizes if size == batch_size),
        "short_batches": sum(1 for size in sizes if size < batch_size),
        "rows": sum(sizes),
    }


def label_summary(batches: list[dict[str, Any]]) -> dict[str, Any]:
    """Summarize the label-grouping promise of one epoch: labels per batch and examples per label."""
    lone = 0
    single_label = 0
    labels_seen: set[Any] = set()
    for batch in batches:
        counts = Counter(_hashable(label) for label in batch["labels"])
        lone += sum(1 for count in counts.values() if count < 2)
        single_label += len(counts) < 2
        labels_seen.update(counts)
    return {
        "batches": len(batches),
        "labels_with_one_example": lone,
        "batches_with_one_label": single_label,
        "labels_seen": sorted(labels_seen, key=_order_key),
        "rows": sum(len(batch["labels"]) for batch in batches),
    }


def coverage_summary(batches: list[dict[str, Any]], usable_rows: int) -> dict[str, Any]:
    """Summarize how one epoch uses the data: distinct rows seen, rows repeated, rows left out."""
    counts = Counter(repr(row) for batch in batches for row in rows_of(batch))
    return {
        "distinct_rows": len(counts),
        "repeated_rows": sum(count - 1 for count in counts.values()),
        "rows_left_out": max(usable_rows - len(counts), 0),
    }


def _order_key(value: Any) -> tuple[int, Any]:
    # Numbers in numeric order, anything else after them in the order of its repr.
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (0, value)
    return (1, repr(value))


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def study(make_epoch: Callable[[int], list[dict[str, Any]]], summarize: Callable[[list[dict[str, Any]]], dict[str, Any]]) -> dict[str, Any]:
    """Summarize one epoch of batches for each study seed, and total each numeric figure over the seeds.

    Returns `{"per_seed": [...], "total": {...}}`. A list-valued figure is totalled as the sorted
    union of its lists.
    """
    per_seed = [summarize(make_epoch(seed)) for seed in range(STUDY_SEEDS)]
    total: dict[str, Any] = {}
    for summary in per_seed:
        for key, value in summary.items():
            if isinstance(value, list):
                total[key] = sorted(set(total.get(key, [])) | set(value), key=_order_key)
            else:
                total[key] = total.get(key, 0) + value
    return {"per_seed": per_seed, "total": total}


def observe_study(ctx: Any, make_epoch: Callable[[int], list[dict[str, Any]]], summarize: Callable[[list[dict[str, Any]]], dict[str, Any]], figures: Iterable[str]) -> None:
    """Run the study under the hang limit, observe its outcome and the totals of `figures`, and show every figure."""
    figures = tuple(figures)
    if not figures:
        return
    result, outcome = attempt_within(lambda: study(make_epoch, summarize))
    ctx.observe("study_outcome", outcome)
    ctx.observe("study", None if result is None else {name: result["total"][name] for name in figures})
    ctx.show("study", result)


def observe_training(ctx: Any, recorder: BatchRecorder, outcome: str, labels: bool = True) -> None:
    """Observe how the training call ended and every batch it trained on, rows sorted."""
    ctx.observe("training", outcome)
    ctx.observe("training_batches", [sorted_rows(batch, labels) for batch in recorder.batches])


# Reading loaders -------------------------------------------------------------------------
def legacy_epoch(model: Any, loader: Iterable[Any]) -> list[dict[str, Any]]:
    """Read one epoch of a legacy loader whose batches are lists of `InputExample`s."""
    return [batch_from_examples(model, list(batch)) for batch in loader]


def trainer_epoch(trainer: Any) -> list[dict[str, Any]]:
    """Read one epoch of the Trainer's training DataLoader (the one `train()` builds) without training."""
    tokenizer = trainer.model.tokenizer
    return [batch_from_collated(tokenizer, batch) for batch in trainer.get_train_dataloader()]


# Guarded calls ------------------------------------------------------------------------------
def attempt(function: Callable[[], Any]) -> tuple[Any, str]:
    """Call `function` and return its result and "ok", or None and "raised <type>: <message>"."""
    try:
        return function(), "ok"
    except Exception as error:  # the outcome is the observation: each side's behaviour on bad input
        return None, f"raised {type(error).__name__}: {error}"


def run_guarded(function: Callable[[], Any], guarded: bool = True) -> str:
    """Call `function` and return its outcome string. With `guarded` False, an exception propagates.

    A case whose two sides raise the same exception type runs unguarded, so that the harness
    compares the exceptions themselves (`Case(expect_exception=True)`).
    """
    if not guarded:
        function()
        return "ok"
    return attempt(function)[1]


def attempt_within(function: Callable[[], Any], seconds: float = HANG_SECONDS) -> tuple[Any, str]:
    """Like `attempt`, but give up after `seconds` and return None and "no result after N s".

    The call runs in a daemon thread, which keeps running after a timeout until the process exits.
    A scenario calls this last, for the loader that may loop forever, so the loop cannot disturb
    what the invocation recorded before it.
    """
    outcome: dict[str, Any] = {}

    def run() -> None:
        outcome["value"], outcome["status"] = attempt(function)

    worker = threading.Thread(target=run, name="st-data-guarded-call", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        return None, f"no result after {seconds:g} s (the call loops)"
    return outcome["value"], outcome["status"]
