"""ce.predict.activation_fct: `CrossEncoder.predict(activation_fct=...)` against `predict(activation_fn=...)`."""

from conformance import Case, NegativeControl, Scenario, Tier, WarningRule

import _ce

scenario = Scenario(
    row="ce.predict.activation_fct",
    relation=(
        "Both spellings apply torch.nn.Identity() to the logits for this call instead of the model's Sigmoid: the "
        "predict scores on the tiny pairs (raw logits) match within the fp32 tolerance, and so do the model's "
        "settings, weights and held-out scores (with its own Sigmoid). The old keyword must emit a warning that "
        "names activation_fn; the new one none. Nothing is trained. A misspelled keyword (activation_fctt, "
        "activation_fnn) must raise the same kind of error on both sides."
    ),
    negative_control=NegativeControl(
        {"activation_fn": None}, "activation_fn dropped: predict applies the model's Sigmoid, so every score changes"
    ),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts")},
    artifacts=("weights", "heldout", "observations", "warnings"),
    cases=(
        Case("default"),
        Case("unknown-keyword", {"keyword": "activation_fctt"}, {"keyword": "activation_fnn"}, expect_exception=True),
    ),
    warning_rules=(
        WarningRule("legacy", r"activation_fn\b", True, "the old keyword warns and names its new spelling activation_fn"),
    ),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx, keyword="activation_fct"):
    import torch
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(ctx.model_path, device=ctx.device)
    scores = model.predict(_ce.probe_pairs(ctx), show_progress_bar=False, **{keyword: torch.nn.Identity()})
    ctx.observe("predict", scores.tolist())
    ctx.observe("settings", _ce.model_settings(model))
    return model


@scenario.new
def new(ctx, keyword="activation_fn", activation_fn="Identity"):
    import torch
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(ctx.model_path, device=ctx.device)
    value = None if activation_fn is None else getattr(torch.nn, activation_fn)()
    scores = model.predict(_ce.probe_pairs(ctx), show_progress_bar=False, **{keyword: value})
    ctx.observe("predict", scores.tolist())
    ctx.observe("settings", _ce.model_settings(model))
    return model
