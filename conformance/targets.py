"""Targets: which implementation of `sentence_transformers` a run judges.

`reference` is the bundled reference implementation; `installed` is whatever
`sentence_transformers` the interpreter imports. Other specs (a requirement string,
a fork path, a git URL, a wheel) are installed into an environment of their own by nox
(`conformance.environments`), which then passes that environment's interpreter as
`--target-python`. A cross-version run adds a legacy target (`--legacy-target`) on which
the legacy invocations run.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import TargetError

TARGET_ENV = "CONFORMANCE_TARGET"
TARGET_PYTHON_ENV = "CONFORMANCE_TARGET_PYTHON"
LEGACY_TARGET_ENV = "CONFORMANCE_LEGACY_TARGET"
LEGACY_TARGET_PYTHON_ENV = "CONFORMANCE_LEGACY_TARGET_PYTHON"

# The option and environment variables of each role: the target, and the legacy side of a cross-version run.
_ROLES = {
    "target": ("--target", TARGET_ENV, "--target-python", TARGET_PYTHON_ENV),
    "legacy": ("--legacy-target", LEGACY_TARGET_ENV, "--legacy-target-python", LEGACY_TARGET_PYTHON_ENV),
}

_REQUIREMENT = re.compile(r"^sentence[-_]transformers\s*(\[[\w,]+\])?\s*((==|>=|<=|~=|!=|>|<)\s*[\w.*+!-]+\s*,?\s*)*$", re.I)
_GIT_URL = re.compile(r"^(git\+)?(https?|ssh|file)://.+|^git@.+", re.I)


@dataclass(frozen=True)
class Target:
    """One implementation under test.

    Attributes:
        spec: what the user wrote (`reference`, `installed`, `sentence-transformers==6.3.0`, a path, ...).
        kind: "reference", "installed", "requirement", "path", "git" or "wheel".
        module: the top-level module the runner imports.
        python: the interpreter whose environment holds the target.
    """

    spec: str
    kind: str
    module: str
    python: str

    def as_runner_spec(self) -> dict[str, str]:
        name = "reference" if self.kind == "reference" else "sentence-transformers"
        return {"spec": self.spec, "kind": self.kind, "module": self.module, "name": name}


def classify_spec(spec: str) -> str:
    """Return the kind of a target spec, or raise `TargetError` naming the accepted forms."""
    text = spec.strip()
    if text in ("reference", "installed"):
        return text
    if _REQUIREMENT.match(text):
        return "requirement"
    if _GIT_URL.match(text):
        return "git"
    if text.endswith(".whl"):
        return "wheel"
    if os.sep in text or text.startswith("."):
        return "path"
    raise TargetError(
        f"unknown target {spec!r}; use 'reference', 'installed', a requirement such as "
        "'sentence-transformers==6.3.0', a path to a fork checkout, a git URL or a wheel file"
    )


def resolve(spec: str | None = None, python: str | None = None, role: str = "target") -> Target:
    """Build the `Target` for a spec.

    Args:
        spec: the spec; default the role's environment variable, then `reference`.
        python: the interpreter of the spec's environment; default the role's python variable,
            then this interpreter (right for `reference` and `installed` only).
        role: "target", or "legacy" for the legacy side of a cross-version run.
    """
    option, spec_env, python_option, python_env = _ROLES[role]
    spec = (spec or os.environ.get(spec_env) or "reference").strip()
    kind = classify_spec(spec)
    # Absolute, because the runner starts in the run folder; not resolved, because a venv's
    # interpreter is a symlink whose target lies outside the venv.
    python = os.path.abspath(python or os.environ.get(python_env) or sys.executable)
    if kind not in ("reference", "installed") and python == os.path.abspath(sys.executable):
        raise TargetError(
            f"{option} {spec!r} must be installed into an environment of its own: run it through "
            f"`nox -s conformance -- {option} {spec}`, or pass {python_option} with an interpreter that has it "
            f"(`python -m conformance env {spec}` builds one)"
        )
    if not Path(python).exists():
        raise TargetError(f"{option} interpreter {python!r} not found; pass an existing {python_option}")
    module = "reference" if kind == "reference" else "sentence_transformers"
    return Target(spec=spec, kind=kind, module=module, python=python)
