"""Reading and writing the saved CrossEncoder folder layouts.

Three layouts are read, all holding a Hugging Face sequence-classification model and its tokenizer
at the folder root:

- sentence-transformers 3.x: the activation function path in ``config.json`` under
  ``sbert_ce_default_activation_function``.
- sentence-transformers 4.x (what the reference writes): the path in ``config.json`` under
  ``sentence_transformers.activation_fn``.
- sentence-transformers 6.x: ``modules.json`` naming one Transformer module at the root, and the
  path in ``config_sentence_transformers.json`` under ``activation_fn``.

Upstream 6.3.0 loads the 4.x layout as a plain Hugging Face folder and reads the activation from
``config.json``, so the reference writes that layout.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
from collections.abc import Callable
from typing import Any

from torch import nn

logger = logging.getLogger(__name__)

CONFIG_KEY = "sentence_transformers"
LEGACY_ACTIVATION_KEY = "sbert_ce_default_activation_function"
MODULES_FILE = "modules.json"
SETTINGS_FILE = "config_sentence_transformers.json"
MODULE_CONFIG_FILE = "sentence_bert_config.json"


def require_local_folder(model_name_or_path: Any) -> str:
    """Return ``model_name_or_path`` as a path after checking that it is an existing folder.

    Raises:
        FileNotFoundError: When it is not a directory (e.g. a Hugging Face Hub id).
    """
    path = os.fspath(model_name_or_path)
    if not os.path.isdir(path):
        raise FileNotFoundError(
            f"CrossEncoder model_name_or_path={path!r} is not a local folder. The reference loads local "
            "folders only and never contacts the Hugging Face Hub: save the model with save_pretrained() "
            "and pass that folder."
        )
    return path


def check_module_layout(folder: str) -> None:
    """Raise unless the folder's ``modules.json``, when present, names a single Transformer at the root.

    Raises:
        ValueError: For a module pipeline the reference cannot run, e.g. a Dense head or a
            LogitScore module after the transformer.
    """
    path = os.path.join(folder, MODULES_FILE)
    if not os.path.isfile(path):
        return

    with open(path, encoding="utf-8") as handle:
        modules = json.load(handle)
    is_single_root_transformer = (
        len(modules) == 1
        and modules[0].get("path", "") == ""
        and str(modules[0].get("type", "")).endswith("Transformer")
    )
    if not is_single_root_transformer:
        raise ValueError(
            f"{path} lists the modules {[module.get('type') for module in modules]}, but the reference "
            "CrossEncoder supports only one Transformer module stored at the folder root. Save the model "
            "as a plain sequence-classification model instead."
        )


def read_saved_max_length(folder: str) -> int | None:
    """Return ``max_seq_length`` from the 6.x ``sentence_bert_config.json``, or None when absent."""
    path = os.path.join(folder, MODULE_CONFIG_FILE)
    if not os.path.isfile(path):
        return None

    with open(path, encoding="utf-8") as handle:
        return json.load(handle).get("max_seq_length")


def read_saved_activation_path(folder: str, config: Any) -> str | None:
    """Return the dotted path of the saved activation function, newest layout first, or None."""
    settings_path = os.path.join(folder, SETTINGS_FILE)
    if os.path.isfile(settings_path):
        with open(settings_path, encoding="utf-8") as handle:
            activation_path = json.load(handle).get("activation_fn")
        if activation_path:
            return activation_path

    settings = getattr(config, CONFIG_KEY, None)
    if isinstance(settings, dict) and settings.get("activation_fn"):
        return settings["activation_fn"]

    return getattr(config, LEGACY_ACTIVATION_KEY, None) or None


def instantiate_activation(activation_path: str, trust_remote_code: bool) -> Callable | None:
    """Import and instantiate the activation class at ``activation_path``.

    Only paths under ``torch.`` are imported unless ``trust_remote_code`` is set, because the path
    comes from a file and importing it runs code. An untrusted path logs a warning and returns None.
    """
    if not (trust_remote_code or activation_path.startswith("torch.")):
        logger.warning(
            "Ignoring the saved activation function %r because it is outside torch. The default activation "
            "is used instead. Load the CrossEncoder with trust_remote_code=True to import it.",
            activation_path,
        )
        return None

    module_name, _, class_name = activation_path.rpartition(".")
    return getattr(importlib.import_module(module_name), class_name)()


def activation_path_of(activation_fn: Callable) -> str:
    """Return the dotted import path stored for ``activation_fn``: its class for modules, itself otherwise."""
    if isinstance(activation_fn, nn.Module):
        target: Any = type(activation_fn)
    else:
        logger.warning(
            "Saving the activation function %r, which is not a torch.nn.Module: loading the model again cannot "
            "restore it and uses the default activation. Pass a module such as torch.nn.Identity() instead.",
            activation_fn,
        )
        target = activation_fn if hasattr(activation_fn, "__qualname__") else type(activation_fn)
    return f"{target.__module__}.{target.__qualname__}"


def store_activation_in_config(config: Any, activation_fn: Callable) -> None:
    """Record the activation path in ``config`` the way sentence-transformers 4.x does."""
    settings = dict(getattr(config, CONFIG_KEY, None) or {})
    settings["activation_fn"] = activation_path_of(activation_fn)
    setattr(config, CONFIG_KEY, settings)
