"""The tolerance policy, read from `tolerance.toml` beside the package."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from ..errors import ConformanceError

POLICY_FILE = Path(__file__).resolve().parent.parent / "tolerance.toml"


@dataclass(frozen=True)
class Tolerance:
    """A pair of tolerances used together, as in `numpy.isclose`."""

    policy: str
    rtol: float
    atol: float
    override_reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"policy": self.policy, "rtol": self.rtol, "atol": self.atol, "override_reason": self.override_reason}


def load_policy(path: Path = POLICY_FILE) -> dict[str, Any]:
    with path.open("rb") as handle:
        policy = tomllib.load(handle)
    for name, override in policy.get("override", {}).items():
        if not str(override.get("reason", "")).strip():
            raise ConformanceError(f"tolerance override {name!r} in {path} has no reason; every override needs one")
        if override.get("base") not in policy["policy"]:
            raise ConformanceError(f"tolerance override {name!r} in {path} names unknown base {override.get('base')!r}")
    return policy


def policy_name(device: str, dtype: str = "fp32") -> str:
    return f"{dtype}-{device}" if dtype in ("fp32", "fp64") else dtype


def select(device: str, dtype: str = "fp32", override: str | None = None, policy: dict[str, Any] | None = None) -> Tolerance:
    """Return the tolerance for a device and dtype, or for a named override."""
    policy = policy or load_policy()
    if override is not None:
        try:
            entry = policy["override"][override]
        except KeyError:
            raise ConformanceError(
                f"unknown tolerance override {override!r}; known overrides: {sorted(policy.get('override', {}))}"
            ) from None
        return Tolerance(override, float(entry["rtol"]), float(entry["atol"]), entry["reason"])
    name = policy_name(device, dtype)
    try:
        entry = policy["policy"][name]
    except KeyError:
        raise ConformanceError(f"no tolerance policy {name!r}; known policies: {sorted(policy['policy'])}") from None
    return Tolerance(name, float(entry["rtol"]), float(entry["atol"]))


def flat_policy(policy: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Policies and overrides in one mapping, as results.json records them."""
    flat = {name: dict(entry) for name, entry in policy["policy"].items()}
    for name, entry in policy.get("override", {}).items():
        flat[name] = dict(entry)
    return flat
