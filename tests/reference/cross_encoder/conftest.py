"""Fixtures for the CrossEncoder tests of the reference: tiny models saved once per session."""

from __future__ import annotations

import pytest
from ce_tiny_models import build_tiny_cross_encoder

from reference.cross_encoder import CrossEncoder


@pytest.fixture(scope="session")
def ce1_folder(tmp_path_factory):
    """Folder of a one-label tiny BertForSequenceClassification with dropout off."""
    return build_tiny_cross_encoder(tmp_path_factory.mktemp("ce1"), num_labels=1)


@pytest.fixture(scope="session")
def ce3_folder(tmp_path_factory):
    """Folder of a three-label tiny BertForSequenceClassification with dropout off."""
    return build_tiny_cross_encoder(tmp_path_factory.mktemp("ce3"), num_labels=3, seed=1)


@pytest.fixture
def ce1(ce1_folder):
    """A fresh one-label reference CrossEncoder on CPU."""
    return CrossEncoder(str(ce1_folder), device="cpu")


@pytest.fixture
def ce3(ce3_folder):
    """A fresh three-label reference CrossEncoder on CPU."""
    return CrossEncoder(str(ce3_folder), device="cpu")
