"""Declarative scenarios: one migration-guide row, its two invocations and what must match.

A scenario file under `scenarios/` creates one `Scenario`, decorates a legacy and a new
invocation, and states the relation the report shows. The engine does the rest: it runs
each invocation in its own child process, captures artifacts and compares them.

Example::

    scenario = Scenario(
        row="st.fit.warmup_steps",
        relation="Loss, learning rate and final weights match within the fp32 tolerance.",
        negative_control=NegativeControl({"warmup_steps": 0}, "warmup dropped, the Trainer's default"),
    )

    @scenario.legacy
    def legacy(ctx, warmup_steps=2):
        ...

    @scenario.new
    def new(ctx, warmup_steps=2):
        ...
"""

from __future__ import annotations

import inspect
import sys
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ScenarioDefinitionError
from .rows import get_row
from .statistics import Statistical

SIDES = ("legacy", "new", "negative_control")
RECORD_DEVICES = ("cpu", "cuda")
RECORD_TIERS = ("tiny", "real", "statistical")
# A case's compute dtype; float64 is reserved for the harness's tie-break reruns.
CASE_DTYPES = ("fp32", "tf32", "fp16", "bf16")

# Artifacts compared when a scenario names none.
DEFAULT_ARTIFACTS = ("loss", "learning_rate", "optimizer", "weights", "heldout", "observations", "warnings")
KNOWN_ARTIFACTS = frozenset(DEFAULT_ARTIFACTS) | {"checkpoints", "evaluations", "progress", "outputs"}

Invocation = Callable[..., Any]


@dataclass(frozen=True)
class NegativeControl:
    """The new invocation with the row's mapping deliberately broken.

    Args:
        overrides: keyword arguments passed to the new invocation in place of its defaults,
            e.g. `{"warmup_steps": 0}` to drop the warmup.
        description: one sentence saying what is broken and why it must be noticed.
    """

    overrides: Mapping[str, Any]
    description: str


@dataclass(frozen=True)
class Tier:
    """The model and data one tier of a scenario runs on.

    Args:
        model: name of a model fixture (see `conformance.fixtures.models`).
        data: name of a data fixture (see `conformance.fixtures.data`).
        heldout: name of the held-out data set the harness evaluates both trained models on,
            or None to skip that evaluation.
        statistical: how the "statistical" tier compares the sides in distribution (seeds,
            margins, its own negative control). Only the tier named "statistical" reads it,
            and None there means `Statistical()`'s defaults.
    """

    model: str
    data: str
    heldout: str | None = None
    statistical: Statistical | None = None


@dataclass(frozen=True)
class Case:
    """One way to run a row: most rows have one, rows with a documented non-equivalence two.

    Args:
        name: short id, shown in record ids (`row::name[tier-device]`).
        legacy_kwargs / new_kwargs: keyword arguments for the two invocations in this case.
        expect: "equivalent", or "expected-divergence" when the guide documents a difference.
        reason: why a divergence is expected, with the mechanism; required for divergences.
        expect_exception: both sides must raise the same exception type (bad-input cases).
        dtype: what the case computes in: "fp32", "tf32", "fp16" or "bf16". It selects the
            tolerance policy with the device, and "tf32" allows TF32 matmuls on CUDA.
        skip: records this case does not run, each with the reason: keys are a device
            ("cpu"), a tier ("real") or both ("tiny-cuda").
    """

    name: str = "default"
    legacy_kwargs: Mapping[str, Any] = field(default_factory=dict)
    new_kwargs: Mapping[str, Any] = field(default_factory=dict)
    expect: str = "equivalent"
    reason: str | None = None
    expect_exception: bool = False
    dtype: str = "fp32"
    skip: Mapping[str, str] = field(default_factory=dict)

    def skip_reason(self, tier: str, device: str) -> str | None:
        """Return why this case does not run as (tier, device), or None when it runs."""
        for key in (f"{tier}-{device}", device, tier):
            if key in self.skip:
                return self.skip[key]
        return None


