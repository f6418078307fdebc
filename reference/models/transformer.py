"""The first module of a SentenceTransformer: a Hugging Face encoder plus its tokenizer."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from torch import Tensor, nn
from transformers import AutoConfig, AutoModel, AutoTokenizer

logger = logging.getLogger(__name__)

# Config file names that sentence-transformers releases wrote for this module, newest first.
CONFIG_FILE_NAMES = (
    "sentence_bert_config.json",
    "sentence_roberta_config.json",
    "sentence_distilbert_config.json",
    "sentence_camembert_config.json",
    "sentence_albert_config.json",
    "sentence_xlm-roberta_config.json",
    "sentence_xlnet_config.json",
)

# The keys of the classic config that map to constructor arguments; newer releases add more
# keys (modality settings, output names) that do not apply here.
CONFIG_KEYS = ("max_seq_length", "do_lower_case", "model_args", "tokenizer_args", "config_args")


def require_local_folder(path: str) -> None:
    """Raise ``OSError`` unless ``path`` is an existing folder, since the reference never downloads."""
    if not os.path.isdir(path):
        raise OSError(
            f"Model folder {path!r} not found: the reference implementation loads local folders "
            "only; pass the path of a saved model."
        )


def _is_pair(text: Any) -> bool:
    return isinstance(text, (tuple, list)) and len(text) == 2


class Transformer(nn.Module):
    """Token embeddings from a Hugging Face ``AutoModel`` loaded from a local folder.

    Args:
        model_name_or_path: Folder with ``config.json``, the weights and the tokenizer files.
        max_seq_length: Maximum input length in tokens, beyond which inputs are truncated.
            ``None`` uses the smaller of ``max_position_embeddings`` and the tokenizer's ``model_max_length``.
        model_args: Keyword arguments for ``AutoModel.from_pretrained``.
        tokenizer_args: Keyword arguments for ``AutoTokenizer.from_pretrained``.
        config_args: Keyword arguments for ``AutoConfig.from_pretrained`` (e.g. dropout rates).
        cache_dir: Passed to the ``from_pretrained`` calls; unused for local folders.
        do_lower_case: Lower-case every text before tokenization.

    Example:
        >>> transformer = Transformer("path/to/bert", max_seq_length=128)
        >>> features = transformer.tokenize(["A first sentence.", "A second one."])
        >>> token_embeddings = transformer(features)["token_embeddings"]
    """

    save_in_root = True

    def __init__(
        self,
        model_name_or_path: str,
        max_seq_length: int | None = None,
        model_args: dict[str, Any] | None = None,
        tokenizer_args: dict[str, Any] | None = None,
        config_args: dict[str, Any] | None = None,
        cache_dir: str | None = None,
        do_lower_case: bool = False,
    ) -> None:
        super().__init__()
        require_local_folder(model_name_or_path)
        self.do_lower_case = do_lower_case

        config = AutoConfig.from_pretrained(model_name_or_path, cache_dir=cache_dir, **(config_args or {}))
        self.auto_model = AutoModel.from_pretrained(
            model_name_or_path, config=config, cache_dir=cache_dir, **(model_args or {})
        )
        self.tokenizer = AutoTokenizer.from_pretrained(model_name_or_path, cache_dir=cache_dir, **(tokenizer_args or {}))
        self.max_seq_length = max_seq_length if max_seq_length is not None else self._default_max_length()

    def _default_max_length(self) -> int | None:
        limits = [
            getattr(self.auto_model.config, "max_position_embeddings", None),
            getattr(self.tokenizer, "model_max_length", None),
        ]
        known = [limit for limit in limits if isinstance(limit, int)]
        return min(known) if known else None

    def forward(self, features: dict[str, Tensor]) -> dict[str, Tensor]:
        """Add ``token_embeddings`` (``[batch, tokens, hidden]``) to ``features``."""
        model_inputs = {"input_ids": features["input_ids"], "attention_mask": features["attention_mask"]}
        if "token_type_ids" in features:
            model_inputs["token_type_ids"] = features["token_type_ids"]

        outputs = self.auto_model(**model_inputs)
        features["token_embeddings"] = outputs[0]
        return features

    def get_word_embedding_dimension(self) -> int:
        """Return the hidden size of the encoder."""
        return self.auto_model.config.hidden_size

    def tokenize(self, texts: list[str] | list[tuple[str, str]] | list[list[str]], padding: bool = True) -> dict[str, Tensor]:
        """Tokenize single texts, or pairs of texts given as tuples or lists of two strings.

        Raises:
            ValueError: When an item is neither a string nor a pair of strings.
        """
        columns = self._split_columns(texts)
        columns = [[text.strip() for text in column] for column in columns]
        if self.do_lower_case:
            columns = [[text.lower() for text in column] for column in columns]

        return self.tokenizer(
            *columns,
            padding=padding,
            truncation="longest_first",
            return_tensors="pt",
            max_length=self.max_seq_length,
        )

    @staticmethod
    def _split_columns(texts: list[Any]) -> list[list[str]]:
        if all(isinstance(text, str) for text in texts):
            return [list(texts)]

        if all(_is_pair(text) for text in texts):
            return [[str(first) for first, _ in texts], [str(second) for _, second in texts]]

        bad = next((text for text in texts if not isinstance(text, str) and not _is_pair(text)), texts)
        raise ValueError(
            f"Cannot tokenize {bad!r}: pass a list of strings, or a list of (text, text) pairs for pair inputs."
        )

    def get_config_dict(self) -> dict[str, Any]:
        """Return the classic ``sentence_bert_config.json`` content."""
        return {"max_seq_length": self.max_seq_length, "do_lower_case": self.do_lower_case}

    def save(self, output_path: str) -> None:
        """Write the encoder, its tokenizer and ``sentence_bert_config.json`` into ``output_path``."""
        os.makedirs(output_path, exist_ok=True)
        self.auto_model.save_pretrained(output_path)
        self.tokenizer.save_pretrained(output_path)

        with open(os.path.join(output_path, "sentence_bert_config.json"), "w", encoding="utf-8") as handle:
            json.dump(self.get_config_dict(), handle, indent=2)

    @classmethod
    def load(cls, input_path: str) -> Transformer:
        """Load a Transformer saved by the reference or by a sentence-transformers release."""
        config: dict[str, Any] = {}
        for file_name in CONFIG_FILE_NAMES:
            config_path = os.path.join(input_path, file_name)
            if os.path.exists(config_path):
                with open(config_path, encoding="utf-8") as handle:
                    config = json.load(handle)
                break

        kwargs = {key: config[key] for key in CONFIG_KEYS if key in config}
        return cls(input_path, **kwargs)
