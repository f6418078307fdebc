"""ce.init.tokenizer_args: `CrossEncoder(tokenizer_args=...)` against `CrossEncoder(tokenizer_kwargs=...)`."""

from conformance import NegativeControl, Scenario, Tier, WarningRule

import _ce

MAX_LENGTH = 8

scenario = Scenario(
    row="ce.init.tokenizer_args",
    relation=(
        f"Both spellings hand {{'model_max_length': {MAX_LENGTH}}} to the tokenizer: the loaded settings (tokenizer "
        f"length {MAX_LENGTH}, labels, activation, dtype, config), the predict scores and rank order on the tiny "
        "pairs (truncated to 8 tokens), the weights and the held-out scores match within the fp32 tolerance. "
        "The old keyword must emit a warning that names tokenizer_kwargs; the new one none. Nothing is trained."
    ),
    negative_control=NegativeControl(
        {"tokenizer_kwargs": None},
        "tokenizer_kwargs dropped: the tokenizer keeps its saved limit of 32 tokens and no pair is truncated",
    ),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts")},
    artifacts=("weights", "heldout", "observations", "warnings"),
    warning_rules=(
        WarningRule("legacy", r"tokenizer_kwargs", True, "the old keyword warns and names its new spelling tokenizer_kwargs"),
    ),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx):
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(ctx.model_path, device=ctx.device, tokenizer_args={"model_max_length": MAX_LENGTH})
    _ce.observe_outputs(ctx, model)
    return model


@scenario.new
def new(ctx, tokenizer_kwargs=MAX_LENGTH):
    from sentence_transformers import CrossEncoder

    value = None if tokenizer_kwargs is None else {"model_max_length": tokenizer_kwargs}
    model = CrossEncoder(ctx.model_path, device=ctx.device, tokenizer_kwargs=value)
    _ce.observe_outputs(ctx, model)
    return model
