"""Target environments: one virtual environment per target spec, installed once and reused.

A spec other than `reference` and `installed` (a requirement string, a fork checkout, a git URL
or a wheel) is installed into `<envs dir>/<name>-<plan digest>/`. Torch is installed first, then
the target with its companion pins (`releases.toml`) and the runner's packages, while a
constraints file holds torch at its version. The folder is reused while the plan is unchanged; a fork checkout or a git branch whose
source moved has only the target package reinstalled. Every failure raises `TargetError` with
the spec, what failed and what to do, and leaves no half-built environment behind.

`python -m conformance env SPEC` runs `prepare` from the command line; noxfile.py calls it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .errors import TargetError
from .inspection import INSTALL_INFO_FILE, git_commit, inspect_interpreter
from .releases import ReleaseTable, apply_overrides, load_releases, requirement_name
from .targets import classify_spec

logger = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
ENVS_DIR_ENV = "CONFORMANCE_ENVS_DIR"
TORCH_ENV = "CONFORMANCE_TORCH"
PINS_ENV = {"target": "CONFORMANCE_TARGET_PINS", "legacy": "CONFORMANCE_LEGACY_TARGET_PINS"}
DEFAULT_ENVS_DIR = PROJECT_ROOT / ".nox" / "targets"
PIP_TIMEOUT = 1800.0

_EXACT_VERSION = re.compile(r"==\s*([0-9][\w.+!-]*)\s*$")
_WHEEL_VERSION = re.compile(r"^[^-]+-([^-]+)-")
_SKIPPED_DIRS = {".git", "__pycache__", "build", "dist", ".nox", ".venv", ".tox", ".eggs", "node_modules"}


@dataclass(frozen=True)
class InstallPlan:
    """Everything that decides what a target environment holds.

    Args:
        spec: the target spec as given.
        kind: "requirement", "path", "git" or "wheel".
        requirement: what pip installs for the target (the spec, an absolute path, a git URL).
        torch: the torch requirement installed first.
        pins: companion requirements (transformers, datasets, accelerate), overrides applied.
        runner: packages the runner itself imports.
        python: the Python version the environment is made with.
    """

    spec: str
    kind: str
    requirement: str
    torch: str
    pins: tuple[str, ...]
    runner: tuple[str, ...]
    python: str = field(default_factory=lambda: "%d.%d" % sys.version_info[:2])

    def digest(self) -> str:
        text = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:10]

    def folder_name(self) -> str:
        stem = {
            "requirement": self.spec,
            "path": "path-" + Path(self.requirement).name,
            "wheel": Path(self.requirement).stem.split("-py")[0],
            "git": "git-" + split_git_ref(self.requirement)[0].rstrip("/").rsplit("/", 1)[-1].removesuffix(".git"),
        }[self.kind]
        return re.sub(r"[^A-Za-z0-9._+-]+", "_", stem)[:60] + "-" + self.digest()


@dataclass(frozen=True)
class PreparedEnvironment:
    """A ready target environment: its interpreter and what `inspection.describe` reported there."""

    folder: Path
    python: str
    description: dict[str, Any]
    reused: bool


# Plans -------------------------------------------------------------------------------------
def build_plan(spec: str, role: str = "target", overrides: list[str] | None = None, table: ReleaseTable | None = None) -> InstallPlan:
    """Turn a spec into an install plan; raise `TargetError` for specs no environment can hold."""
    table = table or load_releases()
    kind = classify_spec(spec)
    if kind in ("reference", "installed"):
        raise TargetError(f"target {spec!r} runs in the harness's own environment and needs no environment of its own")

    requirement, version = _target_requirement(spec.strip(), kind)
    release = table.find(version)
    pins = apply_overrides(release.pins if release else table.default_pins, overrides)
    torch = os.environ.get(TORCH_ENV) or (release.torch if release and release.torch else table.torch)
    torch_overrides = [pin for pin in pins if requirement_name(pin) == "torch"]
    if torch_overrides:
        torch = torch_overrides[-1]
        pins = [pin for pin in pins if requirement_name(pin) != "torch"]
    if release is None:
        logger.info("target %r matches no release in releases.toml; using the default companions %s", spec, pins)
    return InstallPlan(spec.strip(), kind, requirement, torch, tuple(pins), table.runner)


def _target_requirement(spec: str, kind: str) -> tuple[str, str | None]:
    """Return what pip installs for the spec and the release version it names (or None)."""
    if kind == "requirement":
        match = _EXACT_VERSION.search(spec)
        return spec, match.group(1) if match else None
    if kind == "git":
        url = spec if spec.startswith("git+") else "git+" + spec
        return url, None
    path = Path(spec).expanduser().resolve()
    if kind == "wheel":
        if not path.is_file():
            raise TargetError(f"wheel {spec!r} not found (looked at {path}); build it first or pass an existing .whl file")
        match = _WHEEL_VERSION.match(path.name)
        return str(path), match.group(1) if match else None
    check_fork_checkout(path, spec)
    return str(path), None


def check_fork_checkout(path: Path, spec: str) -> None:
    """Raise `TargetError` unless `path` is an installable project that contains `sentence_transformers`."""
    if not path.is_dir():
        raise TargetError(f"fork path {spec!r} is not a folder (resolved to {path}); pass the root of a fork checkout")
    if not any((path / name).is_file() for name in ("pyproject.toml", "setup.py", "setup.cfg")):
        raise TargetError(
            f"fork path {spec!r} has no pyproject.toml, setup.py or setup.cfg, so pip cannot install it; "
            "pass the checkout's root folder"
        )
    candidates = [path / "sentence_transformers" / "__init__.py", path / "src" / "sentence_transformers" / "__init__.py"]
    if not any(candidate.is_file() for candidate in candidates):
        raise TargetError(
            f"fork path {spec!r} contains no sentence_transformers package (looked for "
            f"{', '.join(str(c.relative_to(path)) for c in candidates)}); pass the checkout of a sentence-transformers fork"
        )


def split_git_ref(url: str) -> tuple[str, str | None]:
    """Split "git+https://host/repo.git@ref#egg=x" into ("https://host/repo.git", "ref")."""
    text = url.removeprefix("git+").split("#", 1)[0]
    scheme, separator, rest = text.partition("://")
    if not separator:
        scheme, rest = "", text
    # An "@" before the first "/" is a user name (git@host:...), not a ref.
    slash = rest.find("/")
    at = rest.rfind("@")
    if at > slash >= 0:
        rest, ref = rest[:at], rest[at + 1:]
    else:
        ref = None
    return (f"{scheme}://{rest}" if separator else rest), ref


# Preparing ---------------------------------------------------------------------------------
def envs_dir() -> Path:
    return Path(os.environ.get(ENVS_DIR_ENV) or DEFAULT_ENVS_DIR).resolve()


def prepare(plan: InstallPlan, folder_root: Path | None = None, rebuild: bool = False) -> PreparedEnvironment:
    """Create or reuse the environment of `plan`, check that the target imports, and return it."""
    root = folder_root or envs_dir()
    root.mkdir(parents=True, exist_ok=True)
    folder = root / plan.folder_name()
    with (root / f".{folder.name}.lock").open("w") as lock:
        # Two runs preparing the same environment would install into one folder at once.
        fcntl.flock(lock, fcntl.LOCK_EX)
        source = source_state(plan)
        info = _read_info(folder)
        reused = info is not None and not rebuild
        if reused:
            if info.get("source_state") != source:
                logger.info("the source of %r changed; reinstalling the target package in %s", plan.spec, folder)
                _install_target_only(plan, folder, root)
                info["source_state"] = source
                info["source_commit"] = _source_commit(plan)
                _write_info(folder, info)
            else:
                logger.info("reusing the environment of %r in %s", plan.spec, folder)
                if plan.kind == "path" and info.get("source_commit") != _source_commit(plan):
                    # A commit without a file change (or a clean-up of build outputs) moves only the record.
                    info["source_commit"] = _source_commit(plan)
                    _write_info(folder, info)
        else:
            _build(plan, folder, root, source)
        description = _check_import(plan, folder, fresh=not reused)
    return PreparedEnvironment(folder, str(_python(folder)), description, reused)


def source_state(plan: InstallPlan) -> str | None:
    """A fingerprint of the target's source where it can move under the same spec, else None."""
    if plan.kind == "path":
        return _tree_fingerprint(Path(plan.requirement))
    if plan.kind == "wheel":
        return hashlib.sha256(Path(plan.requirement).read_bytes()).hexdigest()
    if plan.kind == "git":
        return _remote_commit(plan)
    return None


