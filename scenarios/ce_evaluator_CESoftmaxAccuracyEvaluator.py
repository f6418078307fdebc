"""ce.evaluator.CESoftmaxAccuracyEvaluator: the 3.x arg-max accuracy against the 4.x classification evaluator.

Legacy: `CESoftmaxAccuracyEvaluator(sentence_pairs, labels)(model)`, the share of pairs whose
highest-scoring class is the gold label.
New: `CrossEncoderClassificationEvaluator(sentence_pairs, labels)(model)["f1_micro"]`: with one gold
label per pair, the micro F1 of the arg-max class equals that accuracy.
"""

from _ce_evaluator import TINY_ONLY, input_examples, load_cross_encoder, metric_key, names_replacement, record_new_metrics, record_old_score, relation

from conformance import Case, NegativeControl, Scenario, Tier

scenario = Scenario(
    row="ce.evaluator.CESoftmaxAccuracyEvaluator",
    relation=relation(
        "'f1_micro'",
        "CrossEncoderClassificationEvaluator",
        "The new evaluator reports no accuracy for a model with several labels. Its micro F1 counts every "
        "pair once, so it equals the arg-max accuracy. The old call runs with its defaults, with v3 "
        "positional arguments (name, write_csv) and through `from_input_examples` with a name, as the 3.x "
        "training examples built it.",
    ),
    negative_control=NegativeControl(
        {"metric": "f1_macro"},
        "the new side reads the primary metric, the macro F1, which is what a user who reads "
        "`results[evaluator.primary_metric]` gets in place of the accuracy",
    ),
    tiers={
        "tiny": Tier(model="tiny-ce-3label", data="tiny-pairs-3class"),
        "real": Tier(model="minilm-ce-3label", data="snli-pairs"),
    },
    artifacts=("observations", "warnings"),
    cases=(
        Case("default", legacy_kwargs={"style": "default"}),
        Case("v3-positional", legacy_kwargs={"style": "positional"}, new_kwargs={"name": "AllNLI-dev"}, skip=TINY_ONLY),
        Case("v3-input-examples", legacy_kwargs={"style": "input-examples"}, new_kwargs={"name": "AllNLI-dev"}, skip=TINY_ONLY),
    ),
    warning_rules=(names_replacement("CESoftmaxAccuracyEvaluator", "CrossEncoderClassificationEvaluator"),),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx, style="default"):
    from sentence_transformers.cross_encoder.evaluation import CESoftmaxAccuracyEvaluator

    model = load_cross_encoder(ctx)
    pairs, labels = ctx.data["pairs"], ctx.data["labels"]

    if style == "default":
        evaluator = CESoftmaxAccuracyEvaluator(pairs, labels)
    elif style == "positional":
        # 3.x order: sentence_pairs, labels, name, write_csv.
        evaluator = CESoftmaxAccuracyEvaluator(pairs, labels, "AllNLI-dev", False)
    else:
        evaluator = CESoftmaxAccuracyEvaluator.from_input_examples(input_examples(pairs, labels), name="AllNLI-dev")
    record_old_score(ctx, evaluator(model))
    return None


@scenario.new
def new(ctx, name="", metric="f1_micro"):
    from sentence_transformers.cross_encoder.evaluation import CrossEncoderClassificationEvaluator

    model = load_cross_encoder(ctx)
    evaluator = CrossEncoderClassificationEvaluator(ctx.data["pairs"], ctx.data["labels"], name=name)
    metrics = evaluator(model)
    record_new_metrics(ctx, evaluator, metrics, metric_key(name, metric))
    return None
