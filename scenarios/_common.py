"""Helpers shared by every scenario family: quiet Trainer settings, a full-batch loader, a grad-norm recorder."""

from __future__ import annotations

from typing import Any


def quiet_trainer_settings(ctx: Any) -> dict[str, Any]:
    """Trainer arguments that make a run seeded, silent and checkpoint-free in the invocation's cwd."""
    return {
        "output_dir": "output",
        "seed": ctx.seed,
        "report_to": "none",
        "use_cpu": ctx.device == "cpu",
        "disable_tqdm": True,
        "save_strategy": "no",
    }


def full_batch_loader(examples: list[Any]) -> Any:
    """Return a shuffled DataLoader whose one batch is the whole data set, so the data order cannot matter."""
    from torch.utils.data import DataLoader

    return DataLoader(examples, shuffle=True, batch_size=len(examples))


class GradNormRecorder:
    """Record the L2 norm of all gradients at every optimizer step, after any clipping.

    Installed as a global optimizer step pre-hook, so it also records the optimizers that fit and
    the Trainer build internally.

    Example:
        >>> with GradNormRecorder() as norms:
        ...     trainer.train()
        >>> ctx.observe("grad_norm_per_step", norms.values)
    """

    def __init__(self) -> None:
        self.values: list[float] = []
        self._handle: Any = None

    def __enter__(self) -> GradNormRecorder:
        from torch.optim.optimizer import register_optimizer_step_pre_hook

        self._handle = register_optimizer_step_pre_hook(self._record)
        return self

    def __exit__(self, *_exc: Any) -> None:
        self._handle.remove()

    def _record(self, optimizer: Any, _args: Any, _kwargs: Any) -> None:
        squares = 0.0
        for group in optimizer.param_groups:
            for param in group["params"]:
                if param.grad is not None:
                    squares += float(param.grad.detach().double().pow(2).sum())
        self.values.append(squares**0.5)
