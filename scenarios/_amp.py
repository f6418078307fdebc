"""Shared pieces of the mixed-precision rows (`st.fit.use_amp`, `ce.fit.use_amp`).

Mixed precision is meant to leave the result nearly unchanged, so the final numbers alone
cannot show that a mapping switched it on. `PrecisionWatch` records, target-agnostically,
what mixed precision did during training:

- `autocast_dtypes`: the dtypes the model's first `nn.Linear` produced in training forward
  passes (`bfloat16` or `float16` under autocast, `float32` without);
- `loss_scaling`: every update of an enabled `torch.amp.GradScaler` (the scale after it),
  whichever code created the scaler (the legacy loop, accelerate inside the Trainer);
- `optimizer_steps` and `loss_forward_passes`, whose difference counts the steps a scaler
  skipped for inf or NaN gradients.

Facts the CPU cases rest on, measured with torch 2.13, transformers 5.25 and accelerate 1.16
(`Trainer` with `use_cpu=True`). There `fp16=True` trains without autocast and without a
scaler (float32 throughout), and `bf16=True` autocasts the model's forward pass to bfloat16.
The legacy loops of sentence-transformers 2.7 and CrossEncoder 3.0 call
`torch.autocast(device_type="cpu")`, whose default dtype is bfloat16, with a CUDA GradScaler
that disables itself without a GPU.
"""

from __future__ import annotations

from typing import Any

from conformance import Case, NegativeControl

FP16_ON_CPU = (
    "fp16=True does not autocast on CPU (transformers 5.25 with accelerate 1.16 train in float32 there, with no "
    "loss scaling), while the legacy use_amp=True autocasts to bfloat16 on CPU: the two sides compute in "
    "different dtypes by construction, so the CPU comparison is the bf16 case"
)
BF16_VS_FP16_ON_CUDA = (
    "on CUDA the legacy use_amp=True autocasts to float16 with a GradScaler while bf16=True autocasts to "
    "bfloat16 without one, so a deterministic comparison differs in dtype by design; the statistical tier "
    "compares this case in distribution"
)


def mixed_precision_arguments(precision: str | None) -> dict[str, bool]:
    """Return the Trainer arguments of a precision: "fp16", "bf16" or None (float32)."""
    if precision not in ("fp16", "bf16", None):
        raise ValueError(f"precision must be 'fp16', 'bf16' or None, got {precision!r}")
    return {"fp16": precision == "fp16", "bf16": precision == "bf16"}


def require_bf16(ctx: Any) -> None:
    """Skip the record on a GPU without bfloat16 support (before Ampere), where bf16=True raises."""
    import torch

    if ctx.device == "cuda" and not torch.cuda.is_bf16_supported():
        ctx.skip(f"{torch.cuda.get_device_name(0)} does not support bfloat16, so bf16=True cannot run on it")


