"""The migration guide's rows: stable ids, titles and the section each belongs to.

The ids are the contract between scenarios, expectation files and reports, so they are
listed here once and every scenario is checked against this list at collection time.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    id: str
    title: str
    section: str


_ST_FIT = "SentenceTransformer.fit parameters"
_ST_DATA = "Custom datasets and data loaders"
_CE_INIT = "CrossEncoder initialization and methods"
_CE_FIT = "CrossEncoder.fit parameters"
_CE_EVAL = "CrossEncoder evaluators"

# Order follows the migration guide, so reports group rows the way readers know them.
_TABLE: list[tuple[str, str, str]] = [
    ("st.flow", "SentenceTransformer training flow: fit -> SentenceTransformerTrainer", "SentenceTransformer training flow"),
    ("st.fit.train_objectives", "SentenceTransformer.fit(train_objectives)", _ST_FIT),
    ("st.fit.evaluator", "SentenceTransformer.fit(evaluator)", _ST_FIT),
    ("st.fit.epochs", "SentenceTransformer.fit(epochs)", _ST_FIT),
    ("st.fit.steps_per_epoch", "SentenceTransformer.fit(steps_per_epoch)", _ST_FIT),
    ("st.fit.scheduler", "SentenceTransformer.fit(scheduler)", _ST_FIT),
    ("st.fit.warmup_steps", "SentenceTransformer.fit(warmup_steps)", _ST_FIT),
    ("st.fit.optimizer_class+optimizer_params", "SentenceTransformer.fit(optimizer_class, optimizer_params)", _ST_FIT),
    ("st.fit.weight_decay", "SentenceTransformer.fit(weight_decay)", _ST_FIT),
    ("st.fit.evaluation_steps", "SentenceTransformer.fit(evaluation_steps)", _ST_FIT),
    ("st.fit.output_path+save_best_model", "SentenceTransformer.fit(output_path, save_best_model)", _ST_FIT),
    ("st.fit.max_grad_norm", "SentenceTransformer.fit(max_grad_norm)", _ST_FIT),
    ("st.fit.use_amp", "SentenceTransformer.fit(use_amp)", _ST_FIT),
    ("st.fit.callback", "SentenceTransformer.fit(callback)", _ST_FIT),
    ("st.fit.show_progress_bar", "SentenceTransformer.fit(show_progress_bar)", _ST_FIT),
    (
        "st.fit.checkpoint_path+checkpoint_save_steps+checkpoint_save_total_limit",
        "SentenceTransformer.fit(checkpoint_path, checkpoint_save_steps, checkpoint_save_total_limit)",
        _ST_FIT,
    ),
    ("st.data.ParallelSentencesDataset", "ParallelSentencesDataset", _ST_DATA),
    ("st.data.SentenceLabelDataset", "SentenceLabelDataset", _ST_DATA),
    ("st.data.DenoisingAutoEncoderDataset", "DenoisingAutoEncoderDataset", _ST_DATA),
    ("st.data.NoDuplicatesDataLoader", "NoDuplicatesDataLoader", _ST_DATA),
    ("ce.flow", "CrossEncoder training flow: fit -> CrossEncoderTrainer", "CrossEncoder training flow"),
    ("ce.init.model_name", "CrossEncoder(model_name=...)", _CE_INIT),
    ("ce.init.automodel_args", "CrossEncoder(automodel_args=...)", _CE_INIT),
    ("ce.init.tokenizer_args", "CrossEncoder(tokenizer_args=...)", _CE_INIT),
    ("ce.init.config_args", "CrossEncoder(config_args=...)", _CE_INIT),
    ("ce.init.cache_dir", "CrossEncoder(cache_dir=...)", _CE_INIT),
    ("ce.init.default_activation_function", "CrossEncoder(default_activation_function=...)", _CE_INIT),
    ("ce.init.classifier_dropout", "CrossEncoder(classifier_dropout=...)", _CE_INIT),
    ("ce.predict.activation_fct", "CrossEncoder.predict(activation_fct=...)", _CE_INIT),
    ("ce.rank.activation_fct", "CrossEncoder.rank(activation_fct=...)", _CE_INIT),
    ("ce.predict.num_workers", "CrossEncoder.predict(num_workers=...)", _CE_INIT),
    ("ce.rank.num_workers", "CrossEncoder.rank(num_workers=...)", _CE_INIT),
    ("ce.fit.train_dataloader", "CrossEncoder.fit(train_dataloader)", _CE_FIT),
    ("ce.fit.loss_fct", "CrossEncoder.fit(loss_fct)", _CE_FIT),
    ("ce.fit.evaluator", "CrossEncoder.fit(evaluator)", _CE_FIT),
    ("ce.fit.epochs", "CrossEncoder.fit(epochs)", _CE_FIT),
    ("ce.fit.activation_fct", "CrossEncoder.fit(activation_fct)", _CE_FIT),
    ("ce.fit.scheduler", "CrossEncoder.fit(scheduler)", _CE_FIT),
    ("ce.fit.warmup_steps", "CrossEncoder.fit(warmup_steps)", _CE_FIT),
    ("ce.fit.optimizer_class+optimizer_params", "CrossEncoder.fit(optimizer_class, optimizer_params)", _CE_FIT),
    ("ce.fit.weight_decay", "CrossEncoder.fit(weight_decay)", _CE_FIT),
    ("ce.fit.evaluation_steps", "CrossEncoder.fit(evaluation_steps)", _CE_FIT),
    ("ce.fit.output_path+save_best_model", "CrossEncoder.fit(output_path, save_best_model)", _CE_FIT),
    ("ce.fit.max_grad_norm", "CrossEncoder.fit(max_grad_norm)", _CE_FIT),
    ("ce.fit.use_amp", "CrossEncoder.fit(use_amp)", _CE_FIT),
    ("ce.fit.callback", "CrossEncoder.fit(callback)", _CE_FIT),
    ("ce.fit.show_progress_bar", "CrossEncoder.fit(show_progress_bar)", _CE_FIT),
    ("ce.evaluator.CEBinaryAccuracyEvaluator", "CEBinaryAccuracyEvaluator", _CE_EVAL),
    ("ce.evaluator.CEBinaryClassificationEvaluator", "CEBinaryClassificationEvaluator", _CE_EVAL),
    ("ce.evaluator.CECorrelationEvaluator", "CECorrelationEvaluator", _CE_EVAL),
    ("ce.evaluator.CEF1Evaluator", "CEF1Evaluator", _CE_EVAL),
    ("ce.evaluator.CESoftmaxAccuracyEvaluator", "CESoftmaxAccuracyEvaluator", _CE_EVAL),
    ("ce.evaluator.CERerankingEvaluator", "CERerankingEvaluator", _CE_EVAL),
]

ROWS: dict[str, Row] = {row_id: Row(row_id, title, section) for row_id, title, section in _TABLE}
ROW_ORDER: dict[str, int] = {row_id: index for index, row_id in enumerate(ROWS)}


def get_row(row_id: str) -> Row:
    """Look up a row by id, with an error that lists near matches."""
    try:
        return ROWS[row_id]
    except KeyError:
        prefix = row_id.split(".")[0]
        near = [known for known in ROWS if known.startswith(prefix)][:5]
        from .errors import ScenarioDefinitionError

        raise ScenarioDefinitionError(
            f"unknown row id {row_id!r}; row ids come from the migration guide's tables, e.g. {near}"
        ) from None
