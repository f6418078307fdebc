"""TSDAE: a decoder rebuilds the original sentence from the embedding of its noisy version."""

from __future__ import annotations

import copy
import logging
from collections.abc import Iterable
from typing import Any

from torch import Tensor, nn
from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, PreTrainedModel

logger = logging.getLogger(__name__)


class DenoisingAutoEncoderLoss(nn.Module):
    """Cross-entropy of a decoder that reconstructs the clean sentence from the noisy sentence's embedding.

    The encoder (the SentenceTransformer) embeds the noisy text; a causal language model with
    cross-attention over that single embedding predicts the clean text token by token. Padding
    tokens are ignored in the loss.

    With ``tie_encoder_decoder=True`` (the default) the decoder is built from the encoder's own
    config as a causal LM with cross-attention, and every decoder weight that has a counterpart in
    the encoder (embeddings, self-attention, feed-forward layers) is that encoder parameter, shared.
    Only the cross-attention layers and the LM head transform are new. They are initialized from
    PyTorch's global random state, so seed it for a reproducible decoder. Nothing is downloaded.
    With ``tie_encoder_decoder=False`` the decoder and its tokenizer are loaded from
    ``decoder_name_or_path``. When its tokenizer is of another type than the encoder's, the targets
    are re-tokenized for the decoder.

    Args:
        model: The SentenceTransformer to train; its first module must hold a Hugging Face model
            (``auto_model``) and a tokenizer.
        decoder_name_or_path: Folder of the decoder; required when ``tie_encoder_decoder`` is False,
            ignored (with a warning) when it is True.
        tie_encoder_decoder: Share the encoder's weights with the decoder.

    Inputs:

    +-------------------------------+--------+
    | Texts                         | Labels |
    +===============================+========+
    | (noisy_sentence, sentence)    | none   |
    +-------------------------------+--------+

    Relations: :class:`~reference.datasets.DenoisingAutoEncoderDataset` produces these pairs.

    NOTE: Upstream (sentence-transformers 2.7.0 and 6.3.0) loads the tied decoder with
    ``from_pretrained`` from the encoder's folder, so an LM head stored in that checkpoint is
    reused there; here the LM head transform is always freshly initialized.

    Example:
        >>> loss = DenoisingAutoEncoderLoss(model, tie_encoder_decoder=True)
        >>> examples = [InputExample(texts=["man eating", "a man is eating food"])]
        >>> features, labels = model.smart_batching_collate(examples)
        >>> value = loss(features, labels)
    """

    def __init__(self, model: nn.Module, decoder_name_or_path: str | None = None, tie_encoder_decoder: bool = True) -> None:
        super().__init__()
        self.encoder = model
        self.tokenizer_encoder = model.tokenizer
        encoder_model = _hugging_face_model(model)

        if tie_encoder_decoder:
            if decoder_name_or_path:
                logger.warning("DenoisingAutoEncoderLoss ignores decoder_name_or_path when tie_encoder_decoder=True.")
            self.decoder = _decoder_from_config(encoder_model.config)
            self.tokenizer_decoder = self.tokenizer_encoder
            _share_encoder_weights(encoder_model, self.decoder)
        else:
            if not decoder_name_or_path:
                raise ValueError("DenoisingAutoEncoderLoss needs decoder_name_or_path when tie_encoder_decoder=False.")
            self.decoder = _decoder_from_folder(decoder_name_or_path)
            self.tokenizer_decoder = AutoTokenizer.from_pretrained(decoder_name_or_path)

        self.need_retokenization = not isinstance(self.tokenizer_encoder, type(self.tokenizer_decoder))
        if encoder_model.config.hidden_size != self.decoder.config.hidden_size:
            raise ValueError(
                f"Encoder hidden size {encoder_model.config.hidden_size} differs from decoder hidden size "
                f"{self.decoder.config.hidden_size}; the decoder cross-attends to the sentence embedding, so they must match."
            )
        # The decoder is built on the CPU; its own layers must sit where the shared encoder weights are.
        self.decoder.to(next(encoder_model.parameters()).device)
        if self.tokenizer_decoder.pad_token is None:
            self.tokenizer_decoder.pad_token = self.tokenizer_decoder.eos_token
            self.decoder.config.pad_token_id = self.decoder.config.eos_token_id

    def retokenize(self, sentence_features: dict[str, Tensor]) -> dict[str, Tensor]:
        """Decode the encoder's token ids back to text and tokenize it for the decoder."""
        input_ids = sentence_features["input_ids"]
        texts = self.tokenizer_encoder.batch_decode(input_ids, skip_special_tokens=True, clean_up_tokenization_spaces=True)
        retokenized = self.tokenizer_decoder(texts, padding=True, truncation="longest_first", return_tensors="pt")
        return retokenized.to(input_ids.device)

    def forward(self, sentence_features: Iterable[dict[str, Tensor]], labels: Tensor | None = None) -> Tensor:
        """Return the reconstruction loss; ``labels`` are ignored."""
        source_features, target_features = tuple(sentence_features)
        if self.need_retokenization:
            target_features = self.retokenize(target_features)

        embeddings = self.encoder(source_features)["sentence_embedding"]  # [batch, hidden]
        target_ids = target_features["input_ids"]  # [batch, tokens]
        decoder_input_ids = target_ids[:, :-1].clone()  # predict token t+1 from tokens <= t
        label_ids = target_ids[:, 1:]

        outputs = self.decoder(
            input_ids=decoder_input_ids,
            encoder_hidden_states=embeddings[:, None],  # [batch, 1, hidden]: one "token" to attend to
            encoder_attention_mask=source_features["attention_mask"][:, 0:1],
            use_cache=False,
        )
        logits = outputs[0]  # [batch, tokens - 1, vocab]
        loss_fct = nn.CrossEntropyLoss(ignore_index=self.tokenizer_decoder.pad_token_id)
        return loss_fct(logits.reshape(-1, logits.shape[-1]), label_ids.reshape(-1))

    def get_config_dict(self) -> dict[str, Any]:
        """Return the loss settings."""
        return {"decoder_name_or_path": self.decoder.config._name_or_path, "need_retokenization": self.need_retokenization}


