"""Exception tree of the conformance engine.

Every error the engine raises on purpose derives from `ConformanceError`, so a caller
can tell a harness problem from a bug in the code under test. Errors about a value
the user supplied also derive from `ValueError`.
"""

from __future__ import annotations


class ConformanceError(Exception):
    """Base class of every error the engine raises on purpose."""


class ScenarioDefinitionError(ConformanceError, ValueError):
    """A scenario file declares something invalid (unknown row, missing invocation)."""


class TargetError(ConformanceError, ValueError):
    """A target spec is unknown, or the target cannot be imported."""


class FixtureError(ConformanceError):
    """A model or data fixture could not be prepared (missing data folder, failed build)."""


class InvocationFailed(ConformanceError):
    """An invocation raised, crashed or ran past its timeout in its child process."""

    def __init__(self, side: str, kind: str, message: str, log_tail: str = "") -> None:
        super().__init__(f"{side} invocation {kind}: {message}")
        self.side = side
        self.kind = kind
        self.message = message
        self.log_tail = log_tail


class RunnerUnavailable(ConformanceError):
    """The warm runner process for a target did not start or stopped responding."""
