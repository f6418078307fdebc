"""Equivalence in distribution for rows that cannot be made deterministic.

Mixed precision on a GPU and models trained with dropout give a different result for every
seed, so a tolerance on one run cannot judge them. The statistical tier runs each side with
several seeds and decides with two one-sided tests (TOST, Welch's unequal-variance t-test):
the two sides are equivalent on a metric when the (1 - 2 alpha) confidence interval of the
difference of their means lies inside [-margin, +margin]. Margins are absolute, in the
metric's own unit, and are stated by the scenario before anything runs.

Nothing here imports torch; scipy is imported when a test is computed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import ScenarioDefinitionError

if TYPE_CHECKING:
    from .scenario import NegativeControl

DEFAULT_SEEDS = 5
DEFAULT_ALPHA = 0.05

# Outcomes of one metric's comparison.
EQUIVALENT = "equivalent"  # the whole interval lies inside the margin
OUTSIDE = "outside-margin"  # the estimate itself lies outside the margin
INCONCLUSIVE = "inconclusive"  # the estimate is inside, but the interval reaches past the margin


@dataclass(frozen=True)
class Statistical:
    """How a scenario's "statistical" tier compares the two sides in distribution.

    Args:
        margins: metric name -> equivalence margin, absolute, in the metric's unit. Metric
            names: "final_loss" (the last training loss of the first probed loss),
            "heldout.<score>" (a score of the harness's held-out evaluation, e.g.
            "heldout.spearman"), "observations.<key>" (a numeric observation).
        seeds: runs per side; the run's --statistical-seeds option overrides it. Seed i
            runs with the run's base seed + i.
        alpha: size of each one-sided test; the interval shown is the (1 - 2 alpha) one.
        negative_control: the broken mapping this tier must find outside a margin; None
            uses the scenario's own. Pick one that moves the metrics: a control that only
            changes what an exact check sees (a dtype, say) is indistinguishable in
            distribution.
        exact_observations: observation keys that do not depend on the seed (a dtype, a
            count); they must be equal on every run of both sides.

    Example:
        >>> Statistical(margins={"final_loss": 0.05, "heldout.spearman": 0.1}, seeds=5)
        Statistical(margins={'final_loss': 0.05, 'heldout.spearman': 0.1}, seeds=5, ...)
    """

    margins: Mapping[str, float] = field(default_factory=lambda: {"final_loss": 0.05})
    seeds: int = DEFAULT_SEEDS
    alpha: float = DEFAULT_ALPHA
    negative_control: NegativeControl | None = None
    exact_observations: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.margins:
            raise ScenarioDefinitionError("Statistical needs at least one metric in margins, e.g. {'final_loss': 0.05}")
        for name, margin in self.margins.items():
            metric_prefix(name)
            if not isinstance(margin, (int, float)) or not margin > 0:
                raise ScenarioDefinitionError(f"Statistical margin of {name!r} must be a number > 0, got {margin!r}")
        check_seeds(self.seeds)
        if not 0 < self.alpha < 0.5:
            raise ScenarioDefinitionError(f"Statistical alpha must lie between 0 and 0.5, got {self.alpha!r}")

    def __repr__(self) -> str:
        return f"Statistical(margins={dict(self.margins)!r}, seeds={self.seeds!r}, ...)"


def check_seeds(seeds: int) -> int:
    """Return `seeds`, or raise when it is too small for a variance estimate."""
    if not isinstance(seeds, int) or isinstance(seeds, bool) or seeds < 2:
        raise ScenarioDefinitionError(f"the statistical tier needs at least 2 seeds per side to estimate a variance, got {seeds!r}")
    return seeds


def metric_prefix(name: str) -> str:
    """Return the kind of a metric name, or raise naming the accepted forms."""
    if name == "final_loss":
        return name
    prefix, _, rest = name.partition(".")
    if prefix in ("heldout", "observations") and rest:
        return prefix
    raise ScenarioDefinitionError(
        f"unknown statistical metric {name!r}; use 'final_loss', 'heldout.<score>' or 'observations.<key>'"
    )


def metric_value(artifacts: Mapping[str, Any], name: str) -> float:
    """Read one metric from one invocation's artifacts; NaN when the invocation did not produce it."""
    kind = metric_prefix(name)
    if kind == "final_loss":
        series = artifacts.get("loss") or {}
        values = series.get("loss") or next(iter(series.values()), [])
        return float(values[-1]) if values else math.nan
    key = name.partition(".")[2]
    value = (artifacts.get(kind) or {}).get(key)
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else math.nan


