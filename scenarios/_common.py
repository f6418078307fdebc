"""Helpers shared by every scenario family: the quiet Trainer settings and the full-batch loader."""

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
