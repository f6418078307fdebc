"""InformationRetrievalEvaluator and NanoBEIREvaluator on hand-computable rankings."""

from __future__ import annotations

import csv
import json
import math

import pytest

from reference.evaluation import InformationRetrievalEvaluator, NanoBEIREvaluator
from reference.evaluation.beir_data import load_beir_folder

from fake_encoder import FixedEmbeddingModel, unit

# q1 ranks d1 (relevant) first. q2 ranks d3 first and d2 (relevant) second.
VECTORS = {
    "query one": unit(0),
    "query two": unit(90),
    "doc one": unit(5),
    "doc two": unit(60),
    "doc three": unit(85),
    "doc four": unit(180),
}
QUERIES = {"q1": "query one", "q2": "query two"}
CORPUS = {"d1": "doc one", "d2": "doc two", "d3": "doc three", "d4": "doc four"}
RELEVANT = {"q1": {"d1"}, "q2": {"d2"}}


def test_ir_metrics_by_hand():
    evaluator = InformationRetrievalEvaluator(QUERIES, CORPUS, RELEVANT, name="toy")

    results = evaluator(FixedEmbeddingModel(VECTORS))

    assert results["toy_cosine_accuracy@1"] == pytest.approx(0.5)
    assert results["toy_cosine_accuracy@3"] == pytest.approx(1.0)
    assert results["toy_cosine_precision@1"] == pytest.approx(0.5)
    assert results["toy_cosine_precision@3"] == pytest.approx(1 / 3)
    assert results["toy_cosine_recall@1"] == pytest.approx(0.5)
    assert results["toy_cosine_mrr@10"] == pytest.approx((1 + 1 / 2) / 2)
    assert results["toy_cosine_ndcg@10"] == pytest.approx((1 + 1 / math.log2(3)) / 2)
    assert results["toy_cosine_map@100"] == pytest.approx((1 + 1 / 2) / 2)
    assert evaluator.primary_metric == "toy_cosine_ndcg@10"


def test_ir_key_order_matches_upstream():
    evaluator = InformationRetrievalEvaluator(
        QUERIES, CORPUS, RELEVANT, accuracy_at_k=[1], precision_recall_at_k=[1], mrr_at_k=[2], ndcg_at_k=[2], map_at_k=[2]
    )

    results = evaluator(FixedEmbeddingModel(VECTORS))

    assert list(results) == [
        "cosine_accuracy@1", "cosine_precision@1", "cosine_recall@1",
        "cosine_ndcg@2", "cosine_mrr@2", "cosine_map@2",
    ]  # fmt: skip


def test_ir_ties_ranked_by_corpus_id():
    # Both documents score the same; the smaller id ranks first at every chunk size.
    vectors = {"q": unit(0), "same b": unit(10), "same a": unit(-10)}
    for chunk_size in (1, 2):
        evaluator = InformationRetrievalEvaluator(
            {"q": "q"}, {"b": "same b", "a": "same a"}, {"q": {"b"}}, corpus_chunk_size=chunk_size, accuracy_at_k=[1]
        )
        results = evaluator(FixedEmbeddingModel(vectors))
        assert results["cosine_accuracy@1"] == 0.0, f"corpus_chunk_size={chunk_size}"


def test_ir_chunking_does_not_change_metrics():
    whole = InformationRetrievalEvaluator(QUERIES, CORPUS, RELEVANT)(FixedEmbeddingModel(VECTORS))
    chunked = InformationRetrievalEvaluator(QUERIES, CORPUS, RELEVANT, corpus_chunk_size=1)(FixedEmbeddingModel(VECTORS))

    assert chunked == whole


def test_ir_skips_queries_without_relevant():
    evaluator = InformationRetrievalEvaluator({**QUERIES, "q3": "query one"}, CORPUS, {**RELEVANT, "q3": set()})

    assert evaluator.queries_ids == ["q1", "q2"]


