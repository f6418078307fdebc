"""ce.rank.activation_fct: `CrossEncoder.rank(activation_fct=...)` against `rank(activation_fn=...)`."""

from conformance import NegativeControl, Scenario, Tier, WarningRule

import _ce

scenario = Scenario(
    row="ce.rank.activation_fct",
    relation=(
        "Both spellings apply torch.nn.Identity() to the logits for this call instead of the model's Sigmoid: the "
        "ranked list of the tiny documents for one query (corpus ids in order exactly, scores as raw logits within "
        "the fp32 tolerance) matches, and so do the model's settings, weights and held-out scores. The old keyword "
        "must emit a warning that names activation_fn; the new one none. Nothing is trained."
    ),
    negative_control=NegativeControl(
        {"activation_fn": None}, "activation_fn dropped: rank applies the model's Sigmoid, so every score changes"
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

    model = CrossEncoder(ctx.model_path, device=ctx.device)
    query, documents = _ce.rank_inputs(ctx)
    ranking = model.rank(query, documents, show_progress_bar=False, activation_fct=torch.nn.Identity())
    ctx.observe("rank", ranking)
    ctx.observe("settings", _ce.model_settings(model))
    return model


@scenario.new
def new(ctx, activation_fn="Identity"):
    import torch
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(ctx.model_path, device=ctx.device)
    query, documents = _ce.rank_inputs(ctx)
    value = None if activation_fn is None else getattr(torch.nn, activation_fn)()
    ranking = model.rank(query, documents, show_progress_bar=False, activation_fn=value)
    ctx.observe("rank", ranking)
    ctx.observe("settings", _ce.model_settings(model))
    return model
