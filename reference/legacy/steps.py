"""One optimizer step of the legacy ``fit`` loops, with or without automatic mixed precision."""

from __future__ import annotations

import logging
from typing import Callable

import torch
from torch import Tensor, nn
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler

logger = logging.getLogger(__name__)


def autocast_dtype(device_type: str) -> torch.dtype:
    """Return the autocast dtype the legacy loop uses: float16 on CUDA, bfloat16 elsewhere."""
    return torch.float16 if device_type == "cuda" else torch.bfloat16


class StepRunner:
    """Run forward, backward, gradient clipping, optimizer step, zero grad and scheduler step.

    Args:
        device: Device the loss module runs on; its type selects the autocast backend.
        max_grad_norm: Maximum L2 norm of the gradients of the loss module's parameters.
        use_amp: Run the forward pass under ``torch.autocast``. On CUDA a ``GradScaler`` scales
            the loss, and the scheduler step is skipped when the scaler lowered its scale
            (the optimizer step was skipped for inf/NaN gradients). Other devices use bfloat16,
            which needs no scaler.

    Example:
        >>> runner = StepRunner(torch.device("cpu"), max_grad_norm=1.0, use_amp=False)
        >>> loss = runner.step(loss_model, lambda: loss_model(features, labels), optimizer, scheduler)
    """

    def __init__(self, device: torch.device, max_grad_norm: float, use_amp: bool) -> None:
        self.device_type = torch.device(device).type
        self.max_grad_norm = max_grad_norm
        self.use_amp = use_amp
        self.scaler = torch.amp.GradScaler("cuda") if use_amp and self.device_type == "cuda" else None

    def step(
        self,
        loss_model: nn.Module,
        compute_loss: Callable[[], Tensor],
        optimizer: Optimizer,
        scheduler: LRScheduler,
    ) -> float:
        """Run one training step and return the loss value."""
        with torch.autocast(self.device_type, dtype=autocast_dtype(self.device_type), enabled=self.use_amp):
            loss = compute_loss()

        skip_scheduler = False
        if self.scaler is not None:
            skip_scheduler = self._scaled_update(loss_model, loss, optimizer)
        else:
            loss.backward()
            torch.nn.utils.clip_grad_norm_(loss_model.parameters(), self.max_grad_norm)
            optimizer.step()

        optimizer.zero_grad()
        if not skip_scheduler:
            scheduler.step()
        return loss.detach().float().item()

    def _scaled_update(self, loss_model: nn.Module, loss: Tensor, optimizer: Optimizer) -> bool:
        # NOTE: this CUDA GradScaler path has not been run yet; the tests cover the CPU paths only.
        scale_before = self.scaler.get_scale()
        self.scaler.scale(loss).backward()

        # Gradients are unscaled before clipping so max_grad_norm applies to the true gradients.
        self.scaler.unscale_(optimizer)
        torch.nn.utils.clip_grad_norm_(loss_model.parameters(), self.max_grad_norm)
        self.scaler.step(optimizer)
        self.scaler.update()

        skipped = self.scaler.get_scale() != scale_before
        if skipped:
            logger.info("GradScaler changed its scale; the scheduler step is skipped for this step.")
        return skipped
