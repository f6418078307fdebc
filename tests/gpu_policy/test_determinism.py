"""Determinism settings: applied by each child before the scenario loads, read back, recorded in run_info."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.determinism import SETTINGS, needs_cublas_workspace, run_info_settings
from conformance.runner import child

from .conftest import PROJECT_ROOT, write_scenarios


# (device, dtype) pairs applied one after another in one process; cpu comes last because it
# hides the GPUs from the rest of the process.
COMBINATIONS = [("cuda", "tf32"), ("cuda", "fp16"), ("cuda", "fp32"), ("cpu", "tf32"), ("cpu", "fp32")]


@pytest.fixture(scope="module")
def applied() -> dict[tuple[str, str], dict]:
    # A fresh process, so the settings (one thread, deterministic kernels) never leak into this one.
    code = (
        "import json; from conformance.determinism import apply_determinism; "
        f"print(json.dumps([apply_determinism(7, device, dtype) for device, dtype in {COMBINATIONS!r}]))"
    )
    environment = {"PATH": "/usr/bin:/bin", "CUDA_VISIBLE_DEVICES": "0"}
    completed = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, env=environment, check=True
    )
    return dict(zip(COMBINATIONS, json.loads(completed.stdout.strip().splitlines()[-1])))


def test_cpu_settings_read_back(applied):
    settings = applied[("cpu", "fp32")]
    assert settings["torch.use_deterministic_algorithms"] is True
    assert settings["deterministic_warn_only"] is False
    assert settings["cudnn.deterministic"] is True
    assert settings["cudnn.benchmark"] is False
    assert settings["allow_tf32"] is False
    assert settings["cudnn.allow_tf32"] is False
    assert settings["float32_matmul_precision"] == "highest"
    assert settings["torch.num_threads"] == 1
    assert settings["seed"] == 7


def test_cpu_hides_gpus(applied):
    assert applied[("cpu", "fp32")]["CUDA_VISIBLE_DEVICES"] == ""


def test_settings_come_before_cuda(applied):
    assert all(settings["cuda_initialized_before_settings"] is False for settings in applied.values())


def test_cuda_keeps_gpus_and_only_warns(applied):
    settings = applied[("cuda", "fp32")]
    assert settings["CUDA_VISIBLE_DEVICES"] == "0"
    assert settings["deterministic_warn_only"] is True
    assert settings["allow_tf32"] is False


def test_tf32_allowed_only_for_tf32_on_cuda(applied):
    assert applied[("cuda", "tf32")]["allow_tf32"] is True
    assert applied[("cuda", "tf32")]["float32_matmul_precision"] == "high"
    assert applied[("cuda", "fp16")]["allow_tf32"] is False
    assert applied[("cpu", "tf32")]["allow_tf32"] is False


@pytest.mark.parametrize(
    ("version", "needed"),
    [(None, False), ("", False), ("10.1", False), ("10.2", True), ("11.8", True), ("12.4", True), ("13", True)],
)
def test_cublas_workspace_by_cuda_version(version, needed):
    assert needs_cublas_workspace(version) is needed


def test_run_info_settings_flatten_per_device():
    flat = run_info_settings({"cpu": {"seed": 3, "allow_tf32": False}, "cuda": {"allow_tf32": True}})
    assert flat["applied on cpu: allow_tf32"] is False
    assert flat["applied on cuda: allow_tf32"] is True
    assert "applied on cpu: seed" not in flat
    assert flat["torch.use_deterministic_algorithms"] == SETTINGS["torch.use_deterministic_algorithms"]
    assert all(isinstance(value, (bool, int, float, str, type(None))) for value in flat.values())


def test_child_applies_settings_before_loading_scenario(monkeypatch, tmp_path):
    events = []

    class Stop(Exception):
        pass

    def fake_apply(seed, device, dtype="fp32"):
        events.append(("determinism", seed, device, dtype))
        return {}

    def fake_load(path):
        events.append(("scenario", path))
        raise Stop

    monkeypatch.setattr(child, "apply_determinism", fake_apply)
    monkeypatch.setattr(child, "load_scenario", fake_load)
    monkeypatch.chdir(tmp_path)
    request = {"out_dir": str(tmp_path / "out"), "workdir": str(tmp_path / "cwd"), "seed": 5, "device": "cuda", "dtype": "bf16", "scenario_file": "x.py"}
    with pytest.raises(Stop):
        child.run_invocation(request)
    assert events[0] == ("determinism", 5, "cuda", "bf16")
    assert events[1] == ("scenario", "x.py")


PROBE_SCENARIO = '''
"""A scenario whose invocations report the determinism state they run under."""

from conformance import NegativeControl, Scenario, Tier

scenario = Scenario(
    row="st.flow",
    relation="The determinism state inside each invocation is observed and compared.",
    negative_control=NegativeControl({"shift": 1}, "an observation changed on purpose"),
    artifacts=("observations",),
)


def _state(ctx, shift):
    import os

    import torch

    ctx.observe("deterministic", torch.are_deterministic_algorithms_enabled())
    ctx.observe("cuda_visible", os.environ.get("CUDA_VISIBLE_DEVICES"))
    ctx.observe("threads", torch.get_num_threads() + shift)
    ctx.observe("cuda_initialized", torch.cuda.is_initialized())
    ctx.observe("tf32", torch.backends.cuda.matmul.allow_tf32)


@scenario.legacy
def legacy(ctx):
    _state(ctx, 0)


@scenario.new
def new(ctx, shift=0):
    _state(ctx, shift)
'''


@pytest.mark.slow
def test_invocation_sees_settings_and_run_info_records_them(suite, tmp_path):
    scenarios = write_scenarios(tmp_path, {"probe_state.py": PROBE_SCENARIO})
    run = suite(scenarios, "--device", "cpu,cuda")
    assert run.exit_code == 0, run.output
    records = run.records()
    observed = records["st.flow::default[tiny-cpu]"]["figures"]["observations"]["legacy"]
    assert observed == {"deterministic": True, "cuda_visible": "", "threads": 1, "cuda_initialized": False, "tf32": False}
    determinism = run.results["run_info"]["determinism"]
    assert determinism["applied on cpu: torch.use_deterministic_algorithms"] is True
    assert determinism["applied on cpu: cuda_initialized_before_settings"] is False
    assert determinism["applied on cpu: torch.num_threads"] == 1
    assert records["st.flow::default[tiny-cuda]"]["verdict"] == "skipped"
    assert "not available" in records["st.flow::default[tiny-cuda]"]["reason"]
    assert records["st.flow::default[tiny-cuda]"]["tolerance"]["policy"] == "fp32-cuda"
