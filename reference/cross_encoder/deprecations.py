"""Deprecation messages of the CrossEncoder API and the decorator that translates old keyword names.

sentence-transformers 4.x renamed several CrossEncoder arguments (the v3 names still work and warn)
and replaced the ``CE*`` evaluators. Every message text lives here as a named constant, so the
conformance suite and the tests can match the exact wording.

Upstream 6.3.0 reports the renamed arguments through ``logging`` (``logger.warning_once``) and the
old evaluators through ``typing_extensions.deprecated``, which raises a ``DeprecationWarning``.
The reference raises ``DeprecationWarning`` through ``warnings.warn`` for both, so one capture
mechanism records them all.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

DEPRECATION_CATEGORY = DeprecationWarning

RENAMED_ARGUMENT = "{owner}({old}=...) is deprecated because the argument was renamed. Use {owner}({new}=...) instead."
CONFLICTING_ARGUMENTS = (
    "{owner}() got both {old!r} and {new!r}, which are the old and the new name of one argument. "
    "Pass only {new!r}."
)
CLASSIFIER_DROPOUT = (
    "CrossEncoder(classifier_dropout=...) is deprecated. "
    'Use CrossEncoder(config_kwargs={{"classifier_dropout": {value!r}}}) instead.'
)
CLASSIFIER_DROPOUT_CONFLICT = (
    "CrossEncoder() got classifier_dropout={value!r} and config_kwargs with a 'classifier_dropout' entry. "
    "Pass only config_kwargs={{'classifier_dropout': ...}}."
)
NO_EFFECT_ARGUMENT = "{owner}({old}=...) is deprecated and has no effect. Remove the {old!r} argument."

# Old CrossEncoder keyword -> v4 keyword, for the constructor and for predict/rank.
INIT_RENAMES: Mapping[str, str] = {
    "model_name": "model_name_or_path",
    "automodel_args": "model_kwargs",
    "tokenizer_args": "tokenizer_kwargs",
    "config_args": "config_kwargs",
    "cache_dir": "cache_folder",
    "default_activation_function": "activation_fn",
}
PREDICT_RENAMES: Mapping[str, str] = {"activation_fct": "activation_fn"}
PREDICT_NO_EFFECT: tuple[str, ...] = ("num_workers",)

# Old evaluator class -> the message its constructor emits. Each message names the replacement.
_CLASSIFICATION_REPLACEMENT = (
    "{old} is deprecated. Use CrossEncoderClassificationEvaluator instead, which takes the same "
    "sentence pairs and labels and reports {metric} among its metrics."
)
EVALUATOR_MESSAGES: Mapping[str, str] = {
    "CEBinaryAccuracyEvaluator": _CLASSIFICATION_REPLACEMENT.format(
        old="CEBinaryAccuracyEvaluator", metric="'accuracy' (at the best threshold, not a fixed one)"
    ),
    "CEBinaryClassificationEvaluator": _CLASSIFICATION_REPLACEMENT.format(
        old="CEBinaryClassificationEvaluator", metric="'average_precision'"
    ),
    "CEF1Evaluator": _CLASSIFICATION_REPLACEMENT.format(old="CEF1Evaluator", metric="'f1' or 'f1_macro'"),
    "CESoftmaxAccuracyEvaluator": _CLASSIFICATION_REPLACEMENT.format(
        old="CESoftmaxAccuracyEvaluator", metric="'f1_micro' (equal to the arg-max accuracy)"
    ),
    "CECorrelationEvaluator": (
        "CECorrelationEvaluator is deprecated because it was renamed. "
        "Use CrossEncoderCorrelationEvaluator instead, which takes the same arguments."
    ),
    "CERerankingEvaluator": (
        "CERerankingEvaluator is deprecated because it was renamed. "
        "Use CrossEncoderRerankingEvaluator instead, which reports 'mrr@k' among its metrics."
    ),
}


def warn_deprecated(message: str, stacklevel: int = 2) -> None:
    """Emit ``message`` as a deprecation warning, attributed ``stacklevel`` frames up from the caller."""
    warnings.warn(message, DEPRECATION_CATEGORY, stacklevel=stacklevel + 1)


def translate_deprecated_kwargs(
    owner: str,
    renames: Mapping[str, str],
    no_effect: tuple[str, ...] = (),
    extra_translation: Callable[[dict[str, Any]], None] | None = None,
) -> Callable[[F], F]:
    """Build a decorator that accepts the old keyword names of a function and forwards their values.

    Each old name in ``renames`` is replaced by its new name, with a deprecation warning. Names in
    ``no_effect`` are dropped with a warning. Unknown keywords still reach the function, so Python
    raises its usual ``TypeError`` naming them.

    Args:
        owner: The call as the messages spell it, e.g. ``"CrossEncoder.predict"``.
        renames: Old keyword -> new keyword.
        no_effect: Old keywords that are accepted and ignored.
        extra_translation: Called with the keyword dict after the renames, for an old argument
            that is not a plain rename (``classifier_dropout``).

    Raises:
        TypeError: At call time, when a call passes both the old and the new name of an argument.

    Example:
        >>> @translate_deprecated_kwargs("CrossEncoder.predict", {"activation_fct": "activation_fn"})
        ... def predict(self, sentences, activation_fn=None): ...
    """

    def decorator(func: F) -> F:
        signature = inspect.signature(func)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            given_positionally = signature.bind_partial(*args).arguments
            for old, new in renames.items():
                if old not in kwargs:
                    continue
                if new in kwargs or new in given_positionally:
                    raise TypeError(CONFLICTING_ARGUMENTS.format(owner=owner, old=old, new=new))
                warn_deprecated(RENAMED_ARGUMENT.format(owner=owner, old=old, new=new), stacklevel=2)
                kwargs[new] = kwargs.pop(old)

            for old in no_effect:
                if old in kwargs:
                    kwargs.pop(old)
                    warn_deprecated(NO_EFFECT_ARGUMENT.format(owner=owner, old=old), stacklevel=2)

            if extra_translation is not None:
                extra_translation(kwargs)
            return func(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def merge_classifier_dropout(kwargs: dict[str, Any]) -> None:
    """Move a ``classifier_dropout`` keyword into ``config_kwargs``, with a deprecation warning.

    It runs inside the wrapper of :func:`translate_deprecated_kwargs`, so the warning is attributed
    three frames up, to the caller of the decorated function.

    Raises:
        TypeError: When ``config_kwargs`` already sets ``classifier_dropout``.
    """
    if "classifier_dropout" not in kwargs:
        return

    value = kwargs.pop("classifier_dropout")
    config_kwargs = dict(kwargs.get("config_kwargs") or {})
    if "classifier_dropout" in config_kwargs:
        raise TypeError(CLASSIFIER_DROPOUT_CONFLICT.format(value=value))

    warn_deprecated(CLASSIFIER_DROPOUT.format(value=value), stacklevel=3)
    config_kwargs["classifier_dropout"] = value
    kwargs["config_kwargs"] = config_kwargs
