"""Learning-rate schedulers selected by the legacy ``fit(scheduler=...)`` names.

The legacy ``fit`` of sentence-transformers 2.x and 3.x accepted five names, compared
case-insensitively, each backed by a transformers schedule helper. The Trainer spells the
same schedules ``constant``, ``constant_with_warmup``, ``linear``, ``cosine`` and
``cosine_with_restarts``.
"""

from __future__ import annotations

from typing import Callable

import transformers
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LambdaLR

ScheduleFactory = Callable[[Optimizer, int, int], LambdaLR]


def _constant(optimizer: Optimizer, warmup_steps: int, total_steps: int) -> LambdaLR:
    return transformers.get_constant_schedule(optimizer)


def _warmup_constant(optimizer: Optimizer, warmup_steps: int, total_steps: int) -> LambdaLR:
    return transformers.get_constant_schedule_with_warmup(optimizer, num_warmup_steps=warmup_steps)


def _warmup_linear(optimizer: Optimizer, warmup_steps: int, total_steps: int) -> LambdaLR:
    return transformers.get_linear_schedule_with_warmup(
        optimizer, num_warmup_steps=warmup_steps, num_training_steps=total_steps
    )


def _warmup_cosine(optimizer: Optimizer, warmup_steps: int, total_steps: int) -> LambdaLR:
    return transformers.get_cosine_schedule_with_warmup(
        optimizer, num_warmup_steps=warmup_steps, num_training_steps=total_steps
    )


def _warmup_cosine_hard_restarts(optimizer: Optimizer, warmup_steps: int, total_steps: int) -> LambdaLR:
    return transformers.get_cosine_with_hard_restarts_schedule_with_warmup(
        optimizer, num_warmup_steps=warmup_steps, num_training_steps=total_steps
    )


# Keys are lower case because the legacy lookup ignored case.
LEGACY_SCHEDULERS: dict[str, ScheduleFactory] = {
    "constantlr": _constant,
    "warmupconstant": _warmup_constant,
    "warmuplinear": _warmup_linear,
    "warmupcosine": _warmup_cosine,
    "warmupcosinewithhardrestarts": _warmup_cosine_hard_restarts,
}


def build_scheduler(optimizer: Optimizer, scheduler: str, warmup_steps: int, total_steps: int) -> LambdaLR:
    """Build the schedule that the legacy ``fit`` selected by ``scheduler``.

    Args:
        optimizer: The optimizer whose learning rate the schedule scales.
        scheduler: One of ``constantlr``, ``warmupconstant``, ``warmuplinear``, ``warmupcosine``
            or ``warmupcosinewithhardrestarts``, in any case (e.g. ``"WarmupLinear"``).
        warmup_steps: Steps over which the learning rate rises linearly from 0.
        total_steps: Number of optimizer steps of the whole run; the decaying schedules reach
            0 there.

    Raises:
        ValueError: When ``scheduler`` is not one of the five names.

    Example:
        >>> schedule = build_scheduler(optimizer, "WarmupLinear", warmup_steps=10, total_steps=100)
    """
    key = scheduler.lower() if isinstance(scheduler, str) else scheduler
    factory = LEGACY_SCHEDULERS.get(key)
    if factory is None:
        accepted = ", ".join(repr(name) for name in LEGACY_SCHEDULERS)
        raise ValueError(
            f"Unknown scheduler {scheduler!r}: use one of {accepted} (case-insensitive)."
        )

    return factory(optimizer, warmup_steps, total_steps)
