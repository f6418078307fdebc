"""ce.init.default_activation_function: `CrossEncoder(default_activation_function=...)` against `CrossEncoder(activation_fn=...)`."""

from conformance import NegativeControl, Scenario, Tier, WarningRule

import _ce

scenario = Scenario(
    row="ce.init.default_activation_function",
    relation=(
        "Both spellings set torch.nn.Identity() as the model's activation, replacing the Sigmoid a one-label model "
        "gets by default: the loaded settings (activation Identity), the predict scores (raw logits) and rank "
        "scores on the tiny pairs, the weights and the held-out scores match within the fp32 tolerance. The old "
        "keyword must emit a warning that names activation_fn; the new one none. Nothing is trained."
    ),
    negative_control=NegativeControl(
        {"activation_fn": None}, "activation_fn dropped: predict applies the default Sigmoid, so every score changes"
    ),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts")},
    artifacts=("weights", "heldout", "observations", "warnings"),
    warning_rules=(
        WarningRule("legacy", r"activation_fn\b", True, "the old keyword warns and names its new spelling activation_fn"),
    ),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx):
    import torch
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(ctx.model_path, device=ctx.device, default_activation_function=torch.nn.Identity())
    _ce.observe_outputs(ctx, model)
    return model


@scenario.new
def new(ctx, activation_fn="Identity"):
    import torch
    from sentence_transformers import CrossEncoder

    value = None if activation_fn is None else getattr(torch.nn, activation_fn)()
    model = CrossEncoder(ctx.model_path, device=ctx.device, activation_fn=value)
    _ce.observe_outputs(ctx, model)
    return model
