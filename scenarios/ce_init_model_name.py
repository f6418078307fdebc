"""ce.init.model_name: `CrossEncoder(model_name=...)` against `CrossEncoder(model_name_or_path=...)`."""

from conformance import Case, NegativeControl, Scenario, Tier, WarningRule

import _ce

scenario = Scenario(
    row="ce.init.model_name",
    relation=(
        "Both spellings load the same folder: the loaded settings (labels, activation, dtype, tokenizer length, "
        "config), the predict scores and the rank order on the tiny pairs, the weights and the held-out scores "
        "match exactly or within the fp32 tolerance. The old keyword must emit a warning that names "
        "model_name_or_path; the new one none. Nothing is trained, so no loss or optimizer is compared. Passing "
        "the argument under both names is the same mistake as passing it twice, so both calls must raise the "
        "same kind of error."
    ),
    negative_control=NegativeControl(
        {"keyword": "model_name"},
        "the migration not applied: the new invocation keeps the old keyword, which must show up as a deprecation warning",
    ),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts")},
    artifacts=("weights", "heldout", "observations", "warnings"),
    cases=(
        Case("default"),
        Case("both-names", {"also_new_name": True}, {"also_positional": True}, expect_exception=True),
    ),
    warning_rules=(
        WarningRule("legacy", r"model_name_or_path", True, "the old keyword warns and names its new spelling model_name_or_path"),
    ),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx, also_new_name=False):
    from sentence_transformers import CrossEncoder

    if also_new_name:
        model = CrossEncoder(model_name=ctx.model_path, model_name_or_path=ctx.model_path, device=ctx.device)
    else:
        model = CrossEncoder(model_name=ctx.model_path, device=ctx.device)
    _ce.observe_outputs(ctx, model)
    return model


@scenario.new
def new(ctx, keyword="model_name_or_path", also_positional=False):
    from sentence_transformers import CrossEncoder

    if also_positional:
        model = CrossEncoder(ctx.model_path, model_name_or_path=ctx.model_path, device=ctx.device)
    else:
        model = CrossEncoder(**{keyword: ctx.model_path}, device=ctx.device)
    _ce.observe_outputs(ctx, model)
    return model
