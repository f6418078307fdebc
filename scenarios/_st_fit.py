"""Shared pieces of the `st.fit.*` scenarios: fit's defaults, data, evaluators and evaluation logs.

The invocations keep the shape of the migration guide's code, so what all of them need lives
here: the model, the data as InputExamples and as a Dataset, Trainer arguments that make a run
deterministic, and evaluators over the tiny data. Nothing here imports torch at module level,
because the harness imports scenario files just to collect them.

Legacy `fit` and the Trainer report evaluations differently, so both are reduced to one form:
a list of `{"global_step": int, "metrics": {...}}`, one entry per step at which the model was
evaluated. Legacy `fit` passes `epoch` as the 0-based epoch index and `steps` as the step count
within that epoch, or -1 for the evaluation at the epoch's end. The Trainer passes its float
`state.epoch` and `state.global_step`.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any

from _common import GradNormRecorder, full_batch_loader, quiet_trainer_settings  # noqa: F401 (re-exported)

# Learning rate of the rows whose weights must move. With one full batch per step, the two sides
# still see the batch's rows in different orders. On the tiny model, two legacy fit runs that
# differ only in that order end 3 steps with weights up to about 1e-6 apart at lr 2e-5, and
# about 3e-7 apart at 5e-6 (measured with torch 2.13 on CPU). 5e-6 keeps that noise well inside
# the fp32 tolerance (atol 1e-6).
LEARNING_RATE = 5e-6

# Arguments of the legacy fit whose defaults differ from the Trainer's. A new invocation passes
# them so that its run matches a fit call that left them at their defaults.
FIT_DEFAULTS: dict[str, Any] = {
    "learning_rate": 2e-5,
    "weight_decay": 0.01,
    "warmup_steps": 10000,
    "lr_scheduler_type": "linear",
    "num_train_epochs": 1,
}

IMPLICIT_DEFAULTS: dict[str, str] = {
    "learning_rate": "2e-5: fit's optimizer_params default {'lr': 2e-5}; the Trainer's default is 5e-5",
    "weight_decay": "0.01: fit's default; the Trainer's default is 0.0",
    "warmup_steps": "10000: fit's default; the Trainer's default is 0",
    "lr_scheduler_type": "'linear': the Trainer's name for fit's default scheduler 'WarmupLinear'",
    "num_train_epochs": "1: fit's default epochs; the Trainer's default is 3",
    "per_device_train_batch_size": "the DataLoader's batch_size, all 16 examples; the Trainer's default is 8",
}

IMPLICIT_TRAINING = {
    "learning_rate": (
        f"{LEARNING_RATE}: passed to both sides (fit through optimizer_params), low enough that the "
        "batch-order noise stays far inside the tolerance"
    ),
    "warmup_steps": (
        "0: passed to both sides, so every step trains at a real learning rate "
        "(fit's default 10000 would keep it near 0)"
    ),
}


def implicit_arguments(*names: str, **overrides: str) -> dict[str, str]:
    """Return the documentation of the implicit arguments `names`, with `overrides` replacing or adding entries."""
    documented = {name: IMPLICIT_DEFAULTS[name] for name in names}
    documented.update(overrides)
    return documented


def fit_defaults(**overrides: Any) -> dict[str, Any]:
    """Return fit's defaults in Trainer argument names, with `overrides` applied."""
    return {**FIT_DEFAULTS, **overrides}


# Model and data ------------------------------------------------------------------------
def load_model(ctx: Any) -> Any:
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(ctx.model_path, device=ctx.device)


def triplet_examples(ctx: Any) -> list[Any]:
    from sentence_transformers import InputExample

    return [InputExample(texts=list(triplet)) for triplet in ctx.data["triplets"]]


def triplet_dataset(ctx: Any, rows: str = "triplets") -> Any:
    from datasets import Dataset

    triplets = ctx.data[rows]
    return Dataset.from_dict(
        {
            "anchor": [anchor for anchor, _, _ in triplets],
            "positive": [positive for _, positive, _ in triplets],
            "negative": [negative for _, _, negative in triplets],
        }
    )


