"""Verdict table: comparison outcome x negative control x expectation."""

from __future__ import annotations

import pytest

from conformance.verdict import decide

MISMATCH = {"message": "loss parts at step 2"}


@pytest.mark.parametrize(
    ("expected", "mismatches", "control", "verdict"),
    [
        ("equivalent", [], [MISMATCH], "equivalent"),
        ("equivalent", [MISMATCH], [MISMATCH], "divergent"),
        ("equivalent", [], [], "insensitive"),
        ("equivalent", [MISMATCH], [], "insensitive"),
        ("expected-divergence", [MISMATCH], [MISMATCH], "expected-divergence"),
        ("expected-divergence", [], [MISMATCH], "unexpected-pass"),
    ],
)
def test_decide(expected, mismatches, control, verdict):
    assert decide(expected, mismatches, control).verdict == verdict


def test_unexpected_flags():
    assert decide("equivalent", [MISMATCH], [MISMATCH]).unexpected
    assert not decide("equivalent", [], [MISMATCH]).unexpected
    assert decide("equivalent", [], []).unexpected


def test_reason_carries_first_mismatch():
    assert "step 2" in decide("equivalent", [MISMATCH], [MISMATCH]).reason


def _raised_key(expect: str, expect_exception: bool = False):
    from types import SimpleNamespace

    from conformance.scenario import Case

    return SimpleNamespace(case=Case(name="x", expect=expect, reason="documented" if expect != "equivalent" else None, expect_exception=expect_exception))


def _failure(side: str, message: str):
    from conformance.errors import InvocationFailed

    return InvocationFailed(side, "raised", message)


def test_one_side_raising_is_divergent():
    from conformance.engine import _judge_exceptions

    verdict = _judge_exceptions(_raised_key("equivalent"), {"new": _failure("new", "ValueError: bad")})
    assert verdict.verdict == "divergent"
    assert "ValueError: bad" in verdict.reason


def test_one_side_raising_can_be_expected():
    from conformance.engine import _judge_exceptions

    verdict = _judge_exceptions(_raised_key("expected-divergence"), {"legacy": _failure("legacy", "TypeError: x")})
    assert verdict.verdict == "expected-divergence"
    assert "legacy" in verdict.reason


def test_both_raising_same_type_when_expected():
    from conformance.engine import _judge_exceptions

    raised = {"legacy": _failure("legacy", "ValueError: a"), "new": _failure("new", "ValueError: b")}
    assert _judge_exceptions(_raised_key("equivalent", expect_exception=True), raised).verdict == "equivalent"
    assert _judge_exceptions(_raised_key("equivalent"), raised).verdict == "error"
