"""The context object (`ctx`) a scenario's invocation receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..capture import LossProbe


class InvocationSkipped(Exception):
    """Raised by `ctx.skip`: this record cannot run here, for the reason given."""


@dataclass
class InvocationContext:
    """Everything an invocation may use besides the library under test.

    Attributes:
        model_path: the saved initial model; both invocations load the same folder.
        data: the tier's training data as plain lists (see `conformance.fixtures.data`).
        device: "cpu" or "cuda".
        seed: the seed the harness set before the invocation started.
        tier: "tiny", "real" or "statistical".
        workdir: the invocation's own empty working directory (also the current directory).
        fixtures: paths of further prepared models by fixture name.
    """

    model_path: str
    data: dict[str, Any]
    device: str
    seed: int
    tier: str
    workdir: Path
    fixtures: dict[str, str] = field(default_factory=dict)
    observations: dict[str, Any] = field(default_factory=dict)
    shown: dict[str, Any] = field(default_factory=dict)
    loss_probe: LossProbe = field(default_factory=LossProbe)

    def probe(self, loss_module: Any, name: str = "loss") -> Any:
        """Record the training loss this module returns at every step; returns the module unchanged."""
        return self.loss_probe.attach(loss_module, name)

    def observe(self, key: str, value: Any) -> None:
        """Keep a JSON-serializable value that the engine compares between the two sides."""
        self.observations[key] = value

    def show(self, key: str, value: Any) -> None:
        """Keep a JSON-serializable value for the report only; it is never compared."""
        self.shown[key] = value

    def skip(self, reason: str) -> None:
        """Stop the invocation and give its record the `skipped` verdict with `reason`.

        For conditions only the child can check, e.g. a GPU without bfloat16 support;
        skips known before anything runs belong in `Case(skip=...)`.
        """
        raise InvocationSkipped(reason)
