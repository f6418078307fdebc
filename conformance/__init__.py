"""Conformance engine for the Sentence Transformers migration guide.

Scenario files import their declarations from here; nothing in this module imports torch,
so collecting scenarios stays fast.
"""

from .scenario import Case, NegativeControl, Scenario, Tier, WarningRule
from .statistics import Statistical

__version__ = "0.1.0"

__all__ = ["Case", "NegativeControl", "Scenario", "Statistical", "Tier", "WarningRule", "__version__"]
