"""CrossEncoderNanoBEIREvaluator of the reference over local BEIR folders, and its BM25 candidates."""

from __future__ import annotations

import json

import numpy as np
import pytest

from reference.cross_encoder.evaluation import CrossEncoderNanoBEIREvaluator, CrossEncoderRerankingEvaluator
from reference.cross_encoder.evaluation.bm25 import BM25Index
from reference.cross_encoder.evaluation.nano_beir import bm25_samples
from reference.evaluation.beir_data import load_beir_folder

CORPUS = {
    "d1": "pandas are bears that eat bamboo",
    "d2": "the train leaves at noon",
    "d3": "a man eats a piece of bread",
    "d4": "a woman plays music",
    "d5": "the cat sleeps on the sofa",
}
QUERIES = {"q1": "what are pandas", "q2": "a man is eating food", "q3": "a woman is playing violin", "q4": "unjudged"}
QRELS = [("q1", "d1"), ("q2", "d3"), ("q3", "d4")]


def _write_beir(folder, queries=QUERIES, qrels=QRELS):
    (folder / "qrels").mkdir(parents=True)
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps({"_id": i, "title": "", "text": t}) for i, t in CORPUS.items()))
    (folder / "queries.jsonl").write_text("\n".join(json.dumps({"_id": i, "text": t}) for i, t in queries.items()))
    rows = ["query-id\tcorpus-id\tscore"] + [f"{query}\t{doc}\t1" for query, doc in qrels]
    (folder / "qrels" / "test.tsv").write_text("\n".join(rows) + "\n")
    return folder


@pytest.fixture
def data_dir(tmp_path):
    _write_beir(tmp_path / "msmarco")
    _write_beir(tmp_path / "custom", queries={"q1": "what are pandas"}, qrels=[("q1", "d1")])
    return tmp_path


def test_bm25_ranks_matching_document_first():
    index = BM25Index(CORPUS)

    assert index.top_k("what are pandas", 2)[0] == "d1"
    assert index.top_k("the train at noon", 1) == ["d2"]
    assert len(index.top_k("zebra", 10)) == len(CORPUS)


def test_bm25_samples_skip_unjudged_queries(data_dir):
    samples = bm25_samples(load_beir_folder(data_dir / "msmarco"), rerank_k=2)

    assert [sample["query"] for sample in samples] == ["what are pandas", "a man is eating food", "a woman is playing violin"]
    assert samples[0]["positive"] == [CORPUS["d1"]]
    assert len(samples[0]["documents"]) == 2
    assert samples[0]["documents"][0] == CORPUS["d1"]


def test_nano_beir_requires_data_dir(monkeypatch):
    monkeypatch.delenv("NANOBEIR_DATA_DIR", raising=False)

    with pytest.raises(ValueError, match="Pass data_dir=<folder> or set NANOBEIR_DATA_DIR"):
        CrossEncoderNanoBEIREvaluator()


def test_nano_beir_missing_dataset(data_dir):
    with pytest.raises(FileNotFoundError, match="'scifact'"):
        CrossEncoderNanoBEIREvaluator(["scifact"], data_dir=str(data_dir))


def test_nano_beir_metric_keys(ce1, data_dir):
    evaluator = CrossEncoderNanoBEIREvaluator(data_dir=str(data_dir), rerank_k=3, write_csv=False)

    metrics = evaluator(ce1)

    assert evaluator.dataset_names == ["custom", "msmarco"]
    assert evaluator.primary_metric == "NanoBEIR_R3_mean_ndcg@10"
    assert {"NanoMSMARCO_R3_map", "NanoMSMARCO_R3_mrr@10", "NanoMSMARCO_R3_ndcg@10", "NanoMSMARCO_R3_base_ndcg@10",
            "custom_R3_ndcg@10", "NanoBEIR_R3_mean_map", "NanoBEIR_R3_mean_base_mrr@10"} <= set(metrics)


def test_nano_beir_aggregates_datasets(ce1, data_dir):
    metrics = CrossEncoderNanoBEIREvaluator(data_dir=str(data_dir), rerank_k=3, write_csv=False)(ce1)

    expected = np.mean([metrics["NanoMSMARCO_R3_ndcg@10"], metrics["custom_R3_ndcg@10"]])
    assert metrics["NanoBEIR_R3_mean_ndcg@10"] == pytest.approx(expected)


def test_nano_beir_matches_reranking_evaluator(ce1, data_dir):
    samples = bm25_samples(load_beir_folder(data_dir / "msmarco"), rerank_k=3)
    expected = CrossEncoderRerankingEvaluator(samples, name="NanoMSMARCO_R3", write_csv=False)(ce1)

    metrics = CrossEncoderNanoBEIREvaluator(["msmarco"], data_dir=str(data_dir), rerank_k=3, write_csv=False)(ce1)

    for key, value in expected.items():
        assert metrics[key] == pytest.approx(value), key


def test_nano_beir_reads_env_and_writes_csv(ce1, data_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("NANOBEIR_DATA_DIR", str(data_dir / "custom"))
    output = tmp_path / "eval"

    CrossEncoderNanoBEIREvaluator(rerank_k=3)(ce1, output_path=str(output), epoch=0, steps=4)

    header, row = (output / "NanoBEIR_evaluation_mean_results.csv").read_text().splitlines()
    assert header == "epoch,steps,MAP,MRR@10,NDCG@10"
    assert row.startswith("0,4,")
