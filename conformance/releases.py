"""The upstream release list and the companion pins each target environment is installed with.

Both live in `releases.toml` beside this module, so the matrix, the target environments and the
docs draw on one list. A release's pins name the transformers, datasets and accelerate versions it
is known to install and train with beside the pinned torch.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

from .errors import TargetError

RELEASES_FILE = Path(__file__).with_name("releases.toml")
PINS_NONE = "none"

# The distribution name at the start of a requirement string ("transformers==4.41.2" -> "transformers").
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class Release:
    """One upstream release and what it is installed beside.

    Args:
        version: the release, e.g. "6.3.0".
        pins: requirement strings of its companions, e.g. ["transformers==5.25.0"].
        matrix: whether `nox -s conformance_matrix` runs it.
        torch: a torch requirement of its own, or None for the default one.
    """

    version: str
    pins: tuple[str, ...]
    matrix: bool = True
    torch: str | None = None

    @property
    def spec(self) -> str:
        return f"sentence-transformers=={self.version}"


@dataclass(frozen=True)
class ReleaseTable:
    """The parsed `releases.toml`: defaults and releases in file order."""

    torch: str
    runner: tuple[str, ...]
    default_pins: tuple[str, ...]
    releases: tuple[Release, ...] = field(default_factory=tuple)

    def find(self, version: str | None) -> Release | None:
        return next((release for release in self.releases if release.version == version), None)

    def matrix(self) -> list[Release]:
        return [release for release in self.releases if release.matrix]


def requirement_name(requirement: str) -> str:
    """Return the normalized distribution name of a requirement string (PEP 503 normalization)."""
    match = _NAME.match(requirement)
    if not match:
        raise TargetError(f"invalid requirement {requirement!r}; write it as NAME==VERSION, e.g. 'transformers==4.57.6'")
    return re.sub(r"[-_.]+", "-", match.group(1)).lower()


def load_releases(path: Path = RELEASES_FILE) -> ReleaseTable:
    """Read and check the release table; raise `TargetError` naming the file and the bad key."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise TargetError(f"cannot read the release table {path}: {error}") from None

    defaults = data.get("defaults", {})
    torch = defaults.get("torch", "torch")
    runner = _strings(defaults.get("runner", []), path, "defaults.runner")
    default_pins = _strings(defaults.get("pins", []), path, "defaults.pins")

    releases = []
    for index, entry in enumerate(data.get("release", [])):
        where = f"release[{index}]"
        version = entry.get("version")
        if not isinstance(version, str) or not version:
            raise TargetError(f"{path}: {where} has no version string; add version = \"X.Y.Z\"")
        pins = _strings(entry.get("pins", []), path, f"{where}.pins")
        releases.append(Release(version, pins, bool(entry.get("matrix", True)), entry.get("torch")))
    return ReleaseTable(torch, runner, default_pins, tuple(releases))


def _strings(value: object, path: Path, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise TargetError(f"{path}: {key} must be a list of requirement strings, got {value!r}")
    return tuple(value)


def parse_overrides(text: str | None) -> list[str] | None:
    """Split an override value on whitespace into requirements; None when unset.

    Commas stay inside a requirement, so "transformers>=4.50,<4.53" is one item.
    """
    if text is None or not text.strip():
        return None
    return text.split()


def apply_overrides(pins: tuple[str, ...] | list[str], overrides: list[str] | None) -> list[str]:
    """Replace pins by package name with the user's; the single override "none" drops every pin."""
    if not overrides:
        return list(pins)
    if [item.lower() for item in overrides] == [PINS_NONE]:
        return []
    replaced = {requirement_name(item) for item in overrides}
    kept = [pin for pin in pins if requirement_name(pin) not in replaced]
    return kept + list(overrides)
