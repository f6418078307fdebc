"""The SentenceTransformer model: a chain of modules that maps texts to embeddings."""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from typing import Any, Iterable

import numpy as np
import torch
from torch import Tensor, nn
from tqdm.autonotebook import trange

from . import model_io
from .fit_mixin import FitMixin
from .readers import InputExample
from .util import batch_to_device

logger = logging.getLogger(__name__)


def _default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


class SentenceTransformer(nn.Sequential, FitMixin):
    """Embedding model built from modules such as Transformer, Pooling and Normalize.

    Args:
        model_name_or_path: Local folder to load: a saved sentence-transformers model
            (``modules.json``) or a plain transformers folder, which gets mean pooling.
        modules: Modules to chain when ``model_name_or_path`` is ``None``.
        device: Device to place the model on; ``None`` picks CUDA when available, else CPU.
        cache_folder: Accepted for API compatibility; the reference never downloads.
        prompts: Named prompt strings stored in the saved config.
        default_prompt_name: Key of ``prompts`` used by default, stored in the saved config.
        similarity_fn_name: Similarity function name stored in the saved config.

    Example:
        >>> transformer = models.Transformer("path/to/bert")
        >>> pooling = models.Pooling(transformer.get_word_embedding_dimension())
        >>> model = SentenceTransformer(modules=[transformer, pooling])
        >>> embeddings = model.encode(["A first sentence.", "A second one."])
    """

    def __init__(
        self,
        model_name_or_path: str | None = None,
        modules: Iterable[nn.Module] | None = None,
        device: str | None = None,
        cache_folder: str | None = None,
        prompts: dict[str, str] | None = None,
        default_prompt_name: str | None = None,
        similarity_fn_name: str | None = None,
    ) -> None:
        model_config: dict[str, Any] = {}
        if model_name_or_path is not None:
            module_dict, model_config = self._load_folder(model_name_or_path)
        elif modules is not None:
            module_dict = OrderedDict((str(index), module) for index, module in enumerate(modules))
        else:
            module_dict = OrderedDict()
        super().__init__(module_dict)

        self.prompts = prompts if prompts is not None else model_config.get("prompts", {})
        self.default_prompt_name = default_prompt_name or model_config.get("default_prompt_name")
        self.similarity_fn_name = similarity_fn_name or model_config.get("similarity_fn_name") or "cosine"
        self.to(device or _default_device())

    @staticmethod
    def _load_folder(folder: str) -> tuple[OrderedDict[str, nn.Module], dict[str, Any]]:
        model_io.require_local_folder(folder)
        if os.path.exists(os.path.join(folder, "modules.json")):
            return model_io.load_modules(folder), model_io.read_model_config(folder)

        if os.path.exists(os.path.join(folder, "config.json")):
            return model_io.load_plain_transformers_folder(folder), {}

        raise OSError(
            f"Folder {folder!r} contains neither modules.json nor config.json: pass a saved "
            "sentence-transformers model or a transformers model folder."
        )

    @property
    def device(self) -> torch.device:
        """Device of the first parameter (CPU for a model without parameters)."""
        for param in self.parameters():
            return param.device
        return torch.device("cpu")

    @property
    def tokenizer(self) -> Any:
        """Tokenizer of the first module."""
        return self._first_module().tokenizer

    @property
    def max_seq_length(self) -> int | None:
        """Maximum input length in tokens of the first module, beyond which inputs are truncated."""
        return self._first_module().max_seq_length

    @max_seq_length.setter
    def max_seq_length(self, value: int | None) -> None:
        self._first_module().max_seq_length = value

    def _first_module(self) -> nn.Module:
        return self._modules[next(iter(self._modules))]

    def get_sentence_embedding_dimension(self) -> int | None:
        """Return the size of the output embedding, from the last module that defines one."""
        for module in reversed(self._modules.values()):
            getter = getattr(module, "get_sentence_embedding_dimension", None)
            if callable(getter):
                return getter()
        return None

    def tokenize(self, texts: list[str] | list[tuple[str, str]]) -> dict[str, Tensor]:
        """Tokenize ``texts`` with the first module."""
        return self._first_module().tokenize(texts)

    def smart_batching_collate(self, batch: list[InputExample]) -> tuple[list[dict[str, Tensor]], Tensor]:
        """Collate ``InputExample`` objects into one tokenized batch per text column and a label tensor.

        This replaces the ``collate_fn`` of every DataLoader passed to ``fit``.
        """
        columns = [list(column) for column in zip(*(example.texts for example in batch))]
        features = [self.tokenize(column) for column in columns]
        labels = torch.tensor([example.label for example in batch])
        return features, labels

    def encode(
        self,
        sentences: str | list[str],
        batch_size: int = 32,
        show_progress_bar: bool | None = None,
        convert_to_numpy: bool = True,
        convert_to_tensor: bool = False,
        normalize_embeddings: bool = False,
        device: str | None = None,
    ) -> np.ndarray | Tensor | list[Tensor]:
        """Embed ``sentences`` in eval mode without gradients.

        Args:
            sentences: One text or a list of texts.
            batch_size: Texts per forward pass.
            show_progress_bar: Show a tqdm bar; ``None`` shows it when the log level is INFO or lower.
            convert_to_numpy: Return a numpy array (ignored when ``convert_to_tensor`` is true).
            convert_to_tensor: Return one stacked tensor.
            normalize_embeddings: Scale each embedding to unit L2 norm.
            device: Device for the forward passes; ``None`` uses the model's device.

        Returns:
            A ``[len(sentences), dim]`` array or tensor, a list of tensors when both conversion
            flags are false, or one vector when ``sentences`` is a single string.
        """
        single_input = isinstance(sentences, str)
        texts = [sentences] if single_input else list(sentences)
        if show_progress_bar is None:
            show_progress_bar = logger.getEffectiveLevel() <= logging.INFO

        was_training = self.training
        self.eval()
        try:
            embeddings = self._embed_sorted(texts, batch_size, show_progress_bar, device, normalize_embeddings)
        finally:
            self.train(was_training)

        return self._convert(embeddings, single_input, convert_to_numpy, convert_to_tensor)

    def _embed_sorted(
        self, texts: list[str], batch_size: int, show_progress_bar: bool, device: str | None, normalize: bool
    ) -> list[Tensor]:
        # Batching texts of similar length keeps padding small; the output order is restored below.
        order = np.argsort([-len(text) for text in texts], kind="stable")
        target_device = device or self.device
        embeddings: list[Tensor] = []

        for start in trange(0, len(texts), batch_size, desc="Batches", disable=not show_progress_bar):
            batch = [texts[index] for index in order[start : start + batch_size]]
            features = batch_to_device(self.tokenize(batch), target_device)
            with torch.no_grad():
                output = self.forward(features)["sentence_embedding"].detach()
            if normalize:
                output = torch.nn.functional.normalize(output, p=2, dim=1)
            embeddings.extend(output)

        restored: list[Tensor] = [torch.empty(0)] * len(texts)
        for position, index in enumerate(order):
            restored[index] = embeddings[position]
        return restored

    @staticmethod
    def _convert(
        embeddings: list[Tensor], single_input: bool, convert_to_numpy: bool, convert_to_tensor: bool
    ) -> np.ndarray | Tensor | list[Tensor]:
        if convert_to_tensor:
            result: Any = torch.stack(embeddings) if embeddings else torch.empty(0)
        elif convert_to_numpy:
            result = np.asarray([embedding.float().cpu().numpy() for embedding in embeddings])
        else:
            result = embeddings

        return result[0] if single_input else result

    def model_config(self) -> dict[str, Any]:
        """Return the content of ``config_sentence_transformers.json`` apart from the versions."""
        return {
            "prompts": dict(self.prompts),
            "default_prompt_name": self.default_prompt_name,
            "similarity_fn_name": self.similarity_fn_name,
        }

    def save(self, path: str, *args: Any, **kwargs: Any) -> None:
        """Write the model to ``path`` in the sentence-transformers folder layout.

        Extra arguments of the upstream signature (model name, model card options) are accepted
        and ignored.
        """
        model_io.save_model(list(self._modules.items()), path, self.model_config())
        logger.info("Saved model to %s", path)

    def save_pretrained(self, path: str, *args: Any, **kwargs: Any) -> None:
        """Same as :meth:`save`."""
        self.save(path, *args, **kwargs)
