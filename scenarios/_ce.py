"""Shared pieces of the CrossEncoder scenarios (`ce.*`): fit's defaults, data in both forms, probes.

The invocations keep the shape of the migration guide's code. What all of them need lives here:
the model, the pairs as `InputExample`s and as a `datasets.Dataset`, and Trainer arguments that
make a run deterministic. There are also a probe for the loss that legacy `fit` builds
internally, an evaluation log, and the outputs (`predict` scores, `rank` order, loaded settings)
that the argument rows compare. Nothing here imports torch at module level, because the harness
imports scenario files just to collect them.

Evaluations are keyed by the number of optimizer steps taken before the call, counted by a
global optimizer hook. Legacy `fit` passes the evaluator `epoch` as the 0-based epoch index and
`steps` as the step count within the epoch, or -1 at the epoch's end. The Trainer passes its
float `state.epoch` and `state.global_step`. The step count is the same for both and needs
neither.
"""

from __future__ import annotations

import inspect
import os
from typing import Any

from _common import GradNormRecorder, full_batch_loader, quiet_trainer_settings  # noqa: F401 (re-exported)

# Training settings of the fit rows. With one full batch per step the two sides still see the
# batch's rows in different orders, so their gradients differ by float rounding. Where the true
# gradient is zero (the attention key biases, which softmax ignores), Adam scales that rounding
# up to about 5% of the learning rate per step. Measured on the tiny classifier (torch 2.13,
# CPU), learning rates summing to 1.2e-5 over a run part those biases by 6e-7. This rate sums to
# 4e-6 over the 4 steps below, which keeps them near 2e-7, under the fp32 tolerance (atol 1e-6),
# while the other weights move by about 4e-6.
LEARNING_RATE = 2e-6
EPOCHS = 4
WARMUP_STEPS = 1

# fit's defaults in Trainer argument names. A new invocation passes them to match a fit call
# that left them at their defaults.
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
    "per_device_train_batch_size": "the DataLoader's batch_size (all pairs); the Trainer's default is 8",
    "loss": "BinaryCrossEntropyLoss(model): fit's default loss for one label (BCEWithLogitsLoss on the logit)",
}

IMPLICIT_TRAINING: dict[str, str] = {
    "learning_rate": f"{LEARNING_RATE}: passed to both sides (fit through optimizer_params); it moves the weights beyond the tolerance and keeps the batch-order rounding inside it",
    "warmup_steps": f"{WARMUP_STEPS}: passed to both sides; fit's default 10000 would keep the learning rate near 0",
    "num_train_epochs": f"{EPOCHS}: passed to both sides (fit's epochs)",
}


def implicit_arguments(*names: str, training: bool = True, **overrides: str) -> dict[str, str]:
    """Return the documentation of the implicit arguments `names`, plus the shared training settings."""
    documented = dict(IMPLICIT_TRAINING) if training else {}
    documented.update({name: IMPLICIT_DEFAULTS[name] for name in names})
    documented.update(overrides)
    return documented


def fit_defaults(**overrides: Any) -> dict[str, Any]:
    """Return fit's defaults in Trainer argument names, with `overrides` applied."""
    return {**FIT_DEFAULTS, **overrides}


def training_defaults(**overrides: Any) -> dict[str, Any]:
    """Return fit's defaults with the shared training settings (learning rate, warmup, epochs)."""
    training = {"learning_rate": LEARNING_RATE, "warmup_steps": WARMUP_STEPS, "num_train_epochs": EPOCHS}
    return fit_defaults(**{**training, **overrides})


def legacy_training(**overrides: Any) -> dict[str, Any]:
    """Return the fit keyword arguments of the shared training settings, with `overrides` applied."""
    settings: dict[str, Any] = {
        "epochs": EPOCHS,
        "warmup_steps": WARMUP_STEPS,
        "optimizer_params": {"lr": LEARNING_RATE},
        "show_progress_bar": False,
    }
    settings.update(overrides)
    return settings


# Model and data ------------------------------------------------------------------------
def load_model(ctx: Any, **kwargs: Any) -> Any:
    from sentence_transformers.cross_encoder import CrossEncoder

    return CrossEncoder(ctx.model_path, device=ctx.device, **kwargs)


def fit_default_loss(model: Any) -> Any:
    """Return the Trainer loss that matches fit's default: BinaryCrossEntropyLoss for one label, else CrossEntropyLoss."""
    from sentence_transformers.cross_encoder.losses import BinaryCrossEntropyLoss, CrossEntropyLoss

    return BinaryCrossEntropyLoss(model) if model.num_labels == 1 else CrossEntropyLoss(model)


def input_examples(ctx: Any) -> list[Any]:
    from sentence_transformers import InputExample

    return [InputExample(texts=list(pair), label=label) for pair, label in zip(ctx.data["pairs"], ctx.data["labels"])]


