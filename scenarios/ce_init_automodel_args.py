"""ce.init.automodel_args: `CrossEncoder(automodel_args=...)` against `CrossEncoder(model_kwargs=...)`."""

from conformance import Case, NegativeControl, Scenario, Tier, WarningRule

import _ce

scenario = Scenario(
    row="ce.init.automodel_args",
    relation=(
        "Both spellings hand {'dtype': torch.float64} to the sequence-classification model's from_pretrained: the "
        "loaded settings (parameter dtype float64, labels, activation, tokenizer length, config), the predict "
        "scores and rank order on the tiny pairs, the weights and the held-out scores match within the fp32 "
        "tolerance. The old keyword must emit a warning that names model_kwargs; the new one none. Nothing is "
        "trained. A misspelled keyword (automodel_argz, model_kwargz) must raise the same kind of error on both "
        "sides."
    ),
    negative_control=NegativeControl(
        {"model_kwargs": None}, "model_kwargs dropped: the model loads in float32, so the argument's value was lost"
    ),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts")},
    artifacts=("weights", "heldout", "observations", "warnings"),
    cases=(
        Case("default"),
        Case("unknown-keyword", {"keyword": "automodel_argz"}, {"keyword": "model_kwargz"}, expect_exception=True),
    ),
    warning_rules=(
        WarningRule("legacy", r"model_kwargs", True, "the old keyword warns and names its new spelling model_kwargs"),
    ),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx, keyword="automodel_args"):
    import torch
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(ctx.model_path, device=ctx.device, **{keyword: {"dtype": torch.float64}})
    _ce.observe_outputs(ctx, model)
    return model


@scenario.new
def new(ctx, keyword="model_kwargs", model_kwargs="float64"):
    import torch
    from sentence_transformers import CrossEncoder

    value = None if model_kwargs is None else {"dtype": getattr(torch, model_kwargs)}
    model = CrossEncoder(ctx.model_path, device=ctx.device, **{keyword: value})
    _ce.observe_outputs(ctx, model)
    return model
