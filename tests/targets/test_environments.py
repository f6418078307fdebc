"""Install plans of target environments and the checks that run before anything is installed."""

from __future__ import annotations

import subprocess

import pytest

from conformance import environments
from conformance.environments import InstallPlan, build_plan, check_fork_checkout, source_state, split_git_ref
from conformance.errors import TargetError
from conformance.releases import Release, ReleaseTable

TABLE = ReleaseTable(
    torch="torch==2.13.0",
    runner=("numpy", "scipy"),
    default_pins=("transformers==5.25.0",),
    releases=(Release("4.1.0", ("transformers==4.52.4", "datasets==5.0.1")),),
)


@pytest.fixture(autouse=True)
def _no_torch_override(monkeypatch):
    monkeypatch.delenv("CONFORMANCE_TORCH", raising=False)


def _fork(tmp_path, package=True, project=True):
    root = tmp_path / "fork"
    root.mkdir()
    if project:
        (root / "pyproject.toml").write_text('[project]\nname = "sentence-transformers"\nversion = "6.3.0+fork"\n')
    if package:
        (root / "sentence_transformers").mkdir()
        (root / "sentence_transformers" / "__init__.py").write_text("")
    return root


def _git(folder, *args):
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args]
    return subprocess.run(command, cwd=folder, check=True, capture_output=True, text=True).stdout.strip()


def test_release_gets_its_pins():
    plan = build_plan("sentence-transformers==4.1.0", table=TABLE)
    assert plan.pins == ("transformers==4.52.4", "datasets==5.0.1")
    assert plan.torch == "torch==2.13.0"
    assert plan.runner == ("numpy", "scipy")


def test_range_gets_default_pins():
    plan = build_plan("sentence-transformers>=6", table=TABLE)
    assert plan.pins == ("transformers==5.25.0",)


def test_override_replaces_release_pin():
    plan = build_plan("sentence-transformers==4.1.0", overrides=["transformers==4.52.3"], table=TABLE)
    assert plan.pins == ("datasets==5.0.1", "transformers==4.52.3")


def test_torch_override_moves_to_torch():
    plan = build_plan("sentence-transformers==4.1.0", overrides=["torch==2.12.0"], table=TABLE)
    assert plan.torch == "torch==2.12.0"
    assert all(not pin.startswith("torch") for pin in plan.pins)


def test_torch_variable_sets_torch(monkeypatch):
    monkeypatch.setenv("CONFORMANCE_TORCH", "torch==2.12.1")
    assert build_plan("sentence-transformers==4.1.0", table=TABLE).torch == "torch==2.12.1"


def test_reference_needs_no_environment():
    with pytest.raises(TargetError, match="needs no environment"):
        build_plan("installed", table=TABLE)


def test_digest_follows_pins():
    one = build_plan("sentence-transformers==4.1.0", table=TABLE)
    two = build_plan("sentence-transformers==4.1.0", overrides=["transformers==4.52.3"], table=TABLE)
    assert one.digest() == build_plan("sentence-transformers==4.1.0", table=TABLE).digest()
    assert one.digest() != two.digest()
    assert one.folder_name().startswith("sentence-transformers_4.1.0-")


def test_fork_path_plan_is_absolute(tmp_path):
    fork = _fork(tmp_path)
    plan = build_plan(str(fork), table=TABLE)
    assert plan.kind == "path"
    assert plan.requirement == str(fork.resolve())
    assert plan.folder_name().startswith("path-fork-")


def test_fork_without_project_file_rejected(tmp_path):
    fork = _fork(tmp_path, project=False)
    with pytest.raises(TargetError, match="no pyproject.toml, setup.py or setup.cfg"):
        check_fork_checkout(fork, str(fork))


def test_fork_without_package_rejected(tmp_path):
    fork = _fork(tmp_path, package=False)
    with pytest.raises(TargetError, match="contains no sentence_transformers package"):
        build_plan(str(fork), table=TABLE)


def test_missing_fork_folder_rejected(tmp_path):
    with pytest.raises(TargetError, match="is not a folder"):
        build_plan(str(tmp_path / "absent"), table=TABLE)