def training_args(ctx: Any, implicit: dict[str, Any] | None = None, **arguments: Any) -> Any:
    """SentenceTransformerTrainingArguments with the settings that make a run deterministic and quiet.

    The settings are the seed, no reporting, the device, no progress bar, no checkpoints and
    `output_dir="output"` in the invocation's working directory. `implicit` (the arguments a
    scenario passes to match fit's defaults) overrides them, and `arguments` (the row's own
    arguments) override both.
    """
    from sentence_transformers import SentenceTransformerTrainingArguments

    settings = quiet_trainer_settings(ctx)
    settings.update(implicit or {})
    settings.update(arguments)
    return SentenceTransformerTrainingArguments(**settings)


# Evaluators ----------------------------------------------------------------------------
def similarity_evaluator(ctx: Any, name: str = "sts-dev") -> Any:
    """EmbeddingSimilarityEvaluator over the scored anchor/positive and anchor/negative pairs."""
    from sentence_transformers.evaluation import EmbeddingSimilarityEvaluator

    pairs = ctx.data["scored_pairs"]
    return EmbeddingSimilarityEvaluator(
        [first for first, _, _ in pairs], [second for _, second, _ in pairs], [score for _, _, score in pairs], name=name
    )


def triplet_evaluator(ctx: Any, name: str = "all_nli") -> Any:
    """TripletEvaluator over the swapped triplets, whose accuracy falls as the model learns the real ones."""
    from sentence_transformers.evaluation import TripletEvaluator

    triplets = ctx.data["swapped_triplets"]
    anchors = [anchor for anchor, _, _ in triplets]
    positives = [positive for _, positive, _ in triplets]
    negatives = [negative for _, _, negative in triplets]
    return TripletEvaluator(anchors, positives, negatives, name=name)


def retrieval_evaluator(ctx: Any, name: str = "tiny-ir") -> Any:
    """InformationRetrievalEvaluator: anchors as queries, positives and negatives as the corpus."""
    from sentence_transformers.evaluation import InformationRetrievalEvaluator

    retrieval = ctx.data["retrieval"]
    relevant = {query: set(documents) for query, documents in retrieval["relevant_docs"].items()}
    return InformationRetrievalEvaluator(retrieval["queries"], retrieval["corpus"], relevant, name=name)


NANO_BEIR_SPLIT = "NanoMSMARCO"


def nano_beir_evaluator(ctx: Any) -> Any:
    """NanoBEIREvaluator over the tiny retrieval data as its `msmarco` data set, with no hub access.

    The reference's evaluator reads a local BEIR folder through `data_dir`. Upstream's (6.3.0) loads
    `datasets.load_dataset(dataset_id, subset, split="NanoMSMARCO")`, which also reads a local folder
    in the hub dataset layout, so the same data is written in that layout and passed as `dataset_id`.
    """
    from sentence_transformers.evaluation import NanoBEIREvaluator

    retrieval = ctx.data["retrieval"]
    if "data_dir" in inspect.signature(NanoBEIREvaluator).parameters:
        root = Path(ctx.workdir) / "nanobeir"
        _write_beir_folder(root / NANO_BEIR_SPLIT, retrieval)
        return NanoBEIREvaluator(dataset_names=["msmarco"], data_dir=str(root))

    root = Path(ctx.workdir) / "nanobeir-hub-layout"
    _write_hub_layout(root, retrieval)
    return NanoBEIREvaluator(dataset_names=["msmarco"], dataset_id=str(root))


