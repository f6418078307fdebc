"""NanoBEIR retrieval evaluation over local BEIR folders, averaged across data sets."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any

import numpy as np

from .beir_data import BEIR_LAYOUT, is_beir_folder, load_beir_folder
from .evaluator import SentenceEvaluator, append_csv_row, describe_call
from .information_retrieval import InformationRetrievalEvaluator, csv_columns, csv_header
from .ir_metrics import ScoreFunction

logger = logging.getLogger(__name__)

DATA_DIR_ENV = "NANOBEIR_DATA_DIR"

# Short names of the NanoBEIR data sets -> the spelling upstream uses in evaluator names.
DATASET_NAME_TO_HUMAN_READABLE = {
    "climatefever": "ClimateFEVER",
    "dbpedia": "DBPedia",
    "fever": "FEVER",
    "fiqa2018": "FiQA2018",
    "hotpotqa": "HotpotQA",
    "msmarco": "MSMARCO",
    "nfcorpus": "NFCorpus",
    "nq": "NQ",
    "quoraretrieval": "QuoraRetrieval",
    "scidocs": "SCIDOCS",
    "arguana": "ArguAna",
    "scifact": "SciFact",
    "touche2020": "Touche2020",
}


class NanoBEIREvaluator(SentenceEvaluator):
    """Retrieval metrics on several BEIR-layout data sets, each alone and aggregated (mean by default).

    The upstream evaluator downloads NanoBEIR from the Hugging Face Hub, which the conformance suite
    never contacts. This one reads local folders in the BEIR layout instead: each data set is a folder
    with corpus.jsonl (``_id``, ``title``, ``text``), queries.jsonl (``_id``, ``text``) and
    qrels/test.tsv (``query-id``, ``corpus-id``, ``score``). ``data_dir`` is either one such folder
    or a folder of them. In a folder of folders, a data set is found under its short name
    (``msmarco``) or its NanoBEIR split name (``NanoMSMARCO``).

    Each data set runs an :class:`InformationRetrievalEvaluator` named ``Nano<Name>`` (the folder
    name for data sets outside NanoBEIR), and the result contains its metrics plus their aggregate under
    ``NanoBEIR_<aggregate_key>_``. The primary metric is ``NanoBEIR_mean_cosine_ndcg@10`` for most
    models.

    Args:
        dataset_names: Data sets to run. Defaults to every BEIR folder in ``data_dir`` (sorted by
            name), or to ``data_dir`` itself when it is one.
        data_dir: Local data folder. Defaults to the ``NANOBEIR_DATA_DIR`` environment variable.
        mrr_at_k: Cutoffs for MRR.
        ndcg_at_k: Cutoffs for nDCG.
        accuracy_at_k: Cutoffs for accuracy.
        precision_recall_at_k: Cutoffs for precision and recall.
        map_at_k: Cutoffs for MAP.
        show_progress_bar: Forwarded to ``model.encode``.
        batch_size: Encoding batch size.
        write_csv: Write the per-data-set CSVs and ``NanoBEIR_evaluation_<aggregate_key>_results.csv``.
        score_functions: Name -> score matrix function; defaults to the model's similarity function.
        main_score_function: Score function whose nDCG is the primary metric.
        aggregate_fn: Combines one metric's values across data sets.
        aggregate_key: Name of the aggregate in the metric keys.

    Raises:
        ValueError: when neither ``data_dir`` nor ``NANOBEIR_DATA_DIR`` is set.
        FileNotFoundError: when a requested data set has no BEIR folder.

    Example:
        >>> evaluator = NanoBEIREvaluator(data_dir="/data/beir")  # doctest: +SKIP
        >>> evaluator(model)[evaluator.primary_metric]  # doctest: +SKIP
        0.94
    """

    def __init__(
        self,
        dataset_names: Sequence[str] | None = None,
        data_dir: str | os.PathLike[str] | None = None,
        mrr_at_k: Sequence[int] = (10,),
        ndcg_at_k: Sequence[int] = (10,),
        accuracy_at_k: Sequence[int] = (1, 3, 5, 10),
        precision_recall_at_k: Sequence[int] = (1, 3, 5, 10),
        map_at_k: Sequence[int] = (100,),
        show_progress_bar: bool = False,
        batch_size: int = 32,
        write_csv: bool = True,
        score_functions: dict[str, ScoreFunction] | None = None,
        main_score_function: str | Enum | None = None,
        aggregate_fn: Callable[[list[float]], float] = np.mean,
        aggregate_key: str = "mean",
    ) -> None:
        super().__init__()
        self.data_dir = _resolve_data_dir(data_dir)
        self.aggregate_fn = aggregate_fn
        self.aggregate_key = aggregate_key
        self.name = f"NanoBEIR_{aggregate_key}"
        self.write_csv = write_csv
        self.csv_file = f"NanoBEIR_evaluation_{aggregate_key}_results.csv"

        folders = _find_dataset_folders(self.data_dir, dataset_names)
        self.dataset_names = list(folders)
        ir_kwargs = {
            "mrr_at_k": mrr_at_k,
            "ndcg_at_k": ndcg_at_k,
            "accuracy_at_k": accuracy_at_k,
            "precision_recall_at_k": precision_recall_at_k,
            "map_at_k": map_at_k,
            "show_progress_bar": show_progress_bar,
            "batch_size": batch_size,
            "write_csv": write_csv,
            "score_functions": score_functions,
            "main_score_function": main_score_function,
        }
        self.evaluators = [self._load_evaluator(name, folder, ir_kwargs) for name, folder in folders.items()]

    @staticmethod
    def _load_evaluator(name: str, folder: str, ir_kwargs: dict[str, Any]) -> InformationRetrievalEvaluator:
        data = load_beir_folder(folder)
        readable = DATASET_NAME_TO_HUMAN_READABLE.get(name.lower())
        evaluator_name = f"Nano{readable}" if readable else name
        return InformationRetrievalEvaluator(
            queries=data.queries, corpus=data.corpus, relevant_docs=data.relevant_docs, name=evaluator_name, **ir_kwargs
        )

    def __call__(
        self, model: Any, output_path: str | None = None, epoch: int = -1, steps: int = -1
    ) -> dict[str, float]:
        logger.info("NanoBEIR evaluation on %s%s", self.dataset_names, describe_call(epoch, steps))
        per_dataset: dict[str, float] = {}
        values_by_metric: dict[str, list[float]] = {}

        for evaluator in self.evaluators:
            results = evaluator(model, output_path, epoch, steps)
            per_dataset.update(results)
            for key, value in results.items():
                values_by_metric.setdefault(key.removeprefix(f"{evaluator.name}_"), []).append(value)

        aggregated = {metric: float(self.aggregate_fn(values)) for metric, values in values_by_metric.items()}
        if output_path is not None and self.write_csv:
            self._write_csv(output_path, aggregated, epoch, steps)

        self.primary_metric = self._primary_metric_key(aggregated)
        per_dataset.update(self.prefix_name_to_metrics(aggregated, self.name))
        return per_dataset

    def _write_csv(self, output_path: str, aggregated: dict[str, float], epoch: int, steps: int) -> None:
        first = self.evaluators[0]
        headers: list[str] = ["epoch", "steps"]
        row: list[Any] = [epoch, steps]
        for fn_name in first.score_function_names:
            for metric, k in csv_columns(first.cutoffs):
                headers.append(csv_header(fn_name, metric, k))
                row.append(aggregated[f"{fn_name}_{metric.replace('@k', f'@{k}')}"])
        append_csv_row(output_path, self.csv_file, headers, row)

    def _primary_metric_key(self, aggregated: dict[str, float]) -> str:
        # Without a main score function, the primary metric is the best aggregated nDCG at the largest cutoff.
        first = self.evaluators[0]
        ndcg_key = f"ndcg@{max(first.cutoffs.ndcg_at_k)}"
        if first.main_score_function:
            return f"{first.main_score_function}_{ndcg_key}"
        candidates = [f"{fn_name}_{ndcg_key}" for fn_name in first.score_function_names]
        return max(candidates, key=aggregated.__getitem__)

    def get_config_dict(self) -> dict[str, Any]:
        return {"dataset_names": self.dataset_names}


def _resolve_data_dir(data_dir: str | os.PathLike[str] | None) -> str:
    if data_dir is None:
        data_dir = os.environ.get(DATA_DIR_ENV) or None
    if data_dir is None:
        raise ValueError(
            "NanoBEIREvaluator cannot download NanoBEIR: the Hugging Face Hub is not reachable from the "
            f"conformance suite. Pass data_dir=<folder> or set {DATA_DIR_ENV}, where the folder is a BEIR "
            f"data set ({BEIR_LAYOUT}) or contains one such folder per data set."
        )
    data_dir = os.fspath(data_dir)
    if not os.path.isdir(data_dir):
        raise FileNotFoundError(f"NanoBEIR data folder {data_dir!r} not found; pass an existing folder as data_dir.")
    return data_dir


def _find_dataset_folders(data_dir: str, dataset_names: Sequence[str] | None) -> dict[str, str]:
    if is_beir_folder(data_dir):
        names = list(dataset_names or [os.path.basename(os.path.normpath(data_dir))])
        if len(names) != 1:
            raise ValueError(
                f"{data_dir!r} is a single BEIR data set, but dataset_names requests {names!r}; pass one name or none."
            )
        return {names[0]: data_dir}

    if dataset_names is None:
        found = sorted(entry for entry in os.listdir(data_dir) if is_beir_folder(os.path.join(data_dir, entry)))
        if not found:
            raise FileNotFoundError(f"No BEIR data folder in {data_dir!r}; each one needs {BEIR_LAYOUT}.")
        return {name: os.path.join(data_dir, name) for name in found}

    return {name: _find_named_folder(data_dir, name) for name in dataset_names}


def _find_named_folder(data_dir: str, name: str) -> str:
    readable = DATASET_NAME_TO_HUMAN_READABLE.get(name.lower())
    candidates = [name, name.lower()] + ([f"Nano{readable}"] if readable else [])
    for candidate in candidates:
        folder = os.path.join(data_dir, candidate)
        if is_beir_folder(folder):
            return folder
    raise FileNotFoundError(f"No BEIR folder for data set {name!r} in {data_dir!r}; tried {candidates}, each needing {BEIR_LAYOUT}.")