def test_missing_wheel_rejected(tmp_path):
    with pytest.raises(TargetError, match="wheel .* not found"):
        build_plan(str(tmp_path / "sentence_transformers-6.3.0-py3-none-any.whl"), table=TABLE)


def test_wheel_version_selects_release(tmp_path):
    wheel = tmp_path / "sentence_transformers-4.1.0-py3-none-any.whl"
    wheel.write_bytes(b"not really a wheel")
    assert build_plan(str(wheel), table=TABLE).pins == ("transformers==4.52.4", "datasets==5.0.1")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("git+https://host/org/repo.git@v1.0", ("https://host/org/repo.git", "v1.0")),
        ("git+https://host/org/repo.git", ("https://host/org/repo.git", None)),
        ("git+ssh://git@host/org/repo.git@main#egg=x", ("ssh://git@host/org/repo.git", "main")),
        ("git+file:///tmp/fork@feature", ("file:///tmp/fork", "feature")),
    ],
)
def test_split_git_ref(url, expected):
    assert split_git_ref(url) == expected


def test_git_plan_adds_prefix():
    plan = build_plan("https://host/org/repo.git@v1.0", table=TABLE)
    assert plan.kind == "git"
    assert plan.requirement == "git+https://host/org/repo.git@v1.0"


def test_git_ref_resolves_to_commit(tmp_path):
    fork = _fork(tmp_path)
    _git(fork, "init", "-q", "-b", "main")
    _git(fork, "add", ".")
    _git(fork, "commit", "-q", "-m", "fork")
    head = _git(fork, "rev-parse", "HEAD")
    plan = build_plan(f"git+file://{fork}@main", table=TABLE)
    assert source_state(plan) == head


def test_missing_git_ref_named(tmp_path):
    fork = _fork(tmp_path)
    _git(fork, "init", "-q", "-b", "main")
    _git(fork, "add", ".")
    _git(fork, "commit", "-q", "-m", "fork")
    plan = build_plan(f"git+file://{fork}@no-such-branch", table=TABLE)
    with pytest.raises(TargetError, match="ref 'no-such-branch' not found"):
        source_state(plan)


def test_unreadable_git_repository_named(tmp_path):
    plan = build_plan(f"git+file://{tmp_path}/absent@main", table=TABLE)
    with pytest.raises(TargetError, match="cannot be read"):
        source_state(plan)


def test_fork_edit_changes_fingerprint(tmp_path):
    fork = _fork(tmp_path)
    plan = build_plan(str(fork), table=TABLE)
    before = source_state(plan)
    (fork / "sentence_transformers" / "__init__.py").write_text("CHANGED = True\n")
    assert source_state(plan) != before


def test_pip_hint_shortens_version_list(tmp_path):
    plan = InstallPlan("sentence-transformers==9.9.9", "requirement", "sentence-transformers==9.9.9", "torch", (), ())
    log = tmp_path / "env.log"
    versions = ", ".join(f"1.{i}.0" for i in range(40))
    log.write_text(
        "$ pip download sentence-transformers==9.9.9\n"
        f"ERROR: Could not find a version that satisfies the requirement sentence-transformers==9.9.9 (from versions: {versions})\n"
        "ERROR: No matching distribution found for sentence-transformers==9.9.9\n"
    )
    hint = environments._pip_hint(log, plan)
    assert "No matching distribution found for sentence-transformers==9.9.9" in hint
    assert "1.3.0," not in hint
    assert "1.39.0" in hint
    assert "Check the version" in hint


def test_pip_hint_names_pin_variable_on_conflict(tmp_path):
    plan = InstallPlan("sentence-transformers<5", "requirement", "sentence-transformers<5", "torch", ("transformers==5.25.0",), ())
    log = tmp_path / "env.log"
    log.write_text("$ pip install x\nERROR: ResolutionImpossible: for help visit https://pip.pypa.io\n")
    assert "CONFORMANCE_TARGET_PINS" in environments._pip_hint(log, plan)
