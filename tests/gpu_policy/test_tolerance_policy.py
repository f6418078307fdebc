"""The tolerance policy: one policy per device and dtype, overrides only on their base and with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.compare.tolerance import flat_policy, load_policy, policy_name, select
from conformance.engine import Engine, EngineOptions, RecordKey
from conformance.errors import ConformanceError
from conformance.plugin import load_scenario_module
from conformance.record import base_record
from conformance.targets import resolve

from .conftest import SCENARIOS

POLICY_TEXT = """
[policy.fp32-cpu]
rtol = 1e-5
atol = 1e-6
description = "cpu"
"""


@pytest.mark.parametrize(
    ("device", "dtype", "expected"),
    [
        ("cpu", "fp32", "fp32-cpu"),
        ("cuda", "fp32", "fp32-cuda"),
        ("cuda", "tf32", "tf32-cuda"),
        ("cpu", "tf32", "fp32-cpu"),
        ("cpu", "fp16", "fp16"),
        ("cuda", "fp16", "fp16"),
        ("cpu", "bf16", "bf16"),
        ("cuda", "bf16", "bf16"),
        ("cpu", "fp64", "fp64-cpu"),
    ],
)
def test_policy_name_per_device_and_dtype(device, dtype, expected):
    assert policy_name(device, dtype) == expected
    assert select(device, dtype).policy == expected


def test_every_named_policy_exists():
    policies = load_policy()["policy"]
    for name in ("fp32-cpu", "fp32-cuda", "tf32-cuda", "fp16", "bf16", "fp64-cpu"):
        assert name in policies
        assert policies[name]["rtol"] >= 0
        assert policies[name]["atol"] >= 0


def test_policies_loosen_with_precision():
    tolerances = [select(device, dtype) for device, dtype in (("cpu", "fp64"), ("cpu", "fp32"), ("cuda", "fp32"), ("cuda", "fp16"), ("cuda", "bf16"))]
    rtols = [tolerance.rtol for tolerance in tolerances]
    assert rtols == sorted(rtols)


def test_float64_on_cuda_is_rejected():
    with pytest.raises(ConformanceError, match="CPU-only"):
        select("cuda", "fp64")


def test_unknown_dtype_names_value():
    with pytest.raises(ConformanceError, match="'int8'"):
        select("cpu", "int8")


def test_unknown_device_names_value():
    with pytest.raises(ConformanceError, match="'tpu'"):
        select("tpu")


def test_override_applies_on_its_base():
    tolerance = select("cpu", "fp32", override="real-cpu")
    assert tolerance.policy == "real-cpu"
    assert tolerance.override_reason


def test_override_ignored_on_other_device():
    tolerance = select("cuda", "fp32", override="real-cpu")
    assert tolerance.policy == "fp32-cuda"
    assert tolerance.override_reason is None


def test_override_ignored_on_other_dtype():
    assert select("cpu", "bf16", override="real-cpu").policy == "bf16"


def test_tier_override_applies_by_itself():
    assert select("cpu", "fp32", tier="real").policy == "real-cpu"
    assert select("cpu", "fp32", tier="tiny").policy == "fp32-cpu"
    assert select("cuda", "fp32", tier="real").policy == "fp32-cuda"


def test_unknown_override_names_known_ones():
    with pytest.raises(ConformanceError, match="real-cpu"):
        select("cuda", override="missing")


def test_override_without_reason_is_rejected(tmp_path: Path):
    path = tmp_path / "policy.toml"
    path.write_text(POLICY_TEXT + '[override.loose]\nbase = "fp32-cpu"\nrtol = 1e-3\natol = 1e-3\nreason = "  "\n')
    with pytest.raises(ConformanceError, match="'loose'.*no reason"):
        load_policy(path)


def test_override_with_unknown_base_is_rejected(tmp_path: Path):
    path = tmp_path / "policy.toml"
    path.write_text(POLICY_TEXT + '[override.loose]\nbase = "fp8"\nrtol = 1e-3\natol = 1e-3\nreason = "why"\n')
    with pytest.raises(ConformanceError, match="unknown base 'fp8'"):
        load_policy(path)


def test_negative_tolerance_is_rejected(tmp_path: Path):
    path = tmp_path / "policy.toml"
    path.write_text(POLICY_TEXT.replace("atol = 1e-6", "atol = -1"))
    with pytest.raises(ConformanceError, match="atol must be a number >= 0, got -1"):
        load_policy(path)


def test_override_with_unknown_tier_is_rejected(tmp_path: Path):
    path = tmp_path / "policy.toml"
    path.write_text(POLICY_TEXT + '[override.loose]\nbase = "fp32-cpu"\ntiers = ["huge"]\nrtol = 1e-3\natol = 1e-3\nreason = "why"\n')
    with pytest.raises(ConformanceError, match="huge"):
        load_policy(path)


def test_flat_policy_keeps_recorded_keys():
    flat = flat_policy(load_policy())
    assert set(flat["real-cpu"]) <= {"rtol", "atol", "description", "base", "reason"}
    assert "real" in flat["real-cpu"]["description"]
    assert flat["fp16"]["rtol"] == load_policy()["policy"]["fp16"]["rtol"]


# Per-record choice, on the mixed-precision row: the case's dtype and the record's device decide.
@pytest.fixture(scope="module")
def amp_scenario():
    return load_scenario_module(SCENARIOS / "st_fit_use_amp.py")


def _key(scenario, case_name: str, tier: str, device: str) -> RecordKey:
    case = next(case for case in scenario.cases if case.name == case_name)
    return RecordKey(scenario, case, tier, device)


@pytest.mark.parametrize(
    ("case", "tier", "device", "expected"),
    [("fp16", "tiny", "cuda", "fp16"), ("bf16", "tiny", "cpu", "bf16"), ("bf16", "statistical", "cuda", "bf16")],
)
def test_engine_tolerance_follows_case_dtype(amp_scenario, tmp_path, case, tier, device, expected):
    engine = Engine(resolve("reference"), EngineOptions(tmp_path, None))
    assert engine.tolerance(_key(amp_scenario, case, tier, device)).policy == expected


def test_flow_record_on_cuda_uses_cuda_policy(tmp_path):
    flow = load_scenario_module(SCENARIOS / "st_flow.py")
    key = RecordKey(flow, flow.cases[0], "tiny", "cuda")
    record = base_record(key, resolve("reference"))
    assert record["tolerance"]["policy"] == "fp32-cuda"
    assert record["tolerance"]["rtol"] == load_policy()["policy"]["fp32-cuda"]["rtol"]


def test_real_tier_on_cuda_keeps_cuda_policy():
    flow = load_scenario_module(SCENARIOS / "st_flow.py")
    record = base_record(RecordKey(flow, flow.cases[0], "real", "cuda"), resolve("reference"))
    assert record["tolerance"]["policy"] == "fp32-cuda"
