"""Probes and warning capture, on real torch modules and optimizers."""

from __future__ import annotations

import logging
import warnings

import torch

from conformance.capture import LossProbe, OptimizerProbe, WarningCapture, normalize_message


class _SquareLoss(torch.nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.tensor([2.0]))
        self.bias = torch.nn.Parameter(torch.tensor([0.5]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return ((self.weight * x + self.bias) ** 2).mean()


def test_loss_probe_skips_no_grad_forwards():
    probe = LossProbe()
    loss = probe.attach(_SquareLoss())
    loss(torch.tensor([1.0]))
    with torch.no_grad():
        loss(torch.tensor([1.0]))
    assert probe.values == {"loss": [6.25]}


def test_optimizer_probe_records_lr_groups_and_names():
    module = _SquareLoss()
    probe = OptimizerProbe()
    probe.install()
    try:
        optimizer = torch.optim.AdamW(
            [{"params": [module.weight], "weight_decay": 0.1}, {"params": [module.bias], "weight_decay": 0.0}], lr=0.5, eps=1e-7
        )
        scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0 / (step + 1))
        for _ in range(2):
            module(torch.tensor([1.0])).backward()
            optimizer.step()
            optimizer.zero_grad()
            scheduler.step()
    finally:
        probe.remove()
    assert [step["lr"] for step in probe.steps] == [[0.5, 0.5], [0.25, 0.25]]
    assert probe.optimizers[0]["class"] == "AdamW"
    assert probe.optimizers[0]["groups"][0]["eps"] == 1e-7
    assert probe.optimizers[0]["groups"][1]["weight_decay"] == 0.0
    names = {id(p): n for n, p in module.named_parameters()}
    assert probe.group_names(names) == [[["weight"], ["bias"]]]
    assert probe.steps[0]["grad_norm"] > 0


def test_warning_capture_sees_warnings_and_silent_loggers():
    quiet = logging.getLogger("conformance-test-quiet")
    quiet.propagate = False
    with WarningCapture() as captured:
        warnings.warn("old_name is deprecated, use new_name", FutureWarning)
        quiet.warning("plain warning from %s", "a logger")
        logging.getLogger("conformance-test-info").info("not captured")
    messages = [entry["raw"] for entry in captured.entries]
    assert "old_name is deprecated, use new_name" in messages
    assert "plain warning from a logger" in messages
    assert len(messages) == 2
    assert {entry["classification"] for entry in captured.entries} == {"deprecation", "other"}


def test_normalize_strips_paths_numbers_addresses():
    text = normalize_message("saved 12 files to /tmp/run/abc at 0xdeadbeef after 3.5 s")
    assert text == "saved <n> files to <path> at <addr> after <n> s"
