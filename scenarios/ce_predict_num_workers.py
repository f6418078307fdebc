"""ce.predict.num_workers: `CrossEncoder.predict(num_workers=...)` against `predict(...)` without it."""

from conformance import NegativeControl, Scenario, Tier, WarningRule

import _ce

scenario = Scenario(
    row="ce.predict.num_workers",
    relation=(
        "num_workers has no effect any more, so predict with and without it returns the same scores on the tiny "
        "pairs (within the fp32 tolerance), and the model's settings, weights and held-out scores match. The old "
        "call must emit a warning that num_workers has no effect; the new call, which drops it, none. Nothing is "
        "trained."
    ),
    negative_control=NegativeControl(
        {"num_workers": 2}, "the migration not applied: the new call still passes num_workers, which must show up as a deprecation warning"
    ),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts")},
    artifacts=("weights", "heldout", "observations", "warnings"),
    warning_rules=(
        WarningRule("legacy", r"num_workers[\s\S]*no effect", True, "the old argument warns that num_workers has no effect"),
    ),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx):
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(ctx.model_path, device=ctx.device)
    scores = model.predict(_ce.probe_pairs(ctx), show_progress_bar=False, num_workers=2)
    ctx.observe("predict", scores.tolist())
    ctx.observe("settings", _ce.model_settings(model))
    return model


@scenario.new
def new(ctx, num_workers=None):
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(ctx.model_path, device=ctx.device)
    extra = {} if num_workers is None else {"num_workers": num_workers}
    scores = model.predict(_ce.probe_pairs(ctx), show_progress_bar=False, **extra)
    ctx.observe("predict", scores.tolist())
    ctx.observe("settings", _ce.model_settings(model))
    return model