def pair_dataset(ctx: Any, columns: tuple[str, str, str] = ("sentence_1", "sentence_2", "label")) -> Any:
    """Return the pairs as a `datasets.Dataset`: two text columns, in pair order, then the label column."""
    from datasets import Dataset

    first, second, label = columns
    return Dataset.from_dict(
        {
            first: [pair[0] for pair in ctx.data["pairs"]],
            second: [pair[1] for pair in ctx.data["pairs"]],
            label: list(ctx.data["labels"]),
        }
    )


def training_args(ctx: Any, implicit: dict[str, Any] | None = None, **arguments: Any) -> Any:
    """CrossEncoderTrainingArguments with the settings that make a run deterministic and quiet.

    The settings are the seed, no reporting, the device, no progress bar, no checkpoints and
    `output_dir="output"` in the invocation's working directory. `implicit` (the arguments a
    scenario passes to match fit's defaults) overrides them, and `arguments` (the row's own
    arguments) override both.
    """
    from sentence_transformers.cross_encoder import CrossEncoderTrainingArguments

    settings = quiet_trainer_settings(ctx)
    settings.update(implicit or {})
    settings.update(arguments)
    return CrossEncoderTrainingArguments(**settings)


# Probes --------------------------------------------------------------------------------
class BuiltinLossProbe:
    """Record the training loss of the torch loss module that legacy `fit` builds when `loss_fct=None`.

    fit creates its default loss inside the call, where `ctx.probe` cannot reach it. A global
    forward hook records the output of every `torch.nn` loss module (`BCEWithLogitsLoss`,
    `CrossEntropyLoss`, `MSELoss`) run with gradients enabled, into the same series `ctx.probe`
    fills. The 3.x loop calls that module directly; upstream 6.3.0 calls it inside its
    `BinaryCrossEntropyLoss` or `CrossEntropyLoss`, once per step either way.

    Example:
        >>> with BuiltinLossProbe(ctx):
        ...     model.fit(train_dataloader=loader)
    """

    def __init__(self, ctx: Any, name: str = "loss") -> None:
        self.series = ctx.loss_probe.values.setdefault(name, [])
        self._handle: Any = None

    def __enter__(self) -> BuiltinLossProbe:
        from torch.nn.modules.module import register_module_forward_hook

        self._handle = register_module_forward_hook(self._record)
        return self

    def __exit__(self, *_exc: Any) -> None:
        self._handle.remove()

    def _record(self, module: Any, _inputs: Any, output: Any) -> None:
        import torch

        if type(module) in (torch.nn.BCEWithLogitsLoss, torch.nn.CrossEntropyLoss, torch.nn.MSELoss) and torch.is_grad_enabled():
            self.series.append(float(output.detach().float().cpu()))


class StepCounter:
    """Count optimizer steps with a global hook, so that a callback can record after which step it ran."""

    def __init__(self) -> None:
        self.steps = 0
        self._handle: Any = None

    def __enter__(self) -> StepCounter:
        from torch.optim.optimizer import register_optimizer_step_post_hook

        self._handle = register_optimizer_step_post_hook(self._count)
        return self

    def __exit__(self, *_exc: Any) -> None:
        self._handle.remove()

    def _count(self, _optimizer: Any, _args: Any, _kwargs: Any) -> None:
        self.steps += 1


class CacheDirSpy:
    """Record the `cache_dir` that every `transformers.AutoConfig.from_pretrained` call receives.

    A local model folder is read in place, so `cache_folder` changes no output; what it does is
    to reach transformers as `cache_dir`. Both the reference and upstream 6.3.0 load the config
    through `AutoConfig.from_pretrained` with that keyword, so the patched class method records it.

    Example:
        >>> with CacheDirSpy() as spy:
        ...     model = CrossEncoder(path, cache_folder="hf-cache")
        >>> spy.values
        ['hf-cache']
    """

    def __init__(self) -> None:
        self.values: list[Any] = []
        self._original: Any = None

    def __enter__(self) -> CacheDirSpy:
        from transformers import AutoConfig

        self._original = AutoConfig.__dict__["from_pretrained"]
        original = self._original.__func__
        spy = self

        def from_pretrained(cls: Any, *args: Any, **kwargs: Any) -> Any:
            spy.values.append(None if kwargs.get("cache_dir") is None else os.fspath(kwargs["cache_dir"]))
            return original(cls, *args, **kwargs)

        AutoConfig.from_pretrained = classmethod(from_pretrained)
        return self

    def __exit__(self, *_exc: Any) -> None:
        from transformers import AutoConfig

        AutoConfig.from_pretrained = self._original


