"""The tolerance policy, read from `tolerance.toml` beside the package.

A record's tolerance follows its device and the dtype its case computes in. An override
named by a scenario (or attached to a tier) replaces it only on the override's base policy.
"""

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

DEVICES = ("cpu", "cuda")
DTYPES = ("fp32", "tf32", "fp16", "bf16", "fp64")
TIERS = ("tiny", "real", "statistical")

# Keys results.json keeps per policy entry; `tiers` is folded into the description.
_RECORDED_KEYS = ("rtol", "atol", "description", "base", "reason")


@dataclass(frozen=True)
class Tolerance:
    """A pair of tolerances used together, as in `numpy.isclose`.

    Args:
        policy: name of the policy or override the pair comes from.
        rtol: relative tolerance, scaled by the legacy value.
        atol: absolute tolerance.
        override_reason: the written reason when `policy` is an override, else None.

    Example:
        >>> Tolerance("fp32-cpu", 1e-5, 1e-6).as_dict()["rtol"]
        1e-05
    """

    policy: str
    rtol: float
    atol: float
    override_reason: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"policy": self.policy, "rtol": self.rtol, "atol": self.atol, "override_reason": self.override_reason}


def load_policy(path: Path = POLICY_FILE) -> dict[str, Any]:
    """Read and check the policy file; raise `ConformanceError` naming the first bad entry."""
    with path.open("rb") as handle:
        policy = tomllib.load(handle)
    policies = policy.get("policy", {})
    for name, entry in policies.items():
        _check_pair(path, f"policy {name!r}", entry)
    for name, override in policy.get("override", {}).items():
        _check_pair(path, f"override {name!r}", override)
        if not str(override.get("reason", "")).strip():
            raise ConformanceError(f"tolerance override {name!r} in {path} has no reason; every override needs one")
        if override.get("base") not in policies:
            raise ConformanceError(f"tolerance override {name!r} in {path} names unknown base {override.get('base')!r}")
        unknown = sorted(set(override.get("tiers", [])) - set(TIERS))
        if unknown:
            raise ConformanceError(f"tolerance override {name!r} in {path} names unknown tiers {unknown}; known tiers: {list(TIERS)}")
    return policy


def _check_pair(path: Path, what: str, entry: dict[str, Any]) -> None:
    for key in ("rtol", "atol"):
        value = entry.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise ConformanceError(f"{what} in {path}: {key} must be a number >= 0, got {value!r}")


def policy_name(device: str, dtype: str = "fp32") -> str:
    """Name the policy of a device and dtype (see the table in tolerance.toml)."""
    if device not in DEVICES:
        raise ConformanceError(f"unknown device {device!r} for the tolerance policy; use one of {list(DEVICES)}")
    if dtype not in DTYPES:
        raise ConformanceError(f"unknown dtype {dtype!r} for the tolerance policy; use one of {list(DTYPES)}")
    if dtype == "tf32":
        # TF32 is a CUDA matmul mode; on CPU the same case computes in full float32.
        return "tf32-cuda" if device == "cuda" else "fp32-cpu"
    if dtype == "fp64":
        if device != "cpu":
            raise ConformanceError("float64 runs are CPU-only in this suite; use device 'cpu' with dtype 'fp64'")
        return "fp64-cpu"
    if dtype == "fp32":
        return f"fp32-{device}"
    return dtype


def select(
    device: str,
    dtype: str = "fp32",
    override: str | None = None,
    policy: dict[str, Any] | None = None,
    tier: str | None = None,
) -> Tolerance:
    """Return the tolerance of a record: its device and dtype policy, or an override on that base.

    Args:
        device: "cpu" or "cuda".
        dtype: what the record's case computes in, one of `DTYPES`.
        override: a scenario's named override; it applies only where its base is the record's policy.
        policy: the loaded policy (default: `tolerance.toml`).
        tier: the record's tier; overrides that list it in `tiers` apply by themselves.
    """
    policy = policy or load_policy()
    name = policy_name(device, dtype)
    overrides = policy.get("override", {})
    if override is not None and override not in overrides:
        raise ConformanceError(f"unknown tolerance override {override!r}; known overrides: {sorted(overrides)}")
    try:
        entry = policy["policy"][name]
    except KeyError:
        raise ConformanceError(f"no tolerance policy {name!r}; known policies: {sorted(policy['policy'])}") from None

    chosen = override if override is not None and overrides[override]["base"] == name else None
    if chosen is None and tier is not None:
        chosen = next((key for key, value in overrides.items() if value["base"] == name and tier in value.get("tiers", [])), None)
    if chosen is not None:
        found = overrides[chosen]
        return Tolerance(chosen, float(found["rtol"]), float(found["atol"]), found["reason"])
    return Tolerance(name, float(entry["rtol"]), float(entry["atol"]))


def flat_policy(policy: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Policies and overrides in one mapping, as results.json records them."""
    flat = {name: _recorded(entry) for name, entry in policy["policy"].items()}
    for name, entry in policy.get("override", {}).items():
        recorded = _recorded(entry)
        if entry.get("tiers"):
            recorded["description"] = f"applied to every {', '.join(entry['tiers'])}-tier record on {entry['base']}"
        flat[name] = recorded
    return flat


def _recorded(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: entry[key] for key in _RECORDED_KEYS if key in entry}
