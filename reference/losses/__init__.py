"""Training losses, importable as ``losses.<Name>`` like in sentence-transformers.

Each loss lives in its own module; add one import line per loss below.
"""

from __future__ import annotations

from .multiple_negatives_ranking import MultipleNegativesRankingLoss
from .mse import MSELoss
from .batch_all_triplet import BatchAllTripletLoss
from .batch_hard_triplet import BatchHardTripletLoss, BatchHardTripletLossDistanceFunction
from .batch_semi_hard_triplet import BatchSemiHardTripletLoss
from .denoising_auto_encoder import DenoisingAutoEncoderLoss
from .cosine_similarity import CosineSimilarityLoss
from .softmax import SoftmaxLoss