class EvaluationLog:
    """Record every call of an evaluator with the optimizer steps taken before it.

    Example:
        >>> with StepCounter() as counter:
        ...     log = EvaluationLog(counter)
        ...     evaluator = log.watch(correlation_evaluator(ctx))
        ...     model.fit(train_dataloader=loader, evaluator=evaluator)
        >>> ctx.observe("evaluations", log.events())
    """

    def __init__(self, counter: StepCounter) -> None:
        self.counter = counter
        self.calls: list[dict[str, Any]] = []

    def watch(self, evaluator: Any) -> Any:
        """Make `evaluator` record its calls here; returns the same object, now of a subclass of its class.

        The class is swapped rather than the evaluator wrapped, because upstream's Trainer wraps an
        evaluator that is no instance of its evaluator base class in a SequentialEvaluator, and
        because the Trainer reads `primary_metric` and `greater_is_better` from it.
        """
        log = self
        base = type(evaluator)
        signature = inspect.signature(base.__call__)

        def __call__(inner: Any, *args: Any, **kwargs: Any) -> Any:
            result = base.__call__(inner, *args, **kwargs)
            bound = signature.bind(inner, *args, **kwargs)
            log.calls.append(
                {
                    "after_step": log.counter.steps,
                    "epoch": bound.arguments.get("epoch"),
                    "steps": bound.arguments.get("steps"),
                    "metrics": result,
                }
            )
            return result

        evaluator.__class__ = type(base.__name__, (base,), {"__call__": __call__, "__module__": base.__module__})
        return evaluator

    def events(self) -> list[dict[str, Any]]:
        """Return one `{"after_step", "metrics"}` event per evaluated step, in call order.

        Legacy fit evaluates twice at an epoch's last step when `evaluation_steps` divides the
        epoch (once within the epoch, once at its end) on the same weights, so consecutive calls
        after the same step become one event.
        """
        events: list[dict[str, Any]] = []
        for call in self.calls:
            if events and events[-1]["after_step"] == call["after_step"]:
                continue
            events.append({"after_step": call["after_step"], "metrics": call["metrics"]})
        return events

    def arguments(self) -> list[list[Any]]:
        """Return the raw `[epoch, steps]` arguments of every call, as the evaluator received them."""
        return [[call["epoch"], call["steps"]] for call in self.calls]


# Evaluators ----------------------------------------------------------------------------
def correlation_evaluator(ctx: Any, name: str = "tiny", inverted: bool = False) -> Any:
    """Return a CrossEncoderCorrelationEvaluator over the training pairs, against `1 - label` when `inverted`.

    The inverted scores make the metric fall while the model learns the labels, so that the
    best evaluation comes first and differs from the last one.
    """
    from sentence_transformers.cross_encoder.evaluation import CrossEncoderCorrelationEvaluator

    scores = [1.0 - float(label) if inverted else float(label) for label in ctx.data["labels"]]
    return CrossEncoderCorrelationEvaluator([tuple(pair) for pair in ctx.data["pairs"]], scores, name=name, write_csv=False)


def reranking_samples(ctx: Any) -> list[dict[str, Any]]:
    """Group the binary pairs by query: `{"query", "positive": [...], "negative": [...]}` per query."""
    samples: dict[str, dict[str, Any]] = {}
    for (query, passage), label in zip(ctx.data["pairs"], ctx.data["labels"]):
        sample = samples.setdefault(query, {"query": query, "positive": [], "negative": []})
        sample["positive" if label else "negative"].append(passage)
    return list(samples.values())


def reranking_evaluator(ctx: Any, name: str = "tiny") -> Any:
    """Return a CrossEncoderRerankingEvaluator over the binary pairs, reranking each query's own passages."""
    from sentence_transformers.cross_encoder.evaluation import CrossEncoderRerankingEvaluator

    return CrossEncoderRerankingEvaluator(reranking_samples(ctx), at_k=10, name=name, write_csv=False)


def metric_key(evaluator: Any, metric: str) -> str:
    """Return the evaluator's name for `metric` as its results dict spells it (`<name>_<metric>`)."""
    return f"{evaluator.name}_{metric}" if getattr(evaluator, "name", "") else metric


# Outputs of the argument rows --------------------------------------------------------------
def model_settings(model: Any) -> dict[str, Any]:
    """Return the loaded settings an argument can change, read through the public attributes of both APIs."""
    config = model.config
    return {
        "num_labels": int(model.num_labels),
        "activation_fn": type(model.activation_fn).__name__,
        "parameter_dtype": str(next(model.parameters()).dtype),
        "tokenizer_model_max_length": int(model.tokenizer.model_max_length),
        "config": {key: getattr(config, key, None) for key in ("hidden_act", "classifier_dropout", "num_labels")},
    }


def probe_pairs(ctx: Any) -> list[list[str]]:
    return [list(pair) for pair in ctx.data["pairs"]]


def rank_inputs(ctx: Any) -> tuple[str, list[str]]:
    """Return the first pair's first text as the query and the distinct second texts as the documents."""
    documents = [pair[1] for pair in ctx.data["pairs"]]
    return ctx.data["pairs"][0][0], list(dict.fromkeys(documents))


def observe_outputs(ctx: Any, model: Any) -> None:
    """Observe the model's settings, its `predict` scores on the tier's pairs and its `rank` order."""
    ctx.observe("settings", model_settings(model))
    ctx.observe("predict", model.predict(probe_pairs(ctx), batch_size=8, show_progress_bar=False).tolist())
    if model.num_labels == 1:
        query, documents = rank_inputs(ctx)
        ctx.observe("rank", model.rank(query, documents, show_progress_bar=False))