def test_ir_csv_columns(tmp_path):
    evaluator = InformationRetrievalEvaluator(
        QUERIES, CORPUS, RELEVANT, name="toy", accuracy_at_k=[1], precision_recall_at_k=[1, 3], mrr_at_k=[10],
        ndcg_at_k=[10], map_at_k=[100],
    )  # fmt: skip

    evaluator(FixedEmbeddingModel(VECTORS), output_path=str(tmp_path))

    with open(tmp_path / "Information-Retrieval_evaluation_toy_results.csv", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    assert header == [
        "epoch", "steps", "cosine-Accuracy@1", "cosine-Precision@1", "cosine-Recall@1", "cosine-Precision@3",
        "cosine-Recall@3", "cosine-MRR@10", "cosine-NDCG@10", "cosine-MAP@100",
    ]  # fmt: skip


def write_beir_folder(folder, queries, corpus, relevant) -> None:
    (folder / "qrels").mkdir(parents=True)
    with open(folder / "corpus.jsonl", "w", encoding="utf-8") as handle:
        for doc_id, text in corpus.items():
            handle.write(json.dumps({"_id": doc_id, "title": "ignored", "text": text}) + "\n")
    with open(folder / "queries.jsonl", "w", encoding="utf-8") as handle:
        for query_id, text in queries.items():
            handle.write(json.dumps({"_id": query_id, "text": text}) + "\n")
    with open(folder / "qrels" / "test.tsv", "w", encoding="utf-8") as handle:
        handle.write("query-id\tcorpus-id\tscore\n")
        for query_id, doc_ids in relevant.items():
            for doc_id in sorted(doc_ids):
                handle.write(f"{query_id}\t{doc_id}\t1\n")


def test_beir_reader_reads_folder(tmp_path):
    write_beir_folder(tmp_path, QUERIES, CORPUS, RELEVANT)

    data = load_beir_folder(tmp_path)

    assert data.queries == QUERIES
    assert data.corpus == CORPUS
    assert data.relevant_docs == RELEVANT


def test_beir_reader_zero_score_not_relevant(tmp_path):
    write_beir_folder(tmp_path, QUERIES, CORPUS, RELEVANT)
    with open(tmp_path / "qrels" / "test.tsv", "a", encoding="utf-8") as handle:
        handle.write("q1\td4\t0\n")

    assert load_beir_folder(tmp_path).relevant_docs["q1"] == {"d1"}


@pytest.fixture
def two_beir_sets(tmp_path):
    write_beir_folder(tmp_path / "msmarco", QUERIES, CORPUS, RELEVANT)
    write_beir_folder(tmp_path / "NanoSciFact", {"q1": "query one"}, CORPUS, {"q1": {"d1"}})
    return tmp_path


def test_nanobeir_mean_over_sets(two_beir_sets):
    evaluator = NanoBEIREvaluator(dataset_names=["msmarco", "scifact"], data_dir=two_beir_sets)

    results = evaluator(FixedEmbeddingModel(VECTORS))

    first = (1 + 1 / math.log2(3)) / 2
    assert results["NanoMSMARCO_cosine_ndcg@10"] == pytest.approx(first)
    assert results["NanoSciFact_cosine_ndcg@10"] == pytest.approx(1.0)
    assert results["NanoBEIR_mean_cosine_ndcg@10"] == pytest.approx((first + 1.0) / 2)
    assert evaluator.primary_metric == "NanoBEIR_mean_cosine_ndcg@10"


def test_nanobeir_finds_all_folders(two_beir_sets):
    evaluator = NanoBEIREvaluator(data_dir=two_beir_sets)

    assert evaluator.dataset_names == ["NanoSciFact", "msmarco"]


def test_nanobeir_single_folder(tmp_path):
    write_beir_folder(tmp_path / "toy", QUERIES, CORPUS, RELEVANT)
    evaluator = NanoBEIREvaluator(data_dir=tmp_path / "toy")

    results = evaluator(FixedEmbeddingModel(VECTORS))

    assert results["toy_cosine_accuracy@1"] == pytest.approx(0.5)
    assert results["NanoBEIR_mean_cosine_accuracy@1"] == pytest.approx(0.5)


def test_nanobeir_csv(two_beir_sets, tmp_path):
    evaluator = NanoBEIREvaluator(data_dir=two_beir_sets, accuracy_at_k=[1], precision_recall_at_k=[1])
    output = tmp_path / "out"

    evaluator(FixedEmbeddingModel(VECTORS), output_path=str(output))

    with open(output / "NanoBEIR_evaluation_mean_results.csv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["epoch", "steps", "cosine-Accuracy@1"]
    assert float(rows[1][2]) == pytest.approx((0.5 + 1.0) / 2)


def test_nanobeir_without_data_raises(monkeypatch):
    monkeypatch.delenv("NANOBEIR_DATA_DIR", raising=False)

    with pytest.raises(ValueError, match="Hub is not reachable.*data_dir"):
        NanoBEIREvaluator()


def test_nanobeir_env_variable(two_beir_sets, monkeypatch):
    monkeypatch.setenv("NANOBEIR_DATA_DIR", str(two_beir_sets))

    assert NanoBEIREvaluator(dataset_names=["msmarco"]).dataset_names == ["msmarco"]


def test_nanobeir_missing_set_raises(two_beir_sets):
    with pytest.raises(FileNotFoundError, match="'nq'"):
        NanoBEIREvaluator(dataset_names=["nq"], data_dir=two_beir_sets)
