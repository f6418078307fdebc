"""A small Okapi BM25 ranker that picks the candidate documents the NanoBEIR reranking starts from."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping

_TOKEN = re.compile(r"\w+")

# Lucene's defaults for term-frequency saturation and length normalization.
K1 = 1.2
B = 0.75


def tokenize(text: str) -> list[str]:
    """Split ``text`` into lower-case word tokens."""
    return _TOKEN.findall(text.lower())


class BM25Index:
    """Okapi BM25 over a fixed corpus, with the Lucene form of the inverse document frequency.

    Args:
        corpus: Document id -> text.

    Example:
        >>> index = BM25Index({"d1": "pandas are bears", "d2": "the sky is blue"})
        >>> index.top_k("what are pandas", 1)
        ['d1']
    """

    def __init__(self, corpus: Mapping[str, str]) -> None:
        self.doc_ids = list(corpus)
        self.term_counts = [Counter(tokenize(corpus[doc_id])) for doc_id in self.doc_ids]
        self.lengths = [sum(counts.values()) for counts in self.term_counts]
        self.mean_length = sum(self.lengths) / len(self.lengths) if self.lengths else 0.0

        document_frequency: Counter[str] = Counter()
        for counts in self.term_counts:
            document_frequency.update(counts.keys())
        num_docs = len(self.doc_ids)
        self.idf = {term: math.log(1 + (num_docs - df + 0.5) / (df + 0.5)) for term, df in document_frequency.items()}

    def score(self, query: str, position: int) -> float:
        """Return the BM25 score of the document at ``position`` for ``query``."""
        counts = self.term_counts[position]
        length_norm = K1 * (1 - B + B * self.lengths[position] / self.mean_length) if self.mean_length else K1
        total = 0.0
        for term in tokenize(query):
            frequency = counts.get(term, 0)
            if frequency:
                total += self.idf[term] * frequency * (K1 + 1) / (frequency + length_norm)
        return total

    def top_k(self, query: str, k: int) -> list[str]:
        """Return the ids of the ``k`` best documents for ``query``, ties in corpus order."""
        scores = [self.score(query, position) for position in range(len(self.doc_ids))]
        order = sorted(range(len(scores)), key=lambda position: -scores[position])
        return [self.doc_ids[position] for position in order[:k]]
