"""Evaluators of SentenceTransformer models, importable as ``sentence_transformers.evaluation``."""

from __future__ import annotations

from .embedding_similarity import EmbeddingSimilarityEvaluator
from .evaluator import SentenceEvaluator
from .information_retrieval import InformationRetrievalEvaluator
from .nano_beir import NanoBEIREvaluator
from .sequential import SequentialEvaluator
from .similarity import SimilarityFunction
from .triplet import TripletEvaluator

__all__ = [
    "EmbeddingSimilarityEvaluator",
    "InformationRetrievalEvaluator",
    "NanoBEIREvaluator",
    "SentenceEvaluator",
    "SequentialEvaluator",
    "SimilarityFunction",
    "TripletEvaluator",
]