def _tree_fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    for directory, subdirectories, files in os.walk(folder):
        subdirectories[:] = sorted(d for d in subdirectories if d not in _SKIPPED_DIRS and not d.endswith(".egg-info"))
        for name in sorted(files):
            path = Path(directory) / name
            stat = path.stat()
            digest.update(f"{path.relative_to(folder)}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _remote_commit(plan: InstallPlan) -> str:
    """The commit the git ref names now; raise `TargetError` when the repository or ref is not found."""
    url, ref = split_git_ref(plan.requirement)
    if ref and re.fullmatch(r"[0-9a-f]{7,40}", ref):
        return ref
    try:
        listed = subprocess.run(["git", "ls-remote", url, ref or "HEAD"], capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as error:
        raise TargetError(f"git target {plan.spec!r}: cannot run git ls-remote on {url!r}: {error}") from None
    if listed.returncode != 0:
        raise TargetError(
            f"git target {plan.spec!r}: repository {url!r} cannot be read ({listed.stderr.strip()[-300:]}); check the URL"
        )
    lines = [line.split("\t") for line in listed.stdout.splitlines() if "\t" in line]
    if not lines:
        raise TargetError(
            f"git target {plan.spec!r}: ref {ref!r} not found in {url!r}; use an existing branch, tag or commit"
        )
    return lines[0][0]


def _source_commit(plan: InstallPlan) -> str | None:
    if plan.kind == "path":
        return git_commit(Path(plan.requirement))
    return None


def _build(plan: InstallPlan, folder: Path, root: Path, source: str | None) -> None:
    """Install a fresh environment; remove it again when any step fails."""
    shutil.rmtree(folder, ignore_errors=True)
    if plan.kind == "requirement":
        _check_resolvable(plan, root)
    started = time.monotonic()
    try:
        logger.info("creating the environment of %r in %s", plan.spec, folder)
        _run([sys.executable, "-m", "venv", str(folder)], plan, root, "create the virtual environment")
        python = str(_python(folder))
        logger.info("installing %s", plan.torch)
        _run([python, "-m", "pip", "install", plan.torch], plan, root, f"install {plan.torch}")
        constraints = _write_constraints(folder, python)
        requirements = [plan.requirement, *plan.pins, *plan.runner]
        logger.info("installing %s", " ".join(requirements))
        _run([python, "-m", "pip", "install", "-c", str(constraints), *requirements], plan, root, f"install {plan.spec}")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    info = {"plan": asdict(plan), "source_state": source, "source_commit": _source_commit(plan), "installed_at": time.time()}
    _write_info(folder, info)
    logger.info("environment of %r ready after %.0f s", plan.spec, time.monotonic() - started)


def _install_target_only(plan: InstallPlan, folder: Path, root: Path) -> None:
    python = str(_python(folder))
    constraints = folder / "constraints.txt"
    command = [python, "-m", "pip", "install", "--no-deps", "--force-reinstall", "-c", str(constraints), plan.requirement]
    _run(command, plan, root, f"reinstall {plan.spec}")


def _check_resolvable(plan: InstallPlan, root: Path) -> None:
    """Resolve the target requirement alone before spending minutes on torch."""
    with tempfile.TemporaryDirectory() as scratch:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", scratch, plan.requirement]
        _run(command, plan, root, f"resolve {plan.requirement!r}")


def _write_constraints(folder: Path, python: str) -> Path:
    """Hold torch at the version just installed, whatever the later requirements ask for."""
    version = subprocess.run(
        [python, "-c", "from importlib.metadata import version; print(version('torch'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    constraints = folder / "constraints.txt"
    constraints.write_text(f"torch=={version}\n")
    return constraints


def _run(command: list[str], plan: InstallPlan, root: Path, step: str) -> None:
    """Run one install step, its output appended to `<root>/<env>.log`; `TargetError` on failure."""
    log_path = root / f"{plan.folder_name()}.log"
    with log_path.open("a") as log:
        log.write(f"\n$ {' '.join(command)}\n")
        log.flush()
        try:
            completed = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, timeout=PIP_TIMEOUT, cwd=root)
        except subprocess.TimeoutExpired:
            raise TargetError(f"target {plan.spec!r}: could not {step}: timed out after {PIP_TIMEOUT:.0f} s; log: {log_path}") from None
    if completed.returncode != 0:
        raise TargetError(f"target {plan.spec!r}: could not {step}. {_pip_hint(log_path, plan)} Full log: {log_path}")


def _pip_hint(log_path: Path, plan: InstallPlan) -> str:
    """The lines of pip's output that say why it failed, with what to do about it."""
    lines = log_path.read_text(errors="replace").splitlines()
    last_command = max((i for i, line in enumerate(lines) if line.startswith("$ ")), default=0)
    errors = [line.strip() for line in lines[last_command:] if line.lstrip().startswith("ERROR") or "error:" in line.lower()]
    text = " ".join(errors[-3:]) or " ".join(line.strip() for line in lines[-5:])
    # pip lists every published version; the newest few are enough to spot a typo.
    text = re.sub(r"\(from versions: ([^)]*)\)", lambda m: f"(newest: {', '.join(m.group(1).split(', ')[-5:])})", text)
    if "No matching distribution" in text or "Could not find a version" in text:
        advice = "Check the version against the package index."
    elif "ResolutionImpossible" in text or "conflict" in text.lower():
        advice = f"The companion pins {list(plan.pins)} conflict with the target's requirements; set {PINS_ENV['target']} (or {PINS_ENV['legacy']})."
    elif plan.kind == "git":
        advice = "Check that the repository and the ref exist."
    else:
        advice = "See the log."
    return f"pip says: {text[-600:]} {advice}"


def _check_import(plan: InstallPlan, folder: Path, fresh: bool) -> dict[str, Any]:
    description = inspect_interpreter(str(_python(folder)))
    if not description.get("ok"):
        if fresh:
            # The packages installed, but a target that does not import is no target: keep nothing.
            shutil.rmtree(folder, ignore_errors=True)
        raise TargetError(
            f"target {plan.spec!r} installed, but `import sentence_transformers` fails in {folder}: "
            f"{description.get('error')}; fix the fork's import or its dependencies"
        )
    return description


def _python(folder: Path) -> Path:
    return folder / ("Scripts" if os.name == "nt" else "bin") / "python"


def _read_info(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / INSTALL_INFO_FILE).read_text())
    except (OSError, ValueError):
        return None


def _write_info(folder: Path, info: dict[str, Any]) -> None:
    (folder / INSTALL_INFO_FILE).write_text(json.dumps(info, indent=1))
