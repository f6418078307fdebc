"""Reading and writing the sentence-transformers folder layout.

A saved model folder contains ``modules.json`` (one entry per module: index, name, subfolder
and class path), ``config_sentence_transformers.json`` (versions, prompts, similarity function)
and one subfolder per module, except the first Transformer, whose files sit at the root.
"""

from __future__ import annotations

import json
import logging
import os
from collections import OrderedDict
from typing import Any

import torch
import transformers
from torch import nn

from .models import Normalize, Pooling, Transformer
from .models.transformer import require_local_folder

logger = logging.getLogger(__name__)

REFERENCE_VERSION = "0.1.0"

# Module classes by their final class name: classic releases write
# ``sentence_transformers.models.Pooling`` and newer ones e.g.
# ``sentence_transformers.sentence_transformer.modules.pooling.Pooling``.
MODULE_CLASSES: dict[str, type[nn.Module]] = {
    "Transformer": Transformer,
    "Pooling": Pooling,
    "Normalize": Normalize,
}

MODEL_CONFIG_FILE = "config_sentence_transformers.json"


def module_class_for(type_path: str) -> type[nn.Module]:
    """Return the reference class for a ``modules.json`` type string.

    Raises:
        ValueError: When the final class name is not one the reference implements.
    """
    class_name = type_path.rsplit(".", 1)[-1]
    if class_name not in MODULE_CLASSES:
        raise ValueError(
            f"Unsupported module type {type_path!r} in modules.json: the reference implements "
            f"{', '.join(sorted(MODULE_CLASSES))}."
        )
    return MODULE_CLASSES[class_name]


def load_modules(folder: str) -> OrderedDict[str, nn.Module]:
    """Load the modules listed in ``<folder>/modules.json`` in their saved order."""
    with open(os.path.join(folder, "modules.json"), encoding="utf-8") as handle:
        entries = json.load(handle)

    modules: OrderedDict[str, nn.Module] = OrderedDict()
    for entry in sorted(entries, key=lambda item: item["idx"]):
        module_class = module_class_for(entry["type"])
        modules[str(entry["name"])] = module_class.load(os.path.join(folder, entry["path"]))
    return modules


def load_plain_transformers_folder(folder: str) -> OrderedDict[str, nn.Module]:
    """Wrap a plain transformers folder as Transformer plus mean Pooling."""
    logger.warning(
        "No sentence-transformers model found with name %s. Creating a new one with mean pooling.", folder
    )
    transformer = Transformer(folder)
    pooling = Pooling(transformer.get_word_embedding_dimension(), pooling_mode="mean")
    return OrderedDict([("0", transformer), ("1", pooling)])


def read_model_config(folder: str) -> dict[str, Any]:
    """Return ``config_sentence_transformers.json`` of ``folder``, or an empty dict when absent."""
    path = os.path.join(folder, MODEL_CONFIG_FILE)
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def module_folder(index: int, module: nn.Module) -> str:
    """Return the subfolder of a module; the first Transformer is saved at the root."""
    if index == 0 and getattr(module, "save_in_root", False):
        return ""
    return f"{index}_{type(module).__name__}"


def save_model(modules: list[tuple[str, nn.Module]], path: str, model_config: dict[str, Any]) -> None:
    """Write ``modules`` and ``model_config`` into ``path`` in the classic folder layout."""
    os.makedirs(path, exist_ok=True)

    entries = []
    for index, (name, module) in enumerate(modules):
        subfolder = module_folder(index, module)
        module_path = os.path.join(path, subfolder)
        os.makedirs(module_path, exist_ok=True)
        module.save(module_path)
        entries.append(
            {
                "idx": index,
                "name": name,
                "path": subfolder,
                "type": f"sentence_transformers.models.{type(module).__name__}",
            }
        )

    with open(os.path.join(path, "modules.json"), "w", encoding="utf-8") as handle:
        json.dump(entries, handle, indent=2)

    config = {
        "__version__": {
            "sentence_transformers": REFERENCE_VERSION,
            "transformers": transformers.__version__,
            "pytorch": torch.__version__,
        },
        **model_config,
    }
    with open(os.path.join(path, MODEL_CONFIG_FILE), "w", encoding="utf-8") as handle:
        json.dump(config, handle, indent=2)