@dataclass(frozen=True)
class WarningRule:
    """A warning that one side must (or must not) emit.

    Args:
        side: "legacy" or "new".
        pattern: regular expression searched in the normalized message.
        must_emit: True when at least one warning must match, False when none may.
        description: the promise this rule checks, shown in the report.
    """

    side: str
    pattern: str
    must_emit: bool
    description: str


class Scenario:
    """The executable form of one migration-guide row.

    Args:
        row: the row id, e.g. "st.flow"; checked against the migration guide's list.
        relation: what must match exactly, what within which tolerance, and what differs
            by design and how it is normalized. The report shows this sentence.
        negative_control: the broken mapping that must come out divergent.
        implicit_arguments: arguments the guide leaves implicit that the new invocation
            passes to match the legacy defaults, each with the reason.
        tiers: tier name -> `Tier`; "tiny" always runs, "real" needs the real model and data,
            "statistical" runs several seeds per side and compares them in distribution
            (opt in with a Tier of that name; see `conformance.statistics.Statistical`).
        artifacts: which artifacts are compared (default `DEFAULT_ARTIFACTS`).
        cases: the cases to run (default one equivalent case).
        warning_rules: extra warning promises; the new side may never emit a deprecation warning.
        ignore_warnings: regular expressions of ambient warnings left out of the comparison.
        kind: "sentence-transformer" or "cross-encoder": how the harness evaluates the trained model.
        tolerance: name of a per-row tolerance override in the policy (needs its written reason there).
        timeout: seconds one invocation may run before it is killed.
    """

    def __init__(
        self,
        row: str,
        relation: str,
        negative_control: NegativeControl,
        implicit_arguments: Mapping[str, str] | None = None,
        tiers: Mapping[str, Tier] | None = None,
        artifacts: tuple[str, ...] = DEFAULT_ARTIFACTS,
        cases: tuple[Case, ...] = (Case(),),
        warning_rules: tuple[WarningRule, ...] = (),
        ignore_warnings: tuple[str, ...] = (),
        kind: str = "sentence-transformer",
        tolerance: str | None = None,
        timeout: float | None = None,
    ) -> None:
        self.row = get_row(row)
        self.relation = _require_text("relation", relation, row)
        self.negative_control = negative_control
        self.implicit_arguments = dict(implicit_arguments or {})
        self.tiers = dict(tiers or {"tiny": Tier(model="tiny-bert", data="tiny-triplets", heldout="tiny-sts")})
        self.artifacts = _check_artifacts(artifacts, row)
        self.cases = _check_cases(cases, row)
        self.warning_rules = tuple(warning_rules)
        self.ignore_warnings = tuple(ignore_warnings)
        self.kind = kind
        self.tolerance = tolerance
        self.timeout = timeout
        self._invocations: dict[str, Invocation] = {}
        # Set by the loader: the runner's child imports the scenario again from this file.
        self.source_file: str = sys._getframe(1).f_code.co_filename

    # Decorators -----------------------------------------------------------------
    def legacy(self, function: Invocation) -> Invocation:
        """Register the legacy invocation: `function(ctx, **kwargs)` returns the trained model."""
        self._invocations["legacy"] = function
        return function

    def new(self, function: Invocation) -> Invocation:
        """Register the new invocation: `function(ctx, **kwargs)` returns the trained model."""
        self._invocations["new"] = function
        return function

    # Queries used by the engine ---------------------------------------------------
    def invocation(self, side: str) -> Invocation:
        """Return the function that runs `side`; the negative control runs the new one."""
        name = "new" if side == "negative_control" else side
        try:
            return self._invocations[name]
        except KeyError:
            raise ScenarioDefinitionError(
                f"scenario {self.row.id!r} has no {name} invocation; decorate one with @scenario.{name}"
            ) from None

    def kwargs_for(self, side: str, case: Case, tier: str | None = None) -> dict[str, Any]:
        """Keyword arguments for one side of one case, negative-control overrides applied last."""
        if side == "legacy":
            return dict(case.legacy_kwargs)
        kwargs = dict(case.new_kwargs)
        if side == "negative_control":
            kwargs.update(self.negative_control_for(tier).overrides)
        return kwargs

    def negative_control_for(self, tier: str | None) -> NegativeControl:
        """Return the negative control of a tier: the statistical tier may declare its own."""
        declared = self.tiers.get(tier) if tier == "statistical" else None
        if declared is not None and declared.statistical is not None and declared.statistical.negative_control is not None:
            return declared.statistical.negative_control
        return self.negative_control

    def source(self, side: str) -> str:
        """Return the invocation's source code, as the report shows it."""
        try:
            return textwrap.dedent(inspect.getsource(self.invocation(side)))
        except (OSError, TypeError):
            return "<source unavailable>"

    def validate(self) -> None:
        """Raise `ScenarioDefinitionError` when an invocation or the negative control is missing."""
        for side in ("legacy", "new"):
            self.invocation(side)
        if not self.negative_control.overrides and not self.negative_control.description:
            raise ScenarioDefinitionError(f"scenario {self.row.id!r} needs a negative control")
        parameters = inspect.signature(self._invocations["new"]).parameters
        accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
        for tier in (None, *self.tiers):
            overrides = self.negative_control_for(tier).overrides
            unknown = [name for name in overrides if name not in parameters and not accepts_any]
            if unknown:
                raise ScenarioDefinitionError(
                    f"scenario {self.row.id!r}: negative control overrides {unknown} are not parameters of the "
                    f"new invocation {list(parameters)[1:]}"
                )


