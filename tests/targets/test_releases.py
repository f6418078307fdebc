"""The release table: one list of releases with their companion pins, and pin overrides."""

from __future__ import annotations

import pytest

from conformance.errors import TargetError
from conformance.releases import apply_overrides, load_releases, parse_overrides, requirement_name


def test_matrix_spans_four_major_lines():
    majors = {release.version.split(".")[0] for release in load_releases().matrix()}
    assert {"3", "4", "5", "6"} <= majors


def test_newest_release_is_in_matrix():
    table = load_releases()
    newest = max(table.releases, key=lambda release: tuple(int(part) for part in release.version.split(".")))
    assert newest.matrix


def test_every_release_pins_transformers():
    for release in load_releases().releases:
        assert any(requirement_name(pin) == "transformers" for pin in release.pins), release.version


def test_find_exact_version():
    release = load_releases().find("2.7.0")
    assert release is not None
    assert "transformers==4.41.2" in release.pins
    assert release.spec == "sentence-transformers==2.7.0"


def test_find_unknown_version_is_none():
    assert load_releases().find("9.9.9") is None


def test_override_replaces_by_name():
    pins = apply_overrides(("transformers==5.25.0", "datasets==5.2.0"), ["Transformers==4.57.6"])
    assert pins == ["datasets==5.2.0", "Transformers==4.57.6"]


def test_override_none_drops_all():
    assert apply_overrides(("transformers==5.25.0",), ["none"]) == []


def test_override_absent_keeps_pins():
    assert apply_overrides(("transformers==5.25.0",), None) == ["transformers==5.25.0"]


def test_parse_overrides_keeps_commas():
    assert parse_overrides("transformers>=4.50,<4.53  datasets==5.0.1") == ["transformers>=4.50,<4.53", "datasets==5.0.1"]


def test_parse_overrides_empty_is_none():
    assert parse_overrides("  ") is None


def test_requirement_name_normalizes():
    assert requirement_name("Sentence_Transformers[train]>=6") == "sentence-transformers"


def test_invalid_requirement_named():
    with pytest.raises(TargetError, match="'==1.0'"):
        requirement_name("==1.0")


def test_bad_table_names_file_and_key(tmp_path):
    path = tmp_path / "releases.toml"
    path.write_text('[[release]]\nversion = "1.0.0"\npins = "transformers"\n')
    with pytest.raises(TargetError, match=r"release\[0\]\.pins"):
        load_releases(path)


def test_table_syntax_error_named(tmp_path):
    path = tmp_path / "releases.toml"
    path.write_text("[[release]\n")
    with pytest.raises(TargetError, match="releases.toml"):
        load_releases(path)
