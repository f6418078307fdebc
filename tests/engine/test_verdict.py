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
