"""Run several evaluators in a row and combine their primary scores."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .evaluator import SentenceEvaluator


class SequentialEvaluator(SentenceEvaluator):
    """Run each evaluator in turn; return all their metrics plus ``sequential_score``.

    ``sequential_score`` (the primary metric) is ``main_score_function`` applied to the list of each
    evaluator's primary score; by default it is the last evaluator's. An evaluator that returns a
    float instead of a dict contributes ``evaluator_<index>``.

    Args:
        evaluators: The evaluators, run in the given order.
        main_score_function: Combines the primary scores into ``sequential_score``.

    Example:
        >>> evaluator = SequentialEvaluator([sts_evaluator, triplet_evaluator])  # doctest: +SKIP
        >>> evaluator(model)["sequential_score"]  # doctest: +SKIP
        0.93
    """

    def __init__(
        self,
        evaluators: Iterable[Any],
        main_score_function: Callable[[list[float]], float] = lambda scores: scores[-1],
    ) -> None:
        super().__init__()
        self.evaluators = list(evaluators)
        self.main_score_function = main_score_function

    def __call__(
        self, model: Any, output_path: str | None = None, epoch: int = -1, steps: int = -1
    ) -> dict[str, float]:
        results: dict[str, float] = {}
        primary_scores: list[float] = []

        for index, evaluator in enumerate(self.evaluators):
            evaluation = evaluator(model, output_path, epoch, steps)
            if not isinstance(evaluation, dict):
                evaluation = {f"evaluator_{index}": float(evaluation)}
                primary_key = f"evaluator_{index}"
            else:
                primary_key = getattr(evaluator, "primary_metric", None) or next(iter(evaluation))
            primary_scores.append(evaluation[primary_key])
            results.update(evaluation)

        self.primary_metric = "sequential_score"
        results["sequential_score"] = float(self.main_score_function(primary_scores)) if primary_scores else 0.0
        return results
