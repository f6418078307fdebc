"""Checkpoint folders of the legacy ``fit``: ``<checkpoint_path>/<global_step>``."""

from __future__ import annotations

import logging
import os
import shutil

logger = logging.getLogger(__name__)


def step_folders(checkpoint_path: str) -> list[tuple[int, str]]:
    """Return ``(step, path)`` of every all-digit subfolder of ``checkpoint_path``, oldest first."""
    if not os.path.isdir(checkpoint_path):
        return []

    folders = [
        (int(name), os.path.join(checkpoint_path, name))
        for name in os.listdir(checkpoint_path)
        if name.isdigit() and os.path.isdir(os.path.join(checkpoint_path, name))
    ]
    return sorted(folders)


def remove_oldest_checkpoints(checkpoint_path: str, total_limit: int | None) -> None:
    """Delete the oldest step folders until at most ``total_limit`` remain; a limit <= 0 keeps all."""
    if total_limit is None or total_limit <= 0:
        return

    folders = step_folders(checkpoint_path)
    for step, path in folders[: max(len(folders) - total_limit, 0)]:
        logger.info("Removing checkpoint of step %d at %s (checkpoint_save_total_limit=%d)", step, path, total_limit)
        shutil.rmtree(path)
