"""ce.init.config_args: `CrossEncoder(config_args=...)` against `CrossEncoder(config_kwargs=...)`."""

from conformance import NegativeControl, Scenario, Tier, WarningRule

import _ce

scenario = Scenario(
    row="ce.init.config_args",
    relation=(
        "Both spellings hand {'hidden_act': 'relu'} to the model config: the loaded settings (config hidden_act "
        "relu, labels, activation, dtype, tokenizer length), the predict scores and rank order on the tiny pairs, "
        "the weights and the held-out scores match within the fp32 tolerance. The old keyword must emit a "
        "warning that names config_kwargs; the new one none. Nothing is trained."
    ),
    negative_control=NegativeControl(
        {"config_kwargs": None}, "config_kwargs dropped: the model keeps its saved gelu activation, which changes every score"
    ),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts")},
    artifacts=("weights", "heldout", "observations", "warnings"),
    warning_rules=(
        WarningRule("legacy", r"config_kwargs", True, "the old keyword warns and names its new spelling config_kwargs"),
    ),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx):
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(ctx.model_path, device=ctx.device, config_args={"hidden_act": "relu"})
    _ce.observe_outputs(ctx, model)
    return model


@scenario.new
def new(ctx, config_kwargs="relu"):
    from sentence_transformers import CrossEncoder

    value = None if config_kwargs is None else {"hidden_act": config_kwargs}
    model = CrossEncoder(ctx.model_path, device=ctx.device, config_kwargs=value)
    _ce.observe_outputs(ctx, model)
    return model