class PrecisionWatch:
    """Record what mixed precision did while the block ran, and observe it on exit.

    Args:
        ctx: the invocation's context; the records go to `ctx.observe`.
        model: the model being trained; its first `nn.Linear` is watched.

    Example:
        >>> with PrecisionWatch(ctx, model):
        ...     trainer.train()
    """

    def __init__(self, ctx: Any, model: Any) -> None:
        self.ctx = ctx
        self.model = model
        self.dtypes: set[str] = set()
        self.scales: list[float] = []
        self.optimizer_steps = 0
        self._handles: list[Any] = []
        self._original_update: Any = None

    def __enter__(self) -> PrecisionWatch:
        import torch
        from torch.optim.optimizer import register_optimizer_step_post_hook

        # A CrossEncoder of the 3.x line is no nn.Module itself; its transformer is `.model`.
        root = self.model if isinstance(self.model, torch.nn.Module) else self.model.model
        linear = next(module for module in root.modules() if isinstance(module, torch.nn.Linear))
        self._handles.append(linear.register_forward_hook(self._record_dtype))
        self._handles.append(register_optimizer_step_post_hook(self._count_step))

        # Patched on the class, so scalers created inside fit or accelerate are seen too.
        scaler_class = torch.amp.GradScaler
        original = self._original_update = scaler_class.update
        watch = self

        def update(scaler: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(scaler, *args, **kwargs)
            if scaler.is_enabled():
                watch.scales.append(float(scaler.get_scale()))
            return result

        scaler_class.update = update
        return self

    def __exit__(self, *_exc: Any) -> None:
        import torch

        for handle in self._handles:
            handle.remove()
        torch.amp.GradScaler.update = self._original_update

        forward_passes = len(next(iter(self.ctx.loss_probe.values.values()), []))
        self.ctx.observe("autocast_dtypes", sorted(self.dtypes))
        self.ctx.observe("autocast_active", any(dtype in ("float16", "bfloat16") for dtype in self.dtypes))
        self.ctx.observe("loss_scaling", {"scaler_updates": len(self.scales), "scales": self.scales})
        self.ctx.observe("optimizer_steps", self.optimizer_steps)
        self.ctx.observe("loss_forward_passes", forward_passes)
        self.ctx.observe("skipped_steps", forward_passes - self.optimizer_steps)

    def _record_dtype(self, _module: Any, _inputs: Any, output: Any) -> None:
        import torch

        # Training forward passes only: evaluation runs under no_grad and outside autocast.
        if torch.is_grad_enabled():
            self.dtypes.add(str(output.dtype).removeprefix("torch."))

    def _count_step(self, *_args: Any) -> None:
        self.optimizer_steps += 1


def training_loss_in_float32(ctx: Any, model: Any, loss_module: Any, examples: list[Any]) -> float:
    """Return the trained model's loss on the whole training set, in float32 with dropout off.

    Unlike the last training step's loss, this value carries neither dropout noise nor the
    autocast rounding of the loss computation, so it compares what the two sides learned.
    """
    import torch

    features, labels = model.smart_batching_collate(examples)
    # Newer releases put non-tensor entries (names, flags) in the features; those stay as they are.
    features = [{name: _to_device(value, model.device) for name, value in feature.items()} for feature in features]
    was_training = model.training
    model.eval()
    with torch.no_grad():
        value = float(loss_module(features, labels.to(model.device)))
    model.train(was_training)
    return value


def pair_training_loss_in_float32(model: Any, pairs: list[list[str]], labels: list[float]) -> float:
    """Return a one-label CrossEncoder's binary cross-entropy on its training pairs, from `predict` logits.

    `predict` runs in eval mode without autocast, so the value is float32 with dropout off.
    """
    import numpy as np
    import torch

    logits = np.asarray(model.predict([tuple(pair) for pair in pairs], activation_fn=torch.nn.Identity(), show_progress_bar=False), dtype=np.float64)
    targets = np.asarray(labels, dtype=np.float64)
    # log(1 + exp(-|x|)) + max(x, 0) - x * y is BCE-with-logits without overflow.
    losses = np.log1p(np.exp(-np.abs(logits))) + np.maximum(logits, 0.0) - logits * targets
    return float(losses.mean())


def _to_device(value: Any, device: Any) -> Any:
    import torch

    return value.to(device) if isinstance(value, torch.Tensor) else value


# Declarations both AMP rows share: the negative controls and the two precision cases.
PRECISION_DROPPED = NegativeControl(
    {"precision": None}, "fp16/bf16 dropped: the Trainer trains in float32, so no autocast and no loss scaling"
)
GUIDE_DEFAULTS_CONTROL = NegativeControl(
    {"guide_defaults_only": True},
    "the guide's new code as printed, with the Trainer's defaults for learning rate, weight decay, "
    "warmup, batch size and epochs: it trains a different amount, which the margins must catch",
)
PRECISION_CASES = (
    Case("fp16", new_kwargs={"precision": "fp16"}, dtype="fp16", skip={"cpu": FP16_ON_CPU}),
    Case("bf16", new_kwargs={"precision": "bf16"}, dtype="bf16", skip={"tiny-cuda": BF16_VS_FP16_ON_CUDA}),
)