def _write_beir_folder(folder: Path, retrieval: dict[str, Any]) -> None:
    (folder / "qrels").mkdir(parents=True, exist_ok=True)
    corpus = [{"_id": key, "title": "", "text": text} for key, text in retrieval["corpus"].items()]
    _write_jsonl(folder / "corpus.jsonl", corpus)
    _write_jsonl(folder / "queries.jsonl", [{"_id": key, "text": text} for key, text in retrieval["queries"].items()])
    lines = ["query-id\tcorpus-id\tscore"]
    lines += [f"{query}\t{document}\t1" for query, documents in retrieval["relevant_docs"].items() for document in documents]
    (folder / "qrels" / "test.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_hub_layout(root: Path, retrieval: dict[str, Any]) -> None:
    subsets = {
        "corpus": [{"_id": key, "title": "", "text": text} for key, text in retrieval["corpus"].items()],
        "queries": [{"_id": key, "text": text} for key, text in retrieval["queries"].items()],
        "qrels": [
            {"query-id": query, "corpus-id": document}
            for query, documents in retrieval["relevant_docs"].items()
            for document in documents
        ],
    }
    card = ["---", "configs:"]
    for subset, rows in subsets.items():
        (root / subset).mkdir(parents=True, exist_ok=True)
        _write_jsonl(root / subset / f"{NANO_BEIR_SPLIT}.jsonl", rows)
        card += [
            f"- config_name: {subset}",
            "  data_files:",
            f"  - split: {NANO_BEIR_SPLIT}",
            f"    path: {subset}/{NANO_BEIR_SPLIT}.jsonl",
        ]
    (root / "README.md").write_text("\n".join(card + ["---", ""]), encoding="utf-8")


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


# Evaluation logs -----------------------------------------------------------------------
class EvaluationLog:
    """Record every call of an evaluator and reduce the calls to `(global step, metrics)` events.

    Args:
        legacy_steps_per_epoch: steps per epoch of a legacy fit run, whose evaluator receives the
            epoch index and the steps within the epoch (-1 at the epoch's end). None for a Trainer
            run, whose evaluator receives `steps=state.global_step`.

    Example:
        >>> log = EvaluationLog(legacy_steps_per_epoch=1)
        >>> evaluator = log.watch(similarity_evaluator(ctx))
        >>> model.fit(train_objectives=..., evaluator=evaluator)
        >>> ctx.observe("evaluations", log.events())
    """

    def __init__(self, legacy_steps_per_epoch: int | None = None) -> None:
        self.legacy_steps_per_epoch = legacy_steps_per_epoch
        self.calls: list[dict[str, Any]] = []

    def watch(self, evaluator: Any) -> Any:
        """Make `evaluator` record its calls here; returns the same object, still of a subclass of its class.

        The class is swapped rather than the evaluator wrapped, so that code which checks the
        evaluator's type or reads its attributes (`primary_metric`, `greater_is_better`) gets the
        evaluator it was given.
        """
        log = self
        base = type(evaluator)
        signature = inspect.signature(base.__call__)

        def __call__(inner: Any, *args: Any, **kwargs: Any) -> Any:
            result = base.__call__(inner, *args, **kwargs)
            bound = signature.bind(inner, *args, **kwargs)
            bound.apply_defaults()
            # A copy, because the caller may rename the keys of the returned dict in place
            # (sentence-transformers 6.3.0's fit adds the "eval_" prefix that way).
            metrics = dict(result) if isinstance(result, dict) else result
            epoch, steps = bound.arguments.get("epoch"), bound.arguments.get("steps")
            log.calls.append({"epoch": epoch, "steps": steps, "metrics": metrics})
            return result

        evaluator.__class__ = type(base.__name__, (base,), {"__call__": __call__, "__module__": base.__module__})
        return evaluator

    def global_step(self, epoch: Any, steps: Any) -> Any:
        """Return the global step of one call, or a description of arguments that break fit's contract."""
        if self.legacy_steps_per_epoch is None:
            return steps
        if type(epoch) is not int or type(steps) is not int:
            return f"epoch={epoch!r}, steps={steps!r}: fit must pass an int epoch index and an int step count"
        steps_done = self.legacy_steps_per_epoch if steps == -1 else steps
        return epoch * self.legacy_steps_per_epoch + steps_done

    def arguments(self) -> list[dict[str, Any]]:
        """Return the raw `(epoch, steps)` of every call, for the report."""
        return [{"epoch": call["epoch"], "steps": call["steps"]} for call in self.calls]

    def events(self) -> list[dict[str, Any]]:
        """Return one event per evaluated step, in call order.

        Legacy fit evaluates twice at an epoch's last step when `evaluation_steps` divides the
        epoch (once within the epoch, once at its end) on the same weights, so consecutive calls
        at one global step become one event.
        """
        events: list[dict[str, Any]] = []
        for call in self.calls:
            step = self.global_step(call["epoch"], call["steps"])
            if events and events[-1]["global_step"] == step:
                continue
            events.append({"global_step": step, "metrics": call["metrics"]})
        return events


def best_step(events: list[dict[str, Any]], metric: str) -> Any:
    """Return the global step whose `metric` first reached the maximum, as fit's strict `>` comparison keeps it."""
    best_value, best = None, None
    for event in events:
        value = event["metrics"].get(metric)
        if value is not None and (best_value is None or value > best_value):
            best_value, best = value, event["global_step"]
    return best


def checkpoint_step(checkpoint: str | None) -> int | None:
    """Return the global step of a Trainer checkpoint folder `.../checkpoint-<step>`, or None."""
    if not checkpoint:
        return None
    return int(Path(checkpoint).name.rsplit("-", 1)[-1])
