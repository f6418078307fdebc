"""Training arguments of the SentenceTransformerTrainer: transformers' plus two batch-sampler choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from transformers import TrainingArguments


class BatchSamplers(str, Enum):
    """How the rows of one training dataset are grouped into batches.

    ``BATCH_SAMPLER`` shuffles the rows and cuts consecutive batches. ``NO_DUPLICATES`` keeps equal
    texts out of the same batch, which matters for in-batch negatives. ``GROUP_BY_LABEL`` fills
    batches with several rows per label, as the batch triplet losses need.
    """

    BATCH_SAMPLER = "batch_sampler"
    NO_DUPLICATES = "no_duplicates"
    GROUP_BY_LABEL = "group_by_label"


class MultiDatasetBatchSamplers(str, Enum):
    """How batches of several training datasets are interleaved.

    ``ROUND_ROBIN`` takes one batch of each dataset in turn and stops when the smallest one is
    exhausted. ``PROPORTIONAL`` draws every batch of every dataset once, in random order, so larger
    datasets contribute more batches.
    """

    ROUND_ROBIN = "round_robin"
    PROPORTIONAL = "proportional"


@dataclass
class SentenceTransformerTrainingArguments(TrainingArguments):
    """``transformers.TrainingArguments`` with the batch-sampler settings of sentence-transformers.

    The Trainer's own defaults are kept (learning rate 5e-5, weight decay 0, no warmup); they
    differ from the legacy ``fit`` defaults on purpose.

    Args:
        batch_sampler: A :class:`BatchSamplers` member or its string value.
        multi_dataset_batch_sampler: A :class:`MultiDatasetBatchSamplers` member or its string value.
        All other arguments are those of ``transformers.TrainingArguments``.

    Example:
        >>> args = SentenceTransformerTrainingArguments(
        ...     output_dir="out", num_train_epochs=1, batch_sampler=BatchSamplers.NO_DUPLICATES
        ... )
    """

    batch_sampler: BatchSamplers | str = field(
        default=BatchSamplers.BATCH_SAMPLER,
        metadata={"help": "How rows are grouped into batches: batch_sampler, no_duplicates or group_by_label."},
    )
    multi_dataset_batch_sampler: MultiDatasetBatchSamplers | str = field(
        default=MultiDatasetBatchSamplers.PROPORTIONAL,
        metadata={"help": "How batches of several datasets are interleaved: round_robin or proportional."},
    )

    def __post_init__(self) -> None:
        super().__post_init__()
        self.batch_sampler = _enum_member(BatchSamplers, self.batch_sampler, "batch_sampler")
        self.multi_dataset_batch_sampler = _enum_member(
            MultiDatasetBatchSamplers, self.multi_dataset_batch_sampler, "multi_dataset_batch_sampler"
        )


def _enum_member(enum_class: type[Enum], value: object, argument: str) -> Enum:
    """Return the member of ``enum_class`` for ``value`` (a member or its string value)."""
    if isinstance(value, enum_class):
        return value
    try:
        return enum_class(value)
    except ValueError:
        accepted = ", ".join(repr(member.value) for member in enum_class)
        raise ValueError(f"Invalid {argument} {value!r}: use one of {accepted}.") from None
