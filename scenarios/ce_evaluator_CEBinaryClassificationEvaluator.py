"""ce.evaluator.CEBinaryClassificationEvaluator: the 3.x average precision against the 4.x classification evaluator.

Legacy: `CEBinaryClassificationEvaluator(sentence_pairs, labels)(model)`, the average precision of the
scores of a one-label CrossEncoder on pairs labelled 0 or 1.
New: `CrossEncoderClassificationEvaluator(sentence_pairs, labels)(model)["average_precision"]`.
"""

from _ce_evaluator import TINY_ONLY, input_examples, load_cross_encoder, metric_key, names_replacement, record_new_metrics, record_old_score, relation

from conformance import Case, NegativeControl, Scenario, Tier

scenario = Scenario(
    row="ce.evaluator.CEBinaryClassificationEvaluator",
    relation=relation(
        "'average_precision' (its primary metric)",
        "CrossEncoderClassificationEvaluator",
        "Both compute the average precision of ranking the pairs by score, ties counted as one step. The old "
        "call runs with its defaults, with v3 positional arguments (name, show_progress_bar, write_csv) and "
        "through `from_input_examples` with v3 keywords.",
    ),
    negative_control=NegativeControl(
        {"metric": "accuracy"},
        "the new side reads the best-threshold accuracy, the other score of a binary evaluation, in place of "
        "the average precision",
    ),
    tiers={
        "tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary"),
        "real": Tier(model="minilm-ce-1label", data="retrieval-pairs-binary"),
    },
    artifacts=("observations", "warnings"),
    cases=(
        Case("default", legacy_kwargs={"style": "default"}),
        Case("v3-positional", legacy_kwargs={"style": "positional"}, new_kwargs={"name": "dev"}, skip=TINY_ONLY),
        Case("v3-input-examples", legacy_kwargs={"style": "input-examples"}, new_kwargs={"name": "dev"}, skip=TINY_ONLY),
    ),
    warning_rules=(names_replacement("CEBinaryClassificationEvaluator", "CrossEncoderClassificationEvaluator"),),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx, style="default"):
    from sentence_transformers.cross_encoder.evaluation import CEBinaryClassificationEvaluator

    model = load_cross_encoder(ctx)
    pairs, labels = ctx.data["pairs"], ctx.data["labels"]

    if style == "default":
        evaluator = CEBinaryClassificationEvaluator(pairs, labels)
    elif style == "positional":
        # 3.x order: sentence_pairs, labels, name, show_progress_bar, write_csv.
        evaluator = CEBinaryClassificationEvaluator(pairs, labels, "dev", False, False)
    else:
        evaluator = CEBinaryClassificationEvaluator.from_input_examples(
            input_examples(pairs, labels), name="dev", show_progress_bar=False, write_csv=False
        )
    record_old_score(ctx, evaluator(model))
    return None


@scenario.new
def new(ctx, name="", metric="average_precision"):
    from sentence_transformers.cross_encoder.evaluation import CrossEncoderClassificationEvaluator

    model = load_cross_encoder(ctx)
    evaluator = CrossEncoderClassificationEvaluator(ctx.data["pairs"], ctx.data["labels"], name=name)
    metrics = evaluator(model)
    record_new_metrics(ctx, evaluator, metrics, metric_key(name, metric))
    return None
