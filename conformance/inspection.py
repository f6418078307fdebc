"""Inspection of a target's environment: its version, commit, companion packages and available APIs.

`python -m conformance.inspection` runs inside the target's environment (the harness puts the
project root on PYTHONPATH), imports the target package and prints one JSON object. The harness
calls it once per run, before any row, so a target that fails to import is reported by name and
rows whose API the target lacks are skipped with the reason.

This module imports only the standard library at the top, because it runs in environments that
hold an old release and nothing else of the suite's dependencies.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import traceback
from dataclasses import dataclass
from importlib import import_module, metadata
from pathlib import Path
from typing import Any

INSTALL_INFO_FILE = "conformance-target.json"
INSPECT_TIMEOUT = 300.0

# The packages whose versions decide how a target trains; recorded in run_info.
RELEVANT_PACKAGES = (
    "sentence-transformers",
    "torch",
    "transformers",
    "datasets",
    "accelerate",
    "huggingface-hub",
    "tokenizers",
    "safetensors",
    "numpy",
    "scipy",
)


@dataclass(frozen=True)
class ApiGroup:
    """The legacy and new entry points that every row of one group (by row-id prefix) calls.

    Args:
        prefix: row-id prefix, e.g. "st." for the SentenceTransformer rows.
        legacy: "module:attribute.path" of the legacy API, e.g. "sentence_transformers:SentenceTransformer.fit".
        new: the same for the new API.
    """

    prefix: str
    legacy: str
    new: str

    @staticmethod
    def label(entry: str) -> str:
        return entry.split(":", 1)[1]


# The longest matching prefix is used, so a row that needs more than its group can get an entry of its own.
API_GROUPS = (
    ApiGroup("st.", "sentence_transformers:SentenceTransformer.fit", "sentence_transformers:SentenceTransformerTrainer"),
    ApiGroup("ce.", "sentence_transformers.cross_encoder:CrossEncoder.fit", "sentence_transformers.cross_encoder:CrossEncoderTrainer"),
)


def api_group(row: str) -> ApiGroup | None:
    matches = [group for group in API_GROUPS if row.startswith(group.prefix)]
    return max(matches, key=lambda group: len(group.prefix)) if matches else None


def unavailable_reason(row: str, target: dict[str, Any] | None, legacy: dict[str, Any] | None = None) -> str | None:
    """Return why `row` cannot be judged on these targets, or None when it can.

    Args:
        row: the row id.
        target: the inspection of the target (None for the reference, which has every API).
        legacy: the inspection of the legacy target of a cross-version run, or None.
    """
    group = api_group(row)
    if group is None:
        return None
    new_name, legacy_name = group.label(group.new), group.label(group.legacy)

    if target is not None and not target["apis"].get(group.new, False):
        return f"target {_describe(target)} has no {new_name}, the new API of the {group.prefix}* rows"
    if legacy is None:
        if target is not None and not target["apis"].get(group.legacy, False):
            return f"target {_describe(target)} has no {legacy_name}, the legacy API of the {group.prefix}* rows"
        return None

    if not legacy["apis"].get(group.legacy, False):
        return f"legacy target {_describe(legacy)} has no {legacy_name}, the legacy API of the {group.prefix}* rows"
    if legacy["apis"].get(group.new, False):
        return (
            f"cross-version run: legacy target {_describe(legacy)} already has {new_name}, so its {legacy_name} is "
            f"not the implementation from before the migration; the {group.prefix}* rows are judged across versions "
            f"only against a release without {new_name}"
        )
    return None


def _describe(info: dict[str, Any]) -> str:
    return f"{info.get('spec', '?')} ({info.get('name', '?')} {info.get('version', '?')})"


# Inside the target's environment ------------------------------------------------------------
def describe(module_name: str = "sentence_transformers") -> dict[str, Any]:
    """Import the target package and describe it; an import failure is returned as data."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        module = import_module(module_name)
    except BaseException as error:  # a fork whose import fails is reported, not raised
        return {"ok": False, "error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()[-3000:]}

    path = os.path.dirname(getattr(module, "__file__", "") or "") or None
    distribution = _distribution(module_name, path)
    direct_url = _direct_url(distribution)
    return {
        "ok": True,
        "name": distribution.metadata["Name"] if distribution else module_name,
        "version": distribution.version if distribution else getattr(module, "__version__", "unknown"),
        "module_version": getattr(module, "__version__", None),
        "path": path,
        "python": sys.executable,
        "direct_url": direct_url,
        "commit": _commit(direct_url, path, installed=distribution is not None),
        "packages": _package_versions(),
        "apis": {entry: _has_attribute(entry) for group in API_GROUPS for entry in (group.legacy, group.new)},
        "install": _install_info(),
    }


def _distribution(module_name: str, path: str | None) -> metadata.Distribution | None:
    """Return the installed distribution that the imported module comes from, or None.

    A folder on PYTHONPATH can shadow an installed release; its distribution then describes
    other files, so it is not returned.
    """
    for name in metadata.packages_distributions().get(module_name, []):
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        installed = Path(str(distribution.locate_file(module_name))).resolve()
        if path is None or installed == Path(path).resolve():
            return distribution
    return None


def _direct_url(distribution: metadata.Distribution | None) -> dict[str, Any] | None:
    text = distribution.read_text("direct_url.json") if distribution else None
    return json.loads(text) if text else None


def _commit(direct_url: dict[str, Any] | None, path: str | None, installed: bool) -> str | None:
    """Return the commit a target came from: pip's record of a git install, else its source checkout.

    A release installed from an index has no commit, even when its environment lies inside a checkout.
    """
    if direct_url and direct_url.get("vcs_info", {}).get("commit_id"):
        return direct_url["vcs_info"]["commit_id"]
    info = _install_info()
    if info and info.get("source_commit"):
        return info["source_commit"]
    if direct_url and direct_url.get("url", "").startswith("file://"):
        return git_commit(Path(direct_url["url"][len("file://"):]))
    if not installed and path:
        # Imported from a folder on sys.path, not installed: that folder's checkout is the source.
        return git_commit(Path(path))
    return None


def git_commit(folder: Path) -> str | None:
    """Return HEAD of the git checkout that contains `folder`, with "-dirty" when it has uncommitted changes."""
    if not folder.exists():
        return None
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True, text=True, timeout=20)
        if head.returncode != 0:
            return None
        # Untracked files do not count: installing a checkout leaves build/ and *.egg-info in it.
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=folder, capture_output=True, text=True, timeout=20
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("-dirty" if status.stdout.strip() else "")


