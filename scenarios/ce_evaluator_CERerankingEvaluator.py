"""ce.evaluator.CERerankingEvaluator: the 3.x MRR@k against the renamed 4.x reranking evaluator.

Legacy: `CERerankingEvaluator(samples)(model)`, the mean reciprocal rank @10 of each query's
positives among its positives and negatives, ranked by CrossEncoder score.
New: `CrossEncoderRerankingEvaluator(samples)(model)["mrr@10"]`.
"""

from _ce_evaluator import TINY_ONLY, load_cross_encoder, metric_key, names_replacement, record_new_metrics, record_old_score, relation

from conformance import Case, NegativeControl, Scenario, Tier

scenario = Scenario(
    row="ce.evaluator.CERerankingEvaluator",
    relation=relation(
        "'mrr@k' (its primary metric is 'ndcg@k')",
        "CrossEncoderRerankingEvaluator",
        "Every sample has positives and negatives (the negatives are the passages sharing the most "
        "IDF-weighted words with the query). The old call runs with its defaults, with v3 positional "
        "arguments (at_k, name, write_csv), with the v3 keyword `mrr_at_k` and with the samples as a dict "
        "keyed by query id, as the 3.x training examples built them; the new side uses the same cutoff. The "
        "v3 calls use the cutoff 2, where MRR differs from MRR@10 on the tiny set, so an ignored cutoff would show.",
    ),
    negative_control=NegativeControl(
        {"at_k": 1},
        "the new evaluator runs with the cutoff 1, so it reports MRR@1 in place of the old cutoff's MRR",
    ),
    tiers={
        "tiny": Tier(model="tiny-ce-1label", data="tiny-rerank"),
        "real": Tier(model="minilm-ce-1label", data="retrieval-rerank"),
    },
    artifacts=("observations", "warnings"),
    cases=(
        Case("default", legacy_kwargs={"style": "default"}),
        Case("v3-positional", legacy_kwargs={"style": "positional"}, new_kwargs={"at_k": 2, "name": "dev"}, skip=TINY_ONLY),
        Case("v3-mrr-at-k", legacy_kwargs={"style": "mrr_at_k"}, new_kwargs={"at_k": 2, "name": "dev"}, skip=TINY_ONLY),
        Case("v3-dict-samples", legacy_kwargs={"style": "dict"}, new_kwargs={"name": "train-eval"}, skip=TINY_ONLY),
        Case(
            "query-without-negatives",
            legacy_kwargs={"style": "default", "add_query_without_negatives": True},
            new_kwargs={"add_query_without_negatives": True},
            expect="expected-divergence",
            reason=(
                "the old evaluator skips a sample with no negatives (or no positives) and averages over the rest, "
                "while the new one keeps it in the mean: a sample with positives only ranks a positive first and "
                "counts with reciprocal rank 1"
            ),
            skip={"real": "the averaging rule over samples does not depend on the model, so the tiny tier checks it"},
        ),
    ),
    warning_rules=(names_replacement("CERerankingEvaluator", "CrossEncoderRerankingEvaluator"),),
    kind="cross-encoder",
)


def with_query_without_negatives(samples):
    """Return the samples plus a copy of the first one whose negatives are empty."""
    first = samples[0]
    return [*samples, {"query": first["query"], "positive": list(first["positive"]), "negative": []}]


@scenario.legacy
def legacy(ctx, style="default", add_query_without_negatives=False):
    from sentence_transformers.cross_encoder.evaluation import CERerankingEvaluator

    model = load_cross_encoder(ctx)
    samples = ctx.data["samples"]
    if add_query_without_negatives:
        samples = with_query_without_negatives(samples)

    if style == "default":
        evaluator = CERerankingEvaluator(samples)
    elif style == "positional":
        # 3.x order: samples, at_k, name, write_csv.
        evaluator = CERerankingEvaluator(samples, 2, "dev", False)
    elif style == "mrr_at_k":
        evaluator = CERerankingEvaluator(samples, mrr_at_k=2, name="dev")
    else:
        samples_by_query_id = {f"q{index}": sample for index, sample in enumerate(samples)}
        evaluator = CERerankingEvaluator(samples_by_query_id, name="train-eval")
    record_old_score(ctx, evaluator(model))
    return None


@scenario.new
def new(ctx, at_k=10, name="", add_query_without_negatives=False):
    from sentence_transformers.cross_encoder.evaluation import CrossEncoderRerankingEvaluator

    model = load_cross_encoder(ctx)
    samples = ctx.data["samples"]
    if add_query_without_negatives:
        samples = with_query_without_negatives(samples)

    evaluator = CrossEncoderRerankingEvaluator(samples, at_k=at_k, name=name)
    metrics = evaluator(model)
    record_new_metrics(ctx, evaluator, metrics, metric_key(name, f"mrr@{at_k}"))
    return None
