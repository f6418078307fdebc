"""Targets: which implementation of `sentence_transformers` a run judges.

`reference` is the bundled reference implementation; `installed` is whatever
`sentence_transformers` the interpreter imports. Other specs (a requirement string,
a fork path, a git URL, a wheel) are installed into an environment of their own by nox,
which then passes that environment's interpreter as `--target-python`.
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


def resolve(spec: str | None = None, python: str | None = None) -> Target:
    """Build the `Target` for a spec (default: the `CONFORMANCE_TARGET` variable, then `reference`)."""
    spec = (spec or os.environ.get(TARGET_ENV) or "reference").strip()
    kind = classify_spec(spec)
    python = python or os.environ.get(TARGET_PYTHON_ENV) or sys.executable
    if kind not in ("reference", "installed") and python == sys.executable:
        raise TargetError(
            f"target {spec!r} must be installed into an environment of its own: run it through "
            f"`nox -s conformance -- --target {spec}`, or pass --target-python with an interpreter that has it"
        )
    if not Path(python).exists():
        raise TargetError(f"target interpreter {python!r} not found; pass an existing --target-python")
    module = "reference" if kind == "reference" else "sentence_transformers"
    return Target(spec=spec, kind=kind, module=module, python=python)
