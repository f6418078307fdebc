"""ce.evaluator.CEF1Evaluator: the 3.x F1 of the arg-max class against the 4.x classification evaluator.

Legacy: `CEF1Evaluator(sentence_pairs, labels)(model)`, the macro F1 of the arg-max class when the
labels hold three or more classes.
New: `CrossEncoderClassificationEvaluator(sentence_pairs, labels)(model)["f1_macro"]` for a model with
several labels.
"""

from _ce_evaluator import TINY_ONLY, input_examples, load_cross_encoder, metric_key, names_replacement, record_new_metrics, record_old_score, relation

from conformance import Case, NegativeControl, Scenario, Tier

scenario = Scenario(
    row="ce.evaluator.CEF1Evaluator",
    relation=relation(
        "'f1_macro' (its primary metric for a model with several labels)",
        "CrossEncoderClassificationEvaluator",
        "With three classes the old score is the macro F1 of the arg-max class, which the new evaluator reports "
        "as 'f1_macro' for a three-label model. The 3.x binary F1 (labels with two distinct values) has no "
        "counterpart there and is not run. The old call runs with its defaults, with every v3 keyword "
        "(batch_size, show_progress_bar, name, write_csv; all keyword-only in 3.x) and through "
        "`from_input_examples`.",
    ),
    negative_control=NegativeControl(
        {"metric": "f1_micro"},
        "the new side reads the micro F1 (the arg-max accuracy) in place of the macro F1",
    ),
    tiers={
        "tiny": Tier(model="tiny-ce-3label", data="tiny-pairs-3class"),
        "real": Tier(model="minilm-ce-3label", data="snli-pairs"),
    },
    artifacts=("observations", "warnings"),
    cases=(
        Case("default", legacy_kwargs={"style": "default"}),
        Case("v3-keywords", legacy_kwargs={"style": "keywords"}, new_kwargs={"name": "dev"}, skip=TINY_ONLY),
        Case("v3-input-examples", legacy_kwargs={"style": "input-examples"}, new_kwargs={"name": "dev"}, skip=TINY_ONLY),
    ),
    warning_rules=(names_replacement("CEF1Evaluator", "CrossEncoderClassificationEvaluator"),),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx, style="default"):
    from sentence_transformers.cross_encoder.evaluation import CEF1Evaluator

    model = load_cross_encoder(ctx)
    pairs, labels = ctx.data["pairs"], ctx.data["labels"]

    if style == "default":
        evaluator = CEF1Evaluator(pairs, labels)
    elif style == "keywords":
        evaluator = CEF1Evaluator(pairs, labels, batch_size=4, show_progress_bar=False, name="dev", write_csv=False)
    else:
        evaluator = CEF1Evaluator.from_input_examples(input_examples(pairs, labels), name="dev")
    record_old_score(ctx, evaluator(model))
    return None


@scenario.new
def new(ctx, name="", metric="f1_macro"):
    from sentence_transformers.cross_encoder.evaluation import CrossEncoderClassificationEvaluator

    model = load_cross_encoder(ctx)
    evaluator = CrossEncoderClassificationEvaluator(ctx.data["pairs"], ctx.data["labels"], name=name)
    metrics = evaluator(model)
    record_new_metrics(ctx, evaluator, metrics, metric_key(name, metric))
    return None
