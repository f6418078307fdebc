"""Which rows a target can run, and what inspecting a target's interpreter reports."""

from __future__ import annotations

import sys
import textwrap

from conformance.inspection import inspect_interpreter, unavailable_reason

ST_LEGACY = "sentence_transformers:SentenceTransformer.fit"
ST_NEW = "sentence_transformers:SentenceTransformerTrainer"
CE_LEGACY = "sentence_transformers.cross_encoder:CrossEncoder.fit"
CE_NEW = "sentence_transformers.cross_encoder:CrossEncoderTrainer"


def _target(version, *apis):
    every = (ST_LEGACY, ST_NEW, CE_LEGACY, CE_NEW)
    return {"spec": f"sentence-transformers=={version}", "name": "sentence-transformers", "version": version, "apis": {api: api in apis for api in every}}


V2 = _target("2.7.0", ST_LEGACY, CE_LEGACY)
V3 = _target("3.0.1", ST_LEGACY, ST_NEW, CE_LEGACY)
V6 = _target("6.3.0", ST_LEGACY, ST_NEW, CE_LEGACY, CE_NEW)


def test_reference_runs_every_row():
    assert unavailable_reason("st.flow", None) is None
    assert unavailable_reason("ce.flow", None) is None


def test_current_release_runs_every_row():
    assert unavailable_reason("st.fit.epochs", V6) is None
    assert unavailable_reason("ce.fit.epochs", V6) is None


def test_release_without_trainer_skips_st_rows():
    reason = unavailable_reason("st.flow", V2)
    assert "has no SentenceTransformerTrainer" in reason
    assert "sentence-transformers==2.7.0" in reason


def test_release_without_ce_trainer_skips_ce_rows():
    assert unavailable_reason("st.flow", V3) is None
    assert "has no CrossEncoderTrainer" in unavailable_reason("ce.flow", V3)


def test_cross_version_from_v2_runs_st_rows():
    assert unavailable_reason("st.fit.warmup_steps", V6, V2) is None


def test_cross_version_from_v3_runs_ce_rows():
    assert unavailable_reason("ce.fit.warmup_steps", V6, V3) is None


def test_cross_version_from_v3_skips_st_rows():
    reason = unavailable_reason("st.flow", V6, V3)
    assert reason.startswith("cross-version run")
    assert "already has SentenceTransformerTrainer" in reason


def test_cross_version_new_side_needs_new_api():
    assert "target sentence-transformers==3.0.1" in unavailable_reason("ce.flow", V3, V2)


def test_row_outside_groups_runs():
    assert unavailable_reason("other.row", V2) is None


def test_inspect_current_interpreter(tmp_path):
    package = tmp_path / "sentence_transformers"
    package.mkdir()
    (package / "__init__.py").write_text("__version__ = '0.0.1+probe'\nclass SentenceTransformer:\n    def fit(self):\n        pass\n")
    described = inspect_interpreter(sys.executable, env={"PYTHONPATH": str(tmp_path)})
    assert described["ok"]
    assert described["version"] == "0.0.1+probe"
    assert described["apis"][ST_LEGACY] is True
    assert described["apis"][ST_NEW] is False
    assert described["path"] == str(package)


def test_inspect_reports_import_failure(tmp_path):
    package = tmp_path / "sentence_transformers"
    package.mkdir()
    (package / "__init__.py").write_text(textwrap.dedent("raise RuntimeError('fork broken on purpose')\n"))
    described = inspect_interpreter(sys.executable, env={"PYTHONPATH": str(tmp_path)})
    assert described["ok"] is False
    assert "RuntimeError: fork broken on purpose" in described["error"]


def test_inspect_missing_interpreter(tmp_path):
    described = inspect_interpreter(str(tmp_path / "python"))
    assert described["ok"] is False
    assert "cannot run" in described["error"]
