"""ce.init.cache_dir: `CrossEncoder(cache_dir=...)` against `CrossEncoder(cache_folder=...)`."""

from conformance import NegativeControl, Scenario, Tier, WarningRule

import _ce

CACHE_FOLDER = "hf-cache"

scenario = Scenario(
    row="ce.init.cache_dir",
    relation=(
        "A local folder is read in place, so the cache folder changes no output: the loaded settings, predict "
        "scores, rank order, weights and held-out scores must match within the fp32 tolerance, and the value's "
        "effect is observed where it goes, as the cache_dir of every transformers AutoConfig.from_pretrained call "
        f"('{CACHE_FOLDER}', relative to each side's own working directory), which must match exactly. The old "
        "keyword must emit a warning that names cache_folder; the new one none. Nothing is trained."
    ),
    negative_control=NegativeControl(
        {"cache_folder": None}, "cache_folder dropped: transformers receives cache_dir=None, the default cache"
    ),
    tiers={"tiny": Tier(model="tiny-ce-1label", data="tiny-pairs-binary", heldout="tiny-sts")},
    artifacts=("weights", "heldout", "observations", "warnings"),
    warning_rules=(
        WarningRule("legacy", r"cache_folder", True, "the old keyword warns and names its new spelling cache_folder"),
    ),
    kind="cross-encoder",
)


@scenario.legacy
def legacy(ctx):
    from sentence_transformers import CrossEncoder

    with _ce.CacheDirSpy() as spy:
        model = CrossEncoder(ctx.model_path, device=ctx.device, cache_dir=CACHE_FOLDER)
    ctx.observe("config_cache_dirs", sorted(set(spy.values), key=str))
    _ce.observe_outputs(ctx, model)
    return model


@scenario.new
def new(ctx, cache_folder=CACHE_FOLDER):
    from sentence_transformers import CrossEncoder

    with _ce.CacheDirSpy() as spy:
        model = CrossEncoder(ctx.model_path, device=ctx.device, cache_folder=cache_folder)
    ctx.observe("config_cache_dirs", sorted(set(spy.values), key=str))
    _ce.observe_outputs(ctx, model)
    return model
