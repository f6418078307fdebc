"""Target-agnostic probes: loss values through a forward hook, optimizer steps through a global hook.

Neither probe changes the type or the parameters of what it observes, so upstream code that
inspects the loss class or the optimizer gets exactly what the scenario built.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch.optim.optimizer import register_optimizer_step_pre_hook


class LossProbe:
    """Records the value the loss module returns on every training forward pass.

    Forward passes under `torch.no_grad()` (evaluation loss in the Trainer) are not training
    steps and are left out.
    """

    def __init__(self) -> None:
        self.values: dict[str, list[float]] = {}
        self._handles: list[Any] = []

    def attach(self, loss_module: torch.nn.Module, name: str = "loss") -> torch.nn.Module:
        series = self.values.setdefault(name, [])

        def record(_module: torch.nn.Module, _inputs: Any, output: Any) -> None:
            if not torch.is_grad_enabled():
                return
            value = output[0] if isinstance(output, (tuple, list)) else output
            if isinstance(value, dict):
                value = sum(value.values())
            # float64 keeps a float64 run's loss exact and changes no lower-precision value.
            series.append(float(value.detach().double().cpu()))

        self._handles.append(loss_module.register_forward_hook(record))
        return loss_module

    def detach(self) -> None:
        for handle in self._handles:
            handle.remove()
        self._handles.clear()


class OptimizerProbe:
    """Records every optimizer step of every optimizer created while it is installed.

    Per step it keeps the learning rate and weight decay of each parameter group and the
    gradient norm the step applies (after any clipping). The first step of each optimizer
    also keeps its class and group hyperparameters, and the ids of each group's
    parameters, which `group_names` maps to parameter names once training is over.
    """

    def __init__(self) -> None:
        self.steps: list[dict[str, Any]] = []
        self.optimizers: list[dict[str, Any]] = []
        self._index: dict[int, int] = {}
        self._group_ids: list[list[list[int]]] = []
        self._handle: Any = None

    def install(self) -> None:
        self._handle = register_optimizer_step_pre_hook(self._record)

    def remove(self) -> None:
        if self._handle is not None:
            self._handle.remove()
            self._handle = None

    def _record(self, optimizer: torch.optim.Optimizer, _args: Any, _kwargs: Any) -> None:
        index = self._index.get(id(optimizer))
        if index is None:
            index = self._index[id(optimizer)] = len(self.optimizers)
            self.optimizers.append(_describe_optimizer(optimizer))
            self._group_ids.append([[id(p) for p in group["params"]] for group in optimizer.param_groups])
        self.steps.append(
            {
                "optimizer": index,
                "lr": [float(group["lr"]) for group in optimizer.param_groups],
                "weight_decay": [float(group.get("weight_decay", 0.0)) for group in optimizer.param_groups],
                "grad_norm": _grad_norm(optimizer),
            }
        )

    def group_names(self, named_parameters: dict[int, str]) -> list[list[list[str]]]:
        """Map each optimizer's group parameter ids to names, sorted, unknown ids as '?'."""
        return [
            [sorted(named_parameters.get(pid, "?") for pid in group) for group in groups]
            for groups in self._group_ids
        ]


def _describe_optimizer(optimizer: torch.optim.Optimizer) -> dict[str, Any]:
    groups = []
    for group in optimizer.param_groups:
        settings = {}
        for key, value in group.items():
            if key == "params":
                continue
            if isinstance(value, (int, float, bool, str)) or value is None:
                settings[key] = value
            elif isinstance(value, (tuple, list)) and all(isinstance(v, (int, float)) for v in value):
                settings[key] = list(value)
        settings["num_params"] = len(group["params"])
        groups.append(settings)
    return {"class": type(optimizer).__name__, "groups": groups}


def _grad_norm(optimizer: torch.optim.Optimizer) -> float | None:
    squares = 0.0
    seen = False
    for group in optimizer.param_groups:
        for param in group["params"]:
            if param.grad is not None:
                squares += float(param.grad.detach().float().pow(2).sum())
                seen = True
    return math.sqrt(squares) if seen else None
