"""Legacy data set for TSDAE training: (noisy sentence, sentence) pairs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from torch.utils.data import Dataset

from ..readers import InputExample


def delete_words(text: str, del_ratio: float = 0.6, rng: Any = None) -> str:
    """Return ``text`` with each word deleted with probability ``del_ratio``, keeping at least one word.

    Words are the whitespace-separated tokens of ``text``, joined again with single spaces.
    sentence-transformers 2.7.0 split with NLTK's Treebank tokenizer instead, which also makes
    punctuation its own token, so the same seed deletes the same words only in texts whose words
    carry no punctuation.

    Randomness comes from ``rng`` (a ``numpy.random.Generator`` or ``RandomState``) or, when it is
    None, from NumPy's global random state as in 2.7.0, so ``np.random.seed`` makes the noise
    reproducible. The draws are ``random(n)`` keep-flags (a word stays when its draw exceeds
    ``del_ratio``), plus one ``choice(n)`` for the word to keep when every flag is False.
    """
    words = text.split()
    if not words:
        return text

    source = np.random if rng is None else rng
    keep = source.random(len(words)) > del_ratio
    if not keep.any():
        keep[source.choice(len(words))] = True
    return " ".join(word for word, kept in zip(words, keep) if kept)


class DenoisingAutoEncoderDataset(Dataset):
    """Data set that turns each sentence into ``InputExample(texts=[noise_fn(sentence), sentence])``.

    Used with :class:`~reference.losses.DenoisingAutoEncoderLoss`, whose decoder rebuilds the
    original sentence from the embedding of the noisy one. The noise is drawn anew on every access,
    so two epochs see different deletions.

    Args:
        sentences: The clean sentences.
        noise_fn: Maps a sentence to its noisy version; defaults to :meth:`delete` (deletion
            ratio 0.6, NumPy's global random state).

    Example:
        >>> np.random.seed(0)
        >>> dataset = DenoisingAutoEncoderDataset(["a man is eating food"])
        >>> dataset[0].texts
        ['man is', 'a man is eating food']
    """

    def __init__(self, sentences: Sequence[str], noise_fn: Callable[[str], str] | None = None) -> None:
        self.sentences = list(sentences)
        self.noise_fn = noise_fn if noise_fn is not None else DenoisingAutoEncoderDataset.delete

    def __getitem__(self, index: int) -> InputExample:
        sentence = self.sentences[index]
        return InputExample(texts=[self.noise_fn(sentence), sentence])

    def __len__(self) -> int:
        return len(self.sentences)

    @staticmethod
    def delete(text: str, del_ratio: float = 0.6) -> str:
        """Deletion noise of 2.7.0's signature; see :func:`delete_words`."""
        return delete_words(text, del_ratio)
