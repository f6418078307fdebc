"""Verdict decision from the comparison, the negative control and the expected outcome."""

from __future__ import annotations

from dataclasses import dataclass

VERDICTS = ("equivalent", "divergent", "expected-divergence", "error", "skipped", "insensitive", "unexpected-pass")
UNEXPECTED = frozenset({"divergent", "error", "insensitive", "unexpected-pass"})


@dataclass(frozen=True)
class Verdict:
    verdict: str
    reason: str

    @property
    def unexpected(self) -> bool:
        return self.verdict in UNEXPECTED


def decide(expected: str, mismatches: list[dict], control_mismatches: list[dict] | None) -> Verdict:
    """Judge one record whose three invocations all produced artifacts.

    Args:
        expected: "equivalent" or "expected-divergence".
        mismatches: legacy against new.
        control_mismatches: legacy against the negative control; None when it was not run.
    """
    if control_mismatches is not None and not control_mismatches:
        return Verdict(
            "insensitive",
            "the negative control matched the legacy invocation, so this check cannot tell a broken mapping from a correct one",
        )
    if not mismatches:
        if expected == "expected-divergence":
            return Verdict("unexpected-pass", "the two invocations matched although a divergence was expected")
        return Verdict("equivalent", _agreement(control_mismatches))
    first = mismatches[0]["message"]
    if expected == "expected-divergence":
        return Verdict("expected-divergence", f"{_count(mismatches)} as expected; first: {first}")
    return Verdict("divergent", f"{_count(mismatches)}; first: {first}")


def _agreement(control_mismatches: list[dict] | None) -> str:
    if not control_mismatches:
        return "legacy and new agree on every compared artifact"
    return (
        f"legacy and new agree on every compared artifact; the negative control parts with "
        f"{_count(control_mismatches)} (first: {control_mismatches[0]['message']})"
    )


def _count(mismatches: list[dict]) -> str:
    return "1 mismatch" if len(mismatches) == 1 else f"{len(mismatches)} mismatches"
