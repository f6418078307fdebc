"""Reader for retrieval data sets in the BEIR folder layout."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass

BEIR_LAYOUT = "corpus.jsonl (_id, title, text), queries.jsonl (_id, text) and qrels/test.tsv (query-id, corpus-id, score)"


@dataclass
class RetrievalData:
    """Queries, corpus and relevance judgements of one retrieval data set."""

    queries: dict[str, str]
    corpus: dict[str, str]
    relevant_docs: dict[str, set[str]]


def is_beir_folder(path: str | os.PathLike[str]) -> bool:
    """Return whether ``path`` contains the three BEIR files."""
    required = ("corpus.jsonl", "queries.jsonl", os.path.join("qrels", "test.tsv"))
    return all(os.path.isfile(os.path.join(path, name)) for name in required)


def load_beir_folder(path: str | os.PathLike[str]) -> RetrievalData:
    """Read a BEIR folder: corpus.jsonl, queries.jsonl and qrels/test.tsv.

    The corpus text is the ``text`` field alone (the title is not prepended), as the NanoBEIR
    evaluator of sentence-transformers 6.3.0 does. Entries with empty text are dropped. A qrels row
    is relevant when it has no ``score`` column or a score above 0.

    Raises:
        FileNotFoundError: when one of the three files is missing.
    """
    if not is_beir_folder(path):
        raise FileNotFoundError(f"{os.fspath(path)!r} is not a BEIR data folder; it must contain {BEIR_LAYOUT}.")

    corpus = _read_jsonl_texts(os.path.join(path, "corpus.jsonl"))
    queries = _read_jsonl_texts(os.path.join(path, "queries.jsonl"))
    relevant_docs = _read_qrels(os.path.join(path, "qrels", "test.tsv"))
    return RetrievalData(queries=queries, corpus=corpus, relevant_docs=relevant_docs)


def _read_jsonl_texts(path: str) -> dict[str, str]:
    texts: dict[str, str] = {}
    with open(path, encoding="utf-8") as handle:
        for line_number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            record = json.loads(line)
            if "_id" not in record or "text" not in record:
                raise ValueError(f"{path}:{line_number} lacks the '_id' or 'text' field: {line.strip()[:120]!r}")
            if record["text"]:
                texts[str(record["_id"])] = record["text"]
    return texts


def _read_qrels(path: str) -> dict[str, set[str]]:
    relevant: dict[str, set[str]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if "query-id" not in row or "corpus-id" not in row:
                raise ValueError(f"{path} needs the columns 'query-id' and 'corpus-id', found {list(row)}.")
            if float(row.get("score") or 1) > 0:
                relevant.setdefault(row["query-id"], set()).add(row["corpus-id"])
    return relevant