def _hugging_face_model(model: nn.Module) -> PreTrainedModel:
    first_module = model[0]
    for attribute in ("auto_model", "model"):
        candidate = getattr(first_module, attribute, None)
        if isinstance(candidate, PreTrainedModel):
            return candidate
    raise ValueError(
        f"DenoisingAutoEncoderLoss needs a transformers model as the first module, got {type(first_module).__name__}."
    )


def _decoder_from_config(encoder_config: Any) -> PreTrainedModel:
    decoder_config = copy.deepcopy(encoder_config)
    decoder_config.is_decoder = True
    decoder_config.add_cross_attention = True
    try:
        return AutoModelForCausalLM.from_config(decoder_config)
    except ValueError as error:
        raise ValueError(
            f"The encoder's architecture ({decoder_config.model_type!r}) has no causal LM head class, so it cannot "
            "serve as its own decoder; pass tie_encoder_decoder=False and a decoder_name_or_path."
        ) from error


def _decoder_from_folder(decoder_name_or_path: str) -> PreTrainedModel:
    decoder_config = AutoConfig.from_pretrained(decoder_name_or_path)
    decoder_config.is_decoder = True
    decoder_config.add_cross_attention = True
    return AutoModelForCausalLM.from_pretrained(decoder_name_or_path, config=decoder_config)


def _share_encoder_weights(encoder: PreTrainedModel, decoder: PreTrainedModel) -> None:
    # Point each decoder parameter at the encoder parameter of the same path, so that one update trains both.
    decoder_base = getattr(decoder, decoder.base_model_prefix)
    encoder_parameters = dict(encoder.named_parameters())
    decoder_modules = dict(decoder_base.named_modules())
    shared = 0
    for name, _ in list(decoder_base.named_parameters()):
        if name not in encoder_parameters:
            continue
        module_name, _, attribute = name.rpartition(".")
        setattr(decoder_modules[module_name], attribute, encoder_parameters[name])
        shared += 1

    if shared == 0:
        logger.warning("DenoisingAutoEncoderLoss shared no weights: the decoder's parameter names match none of the encoder's.")
    if decoder.config.tie_word_embeddings:
        # The LM head was tied to the decoder's own word embeddings at construction; re-tie it to the shared ones.
        decoder.get_output_embeddings().weight = decoder.get_input_embeddings().weight
