"""ce.evaluator.CEBinaryAccuracyEvaluator: the 3.x accuracy at a fixed threshold against the 4.x classification evaluator.

Legacy: `CEBinaryAccuracyEvaluator(sentence_pairs, labels, threshold=...)(model)`, the share of pairs
where `score > threshold` matches the 0/1 label.
New: `CrossEncoderClassificationEvaluator(sentence_pairs, labels)(model)["accuracy"]`, the best such
share over all thresholds.
"""

from _ce_evaluator import TINY_ONLY, input_examples, load_cross_encoder, metric_key, names_replacement, record_new_metrics, record_old_score, relation, threshold_candidates

from conformance import Case, NegativeControl, Scenario, Tier

scenario = Scenario(
    row="ce.evaluator.CEBinaryAccuracyEvaluator",
    relation=relation(
        "'accuracy'",
        "CrossEncoderClassificationEvaluator",
        "The old score is the accuracy of `score > threshold` at one fixed threshold (0.5 by default), the new "
        "'accuracy' the best accuracy over all thresholds. So the old call with its default differs by design, "
        "and the equivalent old call is the maximum of the old score over one threshold per distinct predicted "
        "score, which the legacy side computes with the v3 keyword `threshold=`, with v3 positional arguments "
        "and through `from_input_examples`.",
    ),
    negative_control=NegativeControl(
        {"metric": "average_precision"},
        "the new side reads the primary metric, average precision, which is what a user who reads "
        "`results[evaluator.primary_metric]` gets in place of the accuracy",
    ),
    tiers={
        "tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary"),
        "real": Tier(model="minilm-ce-1label", data="retrieval-pairs-binary"),
    },
    artifacts=("observations", "warnings"),
    cases=(
        Case(
            "default",
            legacy_kwargs={"style": "default"},
            expect="expected-divergence",
            reason=(
                "the old evaluator applies the fixed threshold 0.5 to the sigmoid score, while the new 'accuracy' "
                "uses the threshold that maximizes it on the same pairs (reported as 'accuracy_threshold'), so the "
                "two agree only when 0.5 happens to be a best threshold"
            ),
        ),
        Case("best-threshold", legacy_kwargs={"style": "threshold-keyword"}, new_kwargs={"name": "dev"}),
        Case("v3-positional", legacy_kwargs={"style": "positional"}, new_kwargs={"name": "dev"}, skip=TINY_ONLY),
        Case("v3-input-examples", legacy_kwargs={"style": "input-examples"}, new_kwargs={"name": "dev"}, skip=TINY_ONLY),
    ),
    warning_rules=(names_replacement("CEBinaryAccuracyEvaluator", "CrossEncoderClassificationEvaluator"),),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx, style="default"):
    from sentence_transformers.cross_encoder.evaluation import CEBinaryAccuracyEvaluator

    model = load_cross_encoder(ctx)
    pairs, labels = ctx.data["pairs"], ctx.data["labels"]

    if style == "default":
        evaluator = CEBinaryAccuracyEvaluator(pairs, labels)
        record_old_score(ctx, evaluator(model))
        return None

    # The best accuracy over fixed thresholds, one per distinct predicted score.
    accuracies = []
    for threshold in threshold_candidates(model.predict(pairs)):
        if style == "threshold-keyword":
            evaluator = CEBinaryAccuracyEvaluator(pairs, labels, name="dev", threshold=threshold)
        elif style == "positional":
            # 3.x order: sentence_pairs, labels, name, threshold, write_csv.
            evaluator = CEBinaryAccuracyEvaluator(pairs, labels, "dev", threshold, False)
        else:
            evaluator = CEBinaryAccuracyEvaluator.from_input_examples(input_examples(pairs, labels), name="dev", threshold=threshold)
        accuracies.append(evaluator(model))
    record_old_score(ctx, max(accuracies))
    return None


@scenario.new
def new(ctx, name="", metric="accuracy"):
    from sentence_transformers.cross_encoder.evaluation import CrossEncoderClassificationEvaluator

    model = load_cross_encoder(ctx)
    evaluator = CrossEncoderClassificationEvaluator(ctx.data["pairs"], ctx.data["labels"], name=name)
    metrics = evaluator(model)
    record_new_metrics(ctx, evaluator, metrics, metric_key(name, metric))
    return None
