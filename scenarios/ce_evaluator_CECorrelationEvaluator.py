"""ce.evaluator.CECorrelationEvaluator: the 3.x Spearman correlation against the renamed 4.x evaluator.

Legacy: `CECorrelationEvaluator(sentence_pairs, scores)(model)`, the Spearman correlation between the
CrossEncoder's scores and gold similarity scores.
New: `CrossEncoderCorrelationEvaluator(sentence_pairs, scores)(model)["spearman"]`.
"""

from _ce_evaluator import TINY_ONLY, input_examples, load_cross_encoder, metric_key, names_replacement, record_new_metrics, record_old_score, relation

from conformance import Case, NegativeControl, Scenario, Tier

scenario = Scenario(
    row="ce.evaluator.CECorrelationEvaluator",
    relation=relation(
        "'spearman' (its primary metric)",
        "CrossEncoderCorrelationEvaluator",
        "The guide calls this a rename, so the old score must equal the new Spearman correlation. The old call "
        "runs with its defaults, with v3 positional arguments (name, write_csv) and through "
        "`from_input_examples` with a name, as the 3.x training examples built it.",
    ),
    negative_control=NegativeControl(
        {"metric": "pearson"},
        "the new side reads the Pearson correlation, the evaluator's other metric, in place of the Spearman one",
    ),
    tiers={
        "tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-graded"),
        "real": Tier(model="minilm-ce-1label", data="stsb-pairs"),
    },
    artifacts=("observations", "warnings"),
    cases=(
        Case("default", legacy_kwargs={"style": "default"}),
        Case("v3-positional", legacy_kwargs={"style": "positional"}, new_kwargs={"name": "sts-dev"}, skip=TINY_ONLY),
        Case("v3-input-examples", legacy_kwargs={"style": "input-examples"}, new_kwargs={"name": "sts-dev"}, skip=TINY_ONLY),
    ),
    warning_rules=(names_replacement("CECorrelationEvaluator", "CrossEncoderCorrelationEvaluator"),),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx, style="default"):
    from sentence_transformers.cross_encoder.evaluation import CECorrelationEvaluator

    model = load_cross_encoder(ctx)
    pairs, scores = ctx.data["pairs"], ctx.data["scores"]

    if style == "default":
        evaluator = CECorrelationEvaluator(pairs, scores)
    elif style == "positional":
        # 3.x order: sentence_pairs, scores, name, write_csv.
        evaluator = CECorrelationEvaluator(pairs, scores, "sts-dev", False)
    else:
        evaluator = CECorrelationEvaluator.from_input_examples(input_examples(pairs, scores), name="sts-dev")
    record_old_score(ctx, evaluator(model))
    return None


@scenario.new
def new(ctx, name="", metric="spearman"):
    from sentence_transformers.cross_encoder.evaluation import CrossEncoderCorrelationEvaluator

    model = load_cross_encoder(ctx)
    evaluator = CrossEncoderCorrelationEvaluator(ctx.data["pairs"], ctx.data["scores"], name=name)
    metrics = evaluator(model)
    record_new_metrics(ctx, evaluator, metrics, metric_key(name, metric))
    return None
