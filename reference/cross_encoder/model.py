"""The reference ``CrossEncoder``: a sequence-classification transformer that scores text pairs."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from tqdm.autonotebook import trange
from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer, BatchEncoding

from . import model_io
from .deprecations import (
    INIT_RENAMES,
    PREDICT_NO_EFFECT,
    PREDICT_RENAMES,
    merge_classifier_dropout,
    translate_deprecated_kwargs,
)
from .fit_mixin import CrossEncoderFitMixin
from .prediction import convert_scores, normalize_pairs, rank_results, scores_from_logits

logger = logging.getLogger(__name__)


def _default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


class CrossEncoder(CrossEncoderFitMixin, nn.Module):
    """A transformer that reads two texts together and returns a score or class logits for the pair.

    It wraps ``transformers.AutoModelForSequenceClassification`` and its tokenizer, loaded from a
    local folder only. The v3 keyword names (``model_name``, ``automodel_args``, ``tokenizer_args``,
    ``config_args``, ``cache_dir``, ``default_activation_function``, ``classifier_dropout``) still
    work and raise a ``DeprecationWarning`` naming the v4 name.

    Args:
        model_name_or_path: Local folder with a Hugging Face model and tokenizer, in any of the
            layouts saved by sentence-transformers 3.x, 4.x or 6.x.
        num_labels: Number of classifier outputs. None keeps the saved value, or uses 1 when the
            folder contains a model without a sequence-classification head.
        max_length: Maximum tokens per pair, truncating longer pairs. None uses the tokenizer's
            limit capped at the model's ``max_position_embeddings``.
        activation_fn: Applied to the logits in :meth:`predict`. None uses the saved activation,
            else ``nn.Sigmoid()`` for one label and ``nn.Identity()`` otherwise.
        device: ``"cpu"``, ``"cuda"`` ...; None picks CUDA when available.
        cache_folder: Forwarded as ``cache_dir`` to the ``from_pretrained`` calls.
        trust_remote_code: Allow custom model code and an activation path outside ``torch``.
        revision: Forwarded to ``from_pretrained``.
        local_files_only: Forwarded to ``from_pretrained``.
        token: Forwarded to ``from_pretrained``.
        model_kwargs: Extra keyword arguments of ``AutoModelForSequenceClassification.from_pretrained``.
        tokenizer_kwargs: Extra keyword arguments of ``AutoTokenizer.from_pretrained``.
        config_kwargs: Extra keyword arguments of ``AutoConfig.from_pretrained``, e.g.
            ``{"classifier_dropout": 0.1}``.

    Raises:
        FileNotFoundError: When ``model_name_or_path`` is not a local folder.
        TypeError: When a call passes an old and a new name of the same argument.

    Example:
        >>> model = CrossEncoder("path/to/cross-encoder")  # doctest: +SKIP
        >>> model.predict([("How old is Ann?", "Ann is 31."), ("How old is Ann?", "It rains.")])  # doctest: +SKIP
        array([0.93, 0.04], dtype=float32)
    """

    @translate_deprecated_kwargs("CrossEncoder", INIT_RENAMES, extra_translation=merge_classifier_dropout)
    def __init__(
        self,
        model_name_or_path: str,
        num_labels: int | None = None,
        max_length: int | None = None,
        activation_fn: Callable | None = None,
        device: str | None = None,
        cache_folder: str | None = None,
        trust_remote_code: bool = False,
        revision: str | None = None,
        local_files_only: bool = False,
        token: bool | str | None = None,
        model_kwargs: dict[str, Any] | None = None,
        tokenizer_kwargs: dict[str, Any] | None = None,
        config_kwargs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__()
        folder = model_io.require_local_folder(model_name_or_path)
        model_io.check_module_layout(folder)
        self.model_name_or_path = folder
        self.cache_folder = cache_folder
        self.trust_remote_code = trust_remote_code
        hub_kwargs = {
            "cache_dir": cache_folder,
            "trust_remote_code": trust_remote_code,
            "revision": revision,
            "local_files_only": local_files_only,
            "token": token,
        }

        config = AutoConfig.from_pretrained(folder, **hub_kwargs, **(config_kwargs or {}))
        if num_labels is None and not _has_classification_head(config):
            num_labels = 1
        if num_labels is not None:
            config.num_labels = num_labels
        self.model = AutoModelForSequenceClassification.from_pretrained(
            folder, config=config, **hub_kwargs, **(model_kwargs or {})
        )
        self.tokenizer = self._load_tokenizer(folder, max_length, hub_kwargs, tokenizer_kwargs or {})

        self.activation_fn = activation_fn if activation_fn is not None else self._saved_or_default_activation(folder)
        self.to(device or _default_device())

    def _load_tokenizer(
        self, folder: str, max_length: int | None, hub_kwargs: dict[str, Any], tokenizer_kwargs: dict[str, Any]
    ) -> Any:
        tokenizer_kwargs = dict(tokenizer_kwargs)
        saved_max_length = model_io.read_saved_max_length(folder)
        if "model_max_length" not in tokenizer_kwargs and (max_length or saved_max_length) is not None:
            tokenizer_kwargs["model_max_length"] = max_length or saved_max_length
        tokenizer = AutoTokenizer.from_pretrained(folder, **hub_kwargs, **tokenizer_kwargs)

        # Tokenizers without a saved limit report a huge model_max_length, so the position table sets the limit.
        max_positions = getattr(self.config, "max_position_embeddings", None)
        if "model_max_length" not in tokenizer_kwargs and max_positions is not None:
            tokenizer.model_max_length = min(tokenizer.model_max_length, max_positions)
        return tokenizer

    def _saved_or_default_activation(self, folder: str) -> Callable:
        activation_path = model_io.read_saved_activation_path(folder, self.config)
        if activation_path is not None:
            activation = model_io.instantiate_activation(activation_path, self.trust_remote_code)
            if activation is not None:
                return activation
        return self.get_default_activation_fn()

    def get_default_activation_fn(self) -> Callable:
        """Return ``nn.Sigmoid()`` for a single-label model and ``nn.Identity()`` otherwise."""
        return nn.Sigmoid() if self.num_labels == 1 else nn.Identity()

    def __setattr__(self, name: str, value: Any) -> None:
        # The activation stays a plain attribute: as a registered submodule it would enter
        # state_dict() and named_modules(), which the saved layouts do not contain.
        if name == "activation_fn":
            object.__setattr__(self, name, value)
            return
        super().__setattr__(name, value)

    @property
    def config(self) -> Any:
        """The ``transformers`` config of the wrapped model."""
        return self.model.config

    @property
    def num_labels(self) -> int:
        """Number of classifier outputs."""
        return self.config.num_labels

    @property
    def max_length(self) -> int:
        """Maximum number of tokens per pair, stored as the tokenizer's ``model_max_length``."""
        return self.tokenizer.model_max_length

    @max_length.setter
    def max_length(self, value: int) -> None:
        self.tokenizer.model_max_length = value

    @property
    def device(self) -> torch.device:
        """Device of the model parameters."""
        return next(self.model.parameters()).device

    def preprocess(self, pairs: Sequence[Sequence[str]]) -> BatchEncoding:
        """Tokenize text pairs into one padded batch, truncating the longer text of a pair first."""
        firsts = [pair[0] for pair in pairs]
        seconds = [pair[1] for pair in pairs]
        return self.tokenizer(
            firsts, seconds, padding=True, truncation="longest_first", max_length=self.max_length, return_tensors="pt"
        )

    def forward(self, features: Mapping[str, Tensor]) -> dict[str, Tensor]:
        """Return ``{"scores": logits}`` for a tokenized batch, with logits of shape (batch, num_labels)."""
        return {"scores": self.model(**features, return_dict=True).logits}

    @translate_deprecated_kwargs("CrossEncoder.predict", PREDICT_RENAMES, PREDICT_NO_EFFECT)
    def predict(
        self,
        sentences: Sequence[Sequence[str]] | Sequence[str],
        batch_size: int = 32,
        show_progress_bar: bool | None = None,
        activation_fn: Callable | None = None,
        apply_softmax: bool = False,
        convert_to_numpy: bool = True,
        convert_to_tensor: bool = False,
    ) -> np.ndarray | Tensor | list[Tensor] | float:
        """Score sentence pairs: one score per pair for one label, a vector of class scores otherwise.

        Args:
            sentences: Pairs such as ``[("query", "doc"), ...]``, or one pair, which returns one
                score instead of an array.
            batch_size: Pairs per forward pass.
            show_progress_bar: Show a tqdm bar. None shows it when this logger is at INFO or DEBUG.
            activation_fn: Applied to the logits for this call only. None uses ``self.activation_fn``.
            apply_softmax: Softmax over the classes of a multi-label model.
            convert_to_numpy: Return a float32 numpy array, else a list of tensors.
            convert_to_tensor: Return one tensor. It takes precedence over ``convert_to_numpy``.

        Raises:
            ValueError: When ``batch_size`` is not positive or an element is not a pair of strings.
        """
        if batch_size <= 0:
            raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
        pairs, is_single_pair = normalize_pairs(sentences)
        if show_progress_bar is None:
            show_progress_bar = logger.getEffectiveLevel() <= logging.INFO
        activation = activation_fn if activation_fn is not None else self.activation_fn

        was_training = self.training
        self.eval()
        batches = []
        with torch.no_grad():
            for start in trange(0, len(pairs), batch_size, desc="Batches", disable=not show_progress_bar):
                features = self.preprocess(pairs[start : start + batch_size]).to(self.device)
                logits = self(features)["scores"]
                batches.append(scores_from_logits(logits, activation, self.num_labels, apply_softmax))
        self.train(was_training)

        scores = convert_scores(batches, convert_to_numpy, convert_to_tensor, self.device)
        return scores[0] if is_single_pair else scores

    @translate_deprecated_kwargs("CrossEncoder.rank", PREDICT_RENAMES, PREDICT_NO_EFFECT)
    def rank(
        self,
        query: str,
        documents: Sequence[str],
        top_k: int | None = None,
        return_documents: bool = False,
        batch_size: int = 32,
        show_progress_bar: bool | None = None,
        activation_fn: Callable | None = None,
    ) -> list[dict[str, Any]]:
        """Score ``query`` against each document and return ``{"corpus_id", "score"}`` dicts, best first.

        Args:
            query: The query text.
            documents: Candidate texts. ``corpus_id`` is the index into this list.
            top_k: Keep only the best ``top_k`` results. None keeps all.
            return_documents: Add the document under ``"text"``.
            batch_size: Pairs per forward pass.
            show_progress_bar: Show a tqdm bar.
            activation_fn: Applied to the logits for this call only.

        Raises:
            ValueError: When the model has more than one label, since ranking needs one score per pair.
        """
        if self.num_labels != 1:
            raise ValueError(
                f"CrossEncoder.rank needs a model with num_labels=1, but this one has num_labels={self.num_labels}. "
                "Use predict() on (query, document) pairs instead."
            )
        scores = self.predict(
            [(query, document) for document in documents],
            batch_size=batch_size,
            show_progress_bar=show_progress_bar,
            activation_fn=activation_fn,
            convert_to_tensor=True,
        )
        return rank_results(scores.tolist(), documents, top_k, return_documents)

    def save(self, path: str | os.PathLike[str] | None, *, safe_serialization: bool = True, **kwargs: Any) -> None:
        """Save model, tokenizer and activation path to ``path`` in the sentence-transformers 4.x layout.

        Nothing is written when ``path`` is None, as in the 3.x ``save``. Extra keyword arguments
        go to both ``save_pretrained`` calls.
        """
        if path is None:
            return

        logger.info("Saving the CrossEncoder to %s", path)
        os.makedirs(path, exist_ok=True)
        model_io.store_activation_in_config(self.config, self.activation_fn)
        self.model.save_pretrained(path, safe_serialization=safe_serialization, **kwargs)
        self.tokenizer.save_pretrained(path, **kwargs)

    def save_pretrained(self, path: str | os.PathLike[str], *, safe_serialization: bool = True, **kwargs: Any) -> None:
        """Save the model like :meth:`save`."""
        self.save(path, safe_serialization=safe_serialization, **kwargs)


def _has_classification_head(config: Any) -> bool:
    architectures = getattr(config, "architectures", None) or []
    return any(architecture.endswith("ForSequenceClassification") for architecture in architectures)
