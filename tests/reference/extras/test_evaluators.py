"""Evaluator metrics on inputs small enough to compute by hand."""

from __future__ import annotations

import csv
import math

import pytest

from reference.evaluation import (
    EmbeddingSimilarityEvaluator,
    SentenceEvaluator,
    SequentialEvaluator,
    SimilarityFunction,
    TripletEvaluator,
)

from fake_encoder import FixedEmbeddingModel, unit


def similarity_model(cosines: list[float]) -> FixedEmbeddingModel:
    """Pairs ``left<i>``/``right<i>`` whose cosine similarity is exactly ``cosines[i]``."""
    vectors = {}
    for index, cosine in enumerate(cosines):
        vectors[f"left{index}"] = [1.0, 0.0]
        vectors[f"right{index}"] = unit(math.degrees(math.acos(cosine)))
    return FixedEmbeddingModel(vectors)


def similarity_evaluator(scores: list[float], **kwargs) -> EmbeddingSimilarityEvaluator:
    lefts = [f"left{index}" for index in range(len(scores))]
    rights = [f"right{index}" for index in range(len(scores))]
    return EmbeddingSimilarityEvaluator(lefts, rights, scores, **kwargs)


def test_similarity_same_ranking_is_one():
    model = similarity_model([0.1, 0.3, 0.5, 0.9])
    evaluator = similarity_evaluator([0.1, 0.3, 0.5, 0.9], name="sts-dev")

    results = evaluator(model)

    assert results["sts-dev_spearman_cosine"] == pytest.approx(1.0)
    assert results["sts-dev_pearson_cosine"] == pytest.approx(1.0)
    assert evaluator.primary_metric == "sts-dev_spearman_cosine"


def test_similarity_reversed_ranking_is_minus_one():
    model = similarity_model([0.1, 0.3, 0.5, 0.9])
    evaluator = similarity_evaluator([4.0, 3.0, 2.0, 1.0])

    results = evaluator(model)

    assert results["spearman_cosine"] == pytest.approx(-1.0)
    assert evaluator.primary_metric == "spearman_cosine"


def test_similarity_one_swap_spearman():
    # Ranks (1, 2, 3, 4) against (1, 2, 4, 3): rho = 1 - 6 * 2 / (4 * 15) = 0.8.
    model = similarity_model([0.1, 0.3, 0.5, 0.9])
    evaluator = similarity_evaluator([1.0, 2.0, 4.0, 3.0])

    assert evaluator(model)["spearman_cosine"] == pytest.approx(0.8)


def test_similarity_several_functions_report_max():
    model = similarity_model([0.1, 0.3, 0.5, 0.9])
    evaluator = similarity_evaluator([0.1, 0.3, 0.5, 0.9], similarity_fn_names=["cosine", "dot", "euclidean"])

    results = evaluator(model)

    assert set(results) == {
        "pearson_cosine", "spearman_cosine", "pearson_dot", "spearman_dot",
        "pearson_euclidean", "spearman_euclidean", "pearson_max", "spearman_max",
    }  # fmt: skip
    assert results["spearman_max"] == pytest.approx(1.0)
    assert evaluator.primary_metric == "spearman_max"


def test_similarity_main_function_sets_primary():
    evaluator = similarity_evaluator([0.1, 0.3, 0.5, 0.9], main_similarity=SimilarityFunction.DOT_PRODUCT, name="sts")

    evaluator(similarity_model([0.1, 0.3, 0.5, 0.9]))

    assert evaluator.primary_metric == "sts_spearman_dot"


def test_similarity_follows_model_function():
    model = similarity_model([0.1, 0.3, 0.5, 0.9])
    model.similarity_fn_name = "dot"
    evaluator = similarity_evaluator([0.1, 0.3, 0.5, 0.9])

    results = evaluator(model)

    assert list(results) == ["pearson_dot", "spearman_dot"]


