"""The migration guide's `SentenceTransformer.fit` rows as one function: legacy fit arguments to Trainer arguments.

`translate_fit_arguments` returns the `SentenceTransformerTrainingArguments` keywords that make the
Trainer run the same steps as a legacy fit call over DataLoaders of `batch_size`, including the
arguments the guide leaves implicit because the two APIs' defaults differ. It raises ValueError
for the combinations the Trainer cannot express.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

# fit's scheduler names (looked up case-insensitively) -> the Trainer's lr_scheduler_type.
SCHEDULER_NAMES = {
    "constantlr": "constant",
    "warmupconstant": "constant_with_warmup",
    "warmuplinear": "linear",
    "warmupcosine": "cosine",
    "warmupcosinewithhardrestarts": "cosine_with_restarts",
}


@dataclass(frozen=True)
class FitCall:
    """The arguments of one legacy `fit` call with one DataLoader, and the size of its data set.

    Attributes mirror fit's keywords with its defaults; `batch_size` is the DataLoader's,
    `learning_rate` the `lr` of `optimizer_params`, and `with_evaluator` whether an evaluator is passed.
    """

    dataset_size: int
    batch_size: int
    epochs: int = 1
    steps_per_epoch: int | None = None
    scheduler: str = "WarmupLinear"
    warmup_steps: int = 10000
    learning_rate: float = 2e-5
    weight_decay: float = 0.01
    max_grad_norm: float = 1.0
    evaluation_steps: int = 0
    with_evaluator: bool = False

    @property
    def batches_per_epoch(self) -> int:
        """Length of the DataLoader: its last batch may be smaller, as DataLoader keeps it by default."""
        return math.ceil(self.dataset_size / self.batch_size)

    @property
    def steps_in_epoch(self) -> int:
        """Steps fit takes per epoch: steps_per_epoch, or the DataLoader's length when it is None or 0."""
        return self.steps_per_epoch or self.batches_per_epoch

    def fit_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of the `fit` call, less train_objectives and evaluator."""
        return {
            "epochs": self.epochs,
            "steps_per_epoch": self.steps_per_epoch,
            "scheduler": self.scheduler,
            "warmup_steps": self.warmup_steps,
            "optimizer_params": {"lr": self.learning_rate},
            "weight_decay": self.weight_decay,
            "max_grad_norm": self.max_grad_norm,
            "evaluation_steps": self.evaluation_steps,
        }


def translate_fit_arguments(call: FitCall) -> dict[str, Any]:
    """Return the Trainer arguments equivalent to `call`.

    Raises:
        ValueError: for an unknown scheduler name, which fit rejects too. For steps_per_epoch with
            more than one epoch, because max_steps counts the steps of the whole run. For an
            evaluation_steps that does not divide the steps of an epoch when there are several
            epochs, because fit counts it within each epoch and the Trainer over the whole run.
    """
    scheduler = SCHEDULER_NAMES.get(call.scheduler.lower())
    if scheduler is None:
        raise ValueError(f"unknown fit scheduler {call.scheduler!r}; fit accepts {sorted(SCHEDULER_NAMES)} in any case")

    arguments: dict[str, Any] = {
        "per_device_train_batch_size": call.batch_size,
        "num_train_epochs": call.epochs,
        "lr_scheduler_type": scheduler,
        "warmup_steps": call.warmup_steps,
        "learning_rate": call.learning_rate,
        "weight_decay": call.weight_decay,
        "max_grad_norm": call.max_grad_norm,
    }
    if call.steps_per_epoch:
        if call.epochs != 1:
            raise ValueError(
                f"steps_per_epoch={call.steps_per_epoch} with epochs={call.epochs} has no Trainer equivalent: "
                "max_steps counts the steps of the whole run; use epochs=1"
            )
        arguments["max_steps"] = call.steps_per_epoch

    if call.with_evaluator:
        arguments.update(_evaluation_arguments(call))
    return arguments


def _evaluation_arguments(call: FitCall) -> dict[str, Any]:
    # fit evaluates every evaluation_steps steps within an epoch and at every epoch's end. When
    # the interval divides the epoch, or there is one epoch (the Trainer also evaluates at the
    # last step), the Trainer's global count evaluates at the same steps.
    interval = call.evaluation_steps if call.evaluation_steps > 0 else call.steps_in_epoch
    if call.epochs > 1 and call.steps_in_epoch % interval != 0:
        raise ValueError(
            f"evaluation_steps={call.evaluation_steps} does not divide the {call.steps_in_epoch} steps of an epoch: "
            "fit counts it within each epoch and the Trainer over the whole run, so their evaluations part"
        )
    return {"eval_strategy": "steps", "eval_steps": interval}
