"""Probes that record what an invocation does, independent of the API it uses."""

from .probes import LossProbe, OptimizerProbe
from .warnings_capture import WarningCapture, normalize_message

__all__ = ["LossProbe", "OptimizerProbe", "WarningCapture", "normalize_message"]
