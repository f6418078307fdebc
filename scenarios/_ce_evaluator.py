"""Shared parts of the ce.evaluator.* scenarios: the model, the inputs and what each side records.

Every scenario of this family evaluates one fixed, untrained CrossEncoder twice on the same
data: with a 3.x `CE*Evaluator` (legacy), which returned one float, and with its 4.x
replacement (new), which returns a dict of metrics. The legacy side observes
`{"score": <what the old call returned>}` and the new side `{"score": metrics[<key>]}`, where
`<key>` is the metric the scenario states as the counterpart of the old score. The whole
metrics dict is shown in the report but never compared.
"""

from __future__ import annotations

from typing import Any

from conformance import WarningRule

# The relation sentence every scenario of the family shares; each adds its own metric.
COMPARED = (
    "Nothing is trained: both sides load the same saved CrossEncoder and evaluate it on the same data. "
    "Compared: the old evaluator's return value against the new evaluator's {metric} within the float "
    "tolerance, and the warnings (the old class warns on construction naming {replacement}; the new "
    "evaluator emits no deprecation warning). The new metrics dict and its primary metric are shown, "
    "not compared."
)


# Skip entry of the cases that call the old evaluator the way v3 code did: argument handling does
# not depend on the model, so they run on the tiny tier only.
TINY_ONLY = {"real": "a calling-convention case: argument handling does not depend on the model, so the tiny tier checks it"}


def relation(metric: str, replacement: str, details: str) -> str:
    """Return the scenario's relation: the shared comparison plus the row's own `details`."""
    return COMPARED.format(metric=metric, replacement=replacement) + " " + details


def names_replacement(old: str, replacement: str) -> WarningRule:
    """Return the rule that constructing the old evaluator emits a warning naming its replacement class."""
    return WarningRule("legacy", replacement, True, f"constructing {old} warns and names its replacement {replacement}")


def load_cross_encoder(ctx: Any) -> Any:
    """Load the scenario's saved CrossEncoder from the library under test."""
    from sentence_transformers.cross_encoder import CrossEncoder

    return CrossEncoder(ctx.model_path, device=ctx.device)


def input_examples(pairs: list[list[str]], labels: list[Any]) -> list[Any]:
    """Wrap labelled pairs in `InputExample`s, the input of the 3.x `from_input_examples`."""
    from sentence_transformers import InputExample

    return [InputExample(texts=list(pair), label=label) for pair, label in zip(pairs, labels)]


def metric_key(name: str, metric: str) -> str:
    """Return the key of `metric` in the new evaluators' dict, which prefixes it with the evaluator's name."""
    return f"{name}_{metric}" if name else metric


def record_old_score(ctx: Any, score: Any) -> None:
    """Observe what the old evaluator returned (a float in 3.x) and show its type."""
    ctx.observe("score", score)
    ctx.show("returned_type", type(score).__name__)


def record_new_metrics(ctx: Any, evaluator: Any, metrics: dict[str, float], key: str) -> None:
    """Observe the metric that corresponds to the old score; show the whole dict and the primary metric."""
    ctx.observe("score", metrics[key])
    ctx.show("corresponding_metric", key)
    ctx.show("primary_metric", getattr(evaluator, "primary_metric", None))
    ctx.show("metrics", metrics)


def threshold_candidates(scores: Any) -> list[float]:
    """Return every distinct score, plus one threshold below them all.

    With `score > threshold` as the prediction of label 1, threshold `s` splits the pairs just
    above the score `s`, so these thresholds produce every split that any threshold can, and the
    best accuracy over them is the best accuracy at all. Thresholds taken from the float32
    scores themselves compare exactly, where midpoints could round onto a neighbouring score.
    """
    ordered = sorted({float(score) for score in scores})
    return [ordered[0] - 1.0, *ordered]