def test_similarity_csv_appends_rows(tmp_path):
    model = similarity_model([0.1, 0.3, 0.5, 0.9])
    evaluator = similarity_evaluator([0.1, 0.3, 0.5, 0.9], name="sts")

    evaluator(model, output_path=str(tmp_path), epoch=0, steps=5)
    evaluator(model, output_path=str(tmp_path), epoch=0, steps=-1)

    with open(tmp_path / "similarity_evaluation_sts_results.csv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["epoch", "steps", "cosine_pearson", "cosine_spearman"]
    assert rows[1][:2] == ["0", "5"]
    assert rows[2][:2] == ["0", "-1"]
    assert float(rows[2][3]) == pytest.approx(1.0)


def test_similarity_no_csv_without_flag(tmp_path):
    evaluator = similarity_evaluator([0.1, 0.3, 0.5, 0.9], write_csv=False)

    evaluator(similarity_model([0.1, 0.3, 0.5, 0.9]), output_path=str(tmp_path))

    assert list(tmp_path.iterdir()) == []


def test_similarity_length_mismatch_raises():
    with pytest.raises(ValueError, match="same length"):
        EmbeddingSimilarityEvaluator(["a", "b"], ["c"], [0.5, 0.5])


def test_similarity_unknown_function_raises():
    with pytest.raises(ValueError, match="Unknown similarity function"):
        similarity_evaluator([0.1, 0.2], main_similarity="jaccard")


def triplet_model() -> FixedEmbeddingModel:
    # Anchor at 0 degrees; each triplet's positive and negative sit at the given angles.
    angles = {0: (10, 80), 1: (20, 60), 2: (30, 45), 3: (70, 40)}
    vectors = {}
    for index, (positive, negative) in angles.items():
        vectors[f"anchor{index}"] = unit(0)
        vectors[f"positive{index}"] = unit(positive)
        vectors[f"negative{index}"] = unit(negative)
    return FixedEmbeddingModel(vectors)


def triplet_evaluator(**kwargs) -> TripletEvaluator:
    indices = range(4)
    return TripletEvaluator(
        [f"anchor{i}" for i in indices], [f"positive{i}" for i in indices], [f"negative{i}" for i in indices], **kwargs
    )


def test_triplet_accuracy_three_of_four():
    evaluator = triplet_evaluator(name="nli-dev")

    results = evaluator(triplet_model())

    assert results == {"nli-dev_cosine_accuracy": pytest.approx(0.75)}
    assert evaluator.primary_metric == "nli-dev_cosine_accuracy"


def test_triplet_margin_rejects_close_wins():
    # cos(30) - cos(45) = 0.159 is the smallest winning gap, so a margin of 0.2 leaves two of four.
    evaluator = triplet_evaluator(margin=0.2)

    assert evaluator(triplet_model())["cosine_accuracy"] == pytest.approx(0.5)


def test_triplet_tie_counts_wrong():
    model = FixedEmbeddingModel({"a": unit(0), "p": unit(30), "n": unit(-30)})
    evaluator = TripletEvaluator(["a"], ["p"], ["n"])

    assert evaluator(model)["cosine_accuracy"] == 0.0


def test_triplet_unknown_margin_key_raises():
    with pytest.raises(ValueError, match="unknown keys"):
        triplet_evaluator(margin={"jaccard": 0.1})


def test_triplet_csv_header(tmp_path):
    evaluator = triplet_evaluator(name="dev")

    evaluator(triplet_model(), output_path=str(tmp_path))

    with open(tmp_path / "triplet_evaluation_dev_results.csv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["epoch", "steps", "accuracy_cosine"]
    assert float(rows[1][2]) == pytest.approx(0.75)


def test_sequential_combines_and_scores_last():
    sequential = SequentialEvaluator([triplet_evaluator(name="a"), triplet_evaluator(name="b", margin=0.2)])

    results = sequential(triplet_model())

    assert results["a_cosine_accuracy"] == pytest.approx(0.75)
    assert results["b_cosine_accuracy"] == pytest.approx(0.5)
    assert results["sequential_score"] == pytest.approx(0.5)
    assert sequential.primary_metric == "sequential_score"


def test_base_evaluator_prefixes_primary():
    evaluator = SentenceEvaluator()
    evaluator.primary_metric = "accuracy"

    metrics = evaluator.prefix_name_to_metrics({"accuracy": 1}, "dev")

    assert metrics == {"dev_accuracy": 1.0}
    assert evaluator.primary_metric == "dev_accuracy"


def test_evaluator_restores_train_mode(tiny_model):
    evaluator = EmbeddingSimilarityEvaluator(
        ["a man is eating food", "a monkey is playing drums"], ["a man is eating a piece of bread", "the cat sleeps on the sofa"],
        [0.9, 0.1],
    )  # fmt: skip
    tiny_model.train()

    evaluator(tiny_model)

    assert tiny_model.training is True


def test_evaluator_deterministic_on_model(tiny_model):
    sentences = ["a man is eating food", "a monkey is playing drums", "the girl is carrying a baby"]
    evaluator = EmbeddingSimilarityEvaluator(sentences, list(reversed(sentences)), [0.2, 0.9, 0.4])
    tiny_model.train()

    first = evaluator(tiny_model)
    second = evaluator(tiny_model)

    assert first == second