def _require_text(name: str, value: str, row: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ScenarioDefinitionError(f"scenario {row!r}: {name} must be a non-empty sentence, got {value!r}")
    return value.strip()


def _check_artifacts(artifacts: tuple[str, ...], row: str) -> tuple[str, ...]:
    unknown = sorted(set(artifacts) - KNOWN_ARTIFACTS)
    if unknown:
        raise ScenarioDefinitionError(
            f"scenario {row!r}: unknown artifacts {unknown}; known ones are {sorted(KNOWN_ARTIFACTS)}"
        )
    return tuple(artifacts)


def _check_cases(cases: tuple[Case, ...], row: str) -> tuple[Case, ...]:
    names = [case.name for case in cases]
    if len(set(names)) != len(names):
        raise ScenarioDefinitionError(f"scenario {row!r}: case names must be unique, got {names}")
    for case in cases:
        if case.expect not in ("equivalent", "expected-divergence"):
            raise ScenarioDefinitionError(
                f"scenario {row!r}, case {case.name!r}: expect must be 'equivalent' or 'expected-divergence', "
                f"got {case.expect!r}"
            )
        if case.expect == "expected-divergence" and not case.reason:
            raise ScenarioDefinitionError(
                f"scenario {row!r}, case {case.name!r}: an expected divergence needs a reason"
            )
        if case.dtype not in CASE_DTYPES:
            raise ScenarioDefinitionError(
                f"scenario {row!r}, case {case.name!r}: dtype must be one of {list(CASE_DTYPES)}, got {case.dtype!r}"
            )
        for key, reason in case.skip.items():
            if not _is_record_pattern(key) or not str(reason).strip():
                raise ScenarioDefinitionError(
                    f"scenario {row!r}, case {case.name!r}: skip entry {key!r}: {reason!r} needs a device, a tier or "
                    "'<tier>-<device>' as key and a reason as value"
                )
    return tuple(cases)


def _is_record_pattern(key: str) -> bool:
    tier, _, device = key.rpartition("-")
    if not tier:
        return key in RECORD_DEVICES or key in RECORD_TIERS
    return tier in RECORD_TIERS and device in RECORD_DEVICES