def _package_versions() -> dict[str, str]:
    versions = {}
    for name in RELEVANT_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def _has_attribute(entry: str) -> bool:
    module_name, _, attribute_path = entry.partition(":")
    try:
        value: Any = import_module(module_name)
        for part in attribute_path.split("."):
            value = getattr(value, part)
    except Exception:  # a missing module or attribute both mean the API is absent
        return False
    return True


def _install_info() -> dict[str, Any] | None:
    path = Path(sys.prefix) / INSTALL_INFO_FILE
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


# On the harness side -----------------------------------------------------------------------
def inspect_interpreter(python: str, module_name: str = "sentence_transformers", env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run `describe` in the interpreter `python` and return its JSON (with "ok": False on failure)."""
    root = str(Path(__file__).resolve().parent.parent)
    environment = dict(os.environ if env is None else env)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [root, environment.get("PYTHONPATH")]))
    command = [python, "-m", "conformance.inspection", module_name]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=INSPECT_TIMEOUT, env=environment, cwd=root)
    except subprocess.TimeoutExpired:
        return {"ok": False, "error": f"importing {module_name} timed out after {INSPECT_TIMEOUT:.0f} s"}
    except OSError as error:
        return {"ok": False, "error": f"cannot run {python!r}: {error}"}
    lines = completed.stdout.strip().splitlines()
    try:
        return json.loads(lines[-1])
    except (IndexError, ValueError):
        tail = (completed.stderr or completed.stdout)[-1500:]
        return {"ok": False, "error": f"the interpreter exited with status {completed.returncode}: {tail.strip()}"}


def main(argv: list[str]) -> int:
    module_name = argv[0] if argv else "sentence_transformers"
    # Imports print warnings and banners on stdout in some releases; the JSON goes on its own last line.
    result = describe(module_name)
    sys.stdout.write("\n" + json.dumps(result) + "\n")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