@dataclass(frozen=True)
class Equivalence:
    """The outcome of one TOST: the estimate, its interval, the margin and the decision.

    Attributes:
        estimate: mean(new) - mean(legacy).
        low, high: the (1 - 2 alpha) confidence interval of the estimate.
        p_value: the larger of the two one-sided p-values; equivalence when below alpha.
    """

    metric: str
    margin: float
    alpha: float
    estimate: float
    low: float
    high: float
    p_value: float
    degrees_of_freedom: float
    legacy_mean: float
    new_mean: float
    legacy_sd: float
    new_sd: float
    n_legacy: int
    n_new: int

    @property
    def outcome(self) -> str:
        if not all(map(math.isfinite, (self.estimate, self.low, self.high))):
            return INCONCLUSIVE
        if -self.margin < self.low and self.high < self.margin:
            return EQUIVALENT
        if abs(self.estimate) > self.margin:
            return OUTSIDE
        return INCONCLUSIVE

    def as_dict(self) -> dict[str, Any]:
        figure = {key: _finite(value) for key, value in self.__dict__.items()}
        figure["confidence"] = 1 - 2 * self.alpha
        figure["outcome"] = self.outcome
        return figure

    def sentence(self) -> str:
        level = round(100 * (1 - 2 * self.alpha))
        return (
            f"{self.metric}: new - legacy = {self.estimate:+.4g}, {level}% interval [{self.low:+.4g}, {self.high:+.4g}], "
            f"margin +/-{self.margin:g}, TOST p = {self.p_value:.3g} ({self.outcome}; "
            f"legacy {self.legacy_mean:.4g} sd {self.legacy_sd:.2g}, new {self.new_mean:.4g} sd {self.new_sd:.2g}, "
            f"{self.n_legacy} and {self.n_new} seeds)"
        )


def tost(metric: str, legacy: Sequence[float], new: Sequence[float], margin: float, alpha: float = DEFAULT_ALPHA) -> Equivalence:
    """Two one-sided Welch t-tests of |mean(new) - mean(legacy)| < margin.

    Runs whose metric is NaN (a failed evaluation) are left out. With fewer than two
    finite values on a side the interval is infinite and the outcome inconclusive.
    """
    from scipy import stats

    left = [float(value) for value in legacy if math.isfinite(value)]
    right = [float(value) for value in new if math.isfinite(value)]
    n1, n2 = len(left), len(right)
    mean1 = sum(left) / n1 if n1 else math.nan
    mean2 = sum(right) / n2 if n2 else math.nan
    var1 = _variance(left, mean1)
    var2 = _variance(right, mean2)
    estimate = mean2 - mean1
    common = dict(metric=metric, margin=margin, alpha=alpha, estimate=estimate, legacy_mean=mean1, new_mean=mean2,
                  legacy_sd=math.sqrt(var1), new_sd=math.sqrt(var2), n_legacy=n1, n_new=n2)
    if n1 < 2 or n2 < 2:
        return Equivalence(low=-math.inf, high=math.inf, p_value=1.0, degrees_of_freedom=math.nan, **common)

    se = math.sqrt(var1 / n1 + var2 / n2)
    if se == 0.0:
        # Both sides constant (a deterministic metric): the interval is the point itself.
        inside = abs(estimate) < margin
        return Equivalence(low=estimate, high=estimate, p_value=0.0 if inside else 1.0, degrees_of_freedom=math.inf, **common)

    # Welch-Satterthwaite degrees of freedom; a side with zero variance contributes nothing.
    df = se**4 / sum((v / n) ** 2 / (n - 1) for v, n in ((var1, n1), (var2, n2)) if v > 0)
    p_lower = float(stats.t.sf((estimate + margin) / se, df))  # H0: difference <= -margin
    p_upper = float(stats.t.cdf((estimate - margin) / se, df))  # H0: difference >= +margin
    half_width = float(stats.t.ppf(1 - alpha, df)) * se
    return Equivalence(low=estimate - half_width, high=estimate + half_width, p_value=max(p_lower, p_upper), degrees_of_freedom=df, **common)


def _variance(values: list[float], mean: float) -> float:
    if len(values) < 2:
        return math.nan if not values else 0.0
    return sum((value - mean) ** 2 for value in values) / (len(values) - 1)


def _finite(value: Any) -> Any:
    # results.json is strict JSON: infinities and NaN become None.
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def compare_runs(
    legacy: Sequence[Mapping[str, Any]],
    new: Sequence[Mapping[str, Any]],
    declaration: Statistical,
) -> list[Equivalence]:
    """Run one TOST per declared metric over the artifacts of each side's seeds."""
    results = []
    for metric, margin in declaration.margins.items():
        left = [metric_value(artifacts, metric) for artifacts in legacy]
        right = [metric_value(artifacts, metric) for artifacts in new]
        results.append(tost(metric, left, right, float(margin), declaration.alpha))
    return results


def exact_observation_differences(
    legacy: Sequence[Mapping[str, Any]],
    new: Sequence[Mapping[str, Any]],
    keys: Sequence[str],
) -> list[str]:
    """Describe each seed-independent observation that is not the same on every run of both sides."""
    differences = []
    for key in keys:
        seen = {_canonical((artifacts.get("observations") or {}).get(key)) for artifacts in [*legacy, *new]}
        if len(seen) > 1:
            legacy_values = sorted({_canonical((a.get("observations") or {}).get(key)) for a in legacy})
            new_values = sorted({_canonical((a.get("observations") or {}).get(key)) for a in new})
            differences.append(f"observation {key!r}: legacy runs saw {legacy_values}, new runs saw {new_values}")
    return differences


def _canonical(value: Any) -> str:
    import json

    return json.dumps(value, sort_keys=True, default=repr)
