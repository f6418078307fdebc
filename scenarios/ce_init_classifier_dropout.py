"""ce.init.classifier_dropout: `CrossEncoder(classifier_dropout=...)` against `CrossEncoder(config_kwargs={"classifier_dropout": ...})`."""

from conformance import NegativeControl, Scenario, Tier, WarningRule

import _ce

DROPOUT = 0.3

scenario = Scenario(
    row="ce.init.classifier_dropout",
    relation=(
        f"Both calls set the config's classifier_dropout to {DROPOUT}: the loaded settings (config "
        "classifier_dropout, labels, activation, dtype, tokenizer length) match exactly. Dropout is inactive in "
        "predict, so the predict scores, rank order, weights and held-out scores must match within the fp32 "
        "tolerance too. The old keyword must emit a warning that names config_kwargs; the new call none. "
        "Nothing is trained."
    ),
    negative_control=NegativeControl(
        {"classifier_dropout": None}, "the config_kwargs entry dropped: the config keeps classifier_dropout=None"
    ),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts")},
    artifacts=("weights", "heldout", "observations", "warnings"),
    warning_rules=(
        WarningRule("legacy", r"config_kwargs", True, "the old keyword warns and names config_kwargs, where the value now goes"),
    ),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx):
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(ctx.model_path, device=ctx.device, classifier_dropout=DROPOUT)
    _ce.observe_outputs(ctx, model)
    return model


@scenario.new
def new(ctx, classifier_dropout=DROPOUT):
    from sentence_transformers import CrossEncoder

    config_kwargs = None if classifier_dropout is None else {"classifier_dropout": classifier_dropout}
    model = CrossEncoder(ctx.model_path, device=ctx.device, config_kwargs=config_kwargs)
    _ce.observe_outputs(ctx, model)
    return model
