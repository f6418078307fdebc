"""Capture of `warnings.warn` calls and `logging` records at WARNING and above.

Both streams are attributed to the invocation that ran in the process, because each
invocation has a process of its own. Messages are normalized so that paths, numbers and
addresses that differ between runs do not count as differences.
"""

from __future__ import annotations

import logging
import re
import warnings
from typing import Any

_DEPRECATION_CATEGORIES = {"DeprecationWarning", "FutureWarning", "PendingDeprecationWarning"}
_DEPRECATION_WORDS = re.compile(r"deprecat|renamed|will be removed|no longer (has|have) any effect|use .* instead", re.I)

_SUBSTITUTIONS = (
    (re.compile(r"0x[0-9a-fA-F]+"), "<addr>"),
    (re.compile(r"(?:[A-Za-z]:)?(?:/[\w.\-+@~]+){2,}/?"), "<path>"),
    (re.compile(r"\b\d+(?:\.\d+)?(?:e[-+]?\d+)?\b"), "<n>"),
)


def normalize_message(message: str) -> str:
    """Replace addresses, paths and numbers so that two runs' messages compare equal."""
    text = message.strip()
    for pattern, replacement in _SUBSTITUTIONS:
        text = pattern.sub(replacement, text)
    return text


def classify(category: str, message: str) -> str:
    if category in _DEPRECATION_CATEGORIES or _DEPRECATION_WORDS.search(message):
        return "deprecation"
    return "other"


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[dict[str, Any]]) -> None:
        super().__init__(level=logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not break the invocation
            message = str(record.msg)
        self.sink.append(_entry("logging", record.levelname, record.name, message))


class WarningCapture:
    """Context manager that records warnings and WARNING+ log records while it is active.

    `warnings.simplefilter("always")` makes warnings that upstream emits once per process
    appear in every invocation. The handler is attached to the root logger and to every
    logger that does not propagate (transformers' library logger, for one).
    """

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self._catcher: Any = None
        self._handler = _ListHandler(self.entries)
        self._loggers: list[logging.Logger] = []

    def __enter__(self) -> WarningCapture:
        self._catcher = warnings.catch_warnings(record=True)
        self._records = self._catcher.__enter__()
        warnings.simplefilter("always")
        self._loggers = [logging.getLogger()]
        for logger in logging.Logger.manager.loggerDict.values():
            if isinstance(logger, logging.Logger) and not logger.propagate:
                self._loggers.append(logger)
        for logger in self._loggers:
            logger.addHandler(self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        for logger in self._loggers:
            logger.removeHandler(self._handler)
        for record in self._records:
            category = record.category.__name__
            self.entries.append(_entry("warnings", category, None, str(record.message)))
        self._catcher.__exit__(None, None, None)


def _entry(source: str, category: str, logger: str | None, message: str) -> dict[str, Any]:
    return {
        "source": source,
        "category": category,
        "logger": logger,
        "message": normalize_message(message),
        "raw": message[:500],
        "classification": classify(category, message),
        "expected": None,
    }
